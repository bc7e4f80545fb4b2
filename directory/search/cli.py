"""``flask search reindex`` and ``flask search worker [--once]``."""

from __future__ import annotations

import logging
import os

import click
from flask import current_app
from flask.cli import AppGroup

search_cli = AppGroup("search", help="The search index: rebuild it, keep it in step.")


@search_cli.command("reindex")
@click.option("--batch-size", default=1000, show_default=True, type=click.IntRange(1, 20000))
def reindex_command(batch_size):
    """Rebuild the index from the database and swap it in (search keeps answering)."""
    from directory.search.sync import ReindexRunning, reindex

    try:
        reindex(current_app._get_current_object(), batch_size=batch_size, echo=click.echo)
    except ReindexRunning:
        raise click.ClickException(
            "another reindex is running; nothing was changed (run it again once that one ends)"
        ) from None


@search_cli.command("worker")
@click.option("--once", is_flag=True, help="Apply the pending changes, then exit.")
@click.option("--interval", default=1.0, show_default=True, type=click.FloatRange(0.05, 60))
@click.option(
    "--heartbeat",
    type=click.Path(dir_okay=False),
    envvar="WORKER_HEARTBEAT_FILE",
    help="Touch this file after every round (the container's health check reads its age).",
)
def worker_command(once, interval, heartbeat):
    """Apply pending index changes, retrying failures with exponential backoff, and run the
    scheduled jobs (mail retries, expiries, reminders: see `directory/core/schedule.py`)."""
    from directory.core.schedule import jobs, periodic
    from directory.search.sync import pending_count, run_worker

    app = current_app._get_current_object()
    echo = click.echo
    if app.config.get("LOG_FORMAT") == "json":
        # In production the worker's lines are log records, one JSON object each.
        echo = logging.getLogger("directory.worker").info
    chores = [heartbeat_chore(heartbeat)] if heartbeat else []
    chores += [periodic(app, job, echo) for job in jobs(app)]
    failed = run_worker(app, once=once, interval=interval, echo=echo, chores=tuple(chores))
    if once:
        left = pending_count()
        if left:
            click.echo(f"{left} changes still pending (will be retried)")
        if failed:
            # A scheduler running `--once` learns that the engine refused the changes.
            raise click.ClickException("the search engine did not take the changes")


def heartbeat_chore(path: str):
    """Touch ``path`` after each round: a worker stuck or dead stops touching it."""

    def run() -> None:
        with open(path, "a", encoding="ascii"):
            pass
        os.utime(path)

    return run


def expiry_chore(app, every: float | None = None):
    """The registered ``contact-requests expire`` job, at most every ``every`` seconds."""
    from dataclasses import replace

    from directory.core.schedule import jobs, periodic

    (job,) = [job for job in jobs(app) if job.name == "contact-requests expire"]
    return periodic(app, replace(job, every=job.every if every is None else every), click.echo)


@search_cli.command("status")
@click.option("--check", is_flag=True, help="Exit 1 unless the index is complete and in step.")
def status_command(check):
    """Pending index changes, and the index's documents beside the database's records."""
    from directory.search.status import index_status
    from search_index.base import SearchUnavailable

    try:
        status = index_status()
    except SearchUnavailable as exc:
        raise click.ClickException(f"the search engine does not answer: {exc}") from exc
    outbox = status["outbox"]
    click.echo(f"engine: {status['backend']}")
    click.echo(
        f"pending changes: {outbox['pending']} (failing: {outbox['failing']}, "
        f"oldest: {outbox['oldest_pending_seconds']:.0f} s)"
    )
    click.echo(f"{'':<12} {'index':>10} {'database':>10}")
    for kind, expected in status["database"].items():
        found = status["documents"][kind]
        mark = "" if found == expected else "  <- differs"
        click.echo(f"{kind:<12} {found:>10} {expected:>10}{mark}")
    click.echo("in step" if status["in_step"] else "NOT in step")
    if check and not status["in_step"]:
        raise SystemExit(1)


def register_cli(app) -> None:
    app.cli.add_command(search_cli)
