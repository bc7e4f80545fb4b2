"""``flask search reindex`` and ``flask search worker [--once]``."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

search_cli = AppGroup("search", help="The search index: rebuild it, keep it in step.")


@search_cli.command("reindex")
@click.option("--batch-size", default=1000, show_default=True, type=click.IntRange(1, 20000))
def reindex_command(batch_size):
    """Rebuild the index from the database and swap it in (search keeps answering)."""
    from search_index.sync import reindex

    reindex(current_app._get_current_object(), batch_size=batch_size, echo=click.echo)


@search_cli.command("worker")
@click.option("--once", is_flag=True, help="Apply the pending changes, then exit.")
@click.option("--interval", default=1.0, show_default=True, type=click.FloatRange(0.05, 60))
def worker_command(once, interval):
    """Apply pending index changes, retrying failures with exponential backoff."""
    from search_index.sync import pending_count, run_worker

    app = current_app._get_current_object()
    failed = run_worker(app, once=once, interval=interval, echo=click.echo)
    if once:
        left = pending_count()
        if left:
            click.echo(f"{left} changes still pending (will be retried)")
        if failed:
            # A scheduler running `--once` learns that the engine refused the changes.
            raise click.ClickException("the search engine did not take the changes")


def register_cli(app) -> None:
    app.cli.add_command(search_cli)
