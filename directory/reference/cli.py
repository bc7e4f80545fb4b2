"""Reference data commands: `flask reference sync`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

reference_cli = AppGroup("reference", help="Reference data (provinces, field taxonomy).")


@reference_cli.command("sync")
def sync_command():
    """Load the shipped provinces and field taxonomy into the database (idempotent)."""
    from directory.reference.loader import sync_reference_data

    renamed = sync_reference_data()
    if renamed:
        # Applied by `flask search worker` (Meilisearch) or right away (embedded engine).
        click.echo(f"new province wordings: search documents queued for {', '.join(renamed)}")
    click.echo("reference data in sync")


def register_cli(app) -> None:
    """Add the ``flask reference`` commands to ``app``."""
    app.cli.add_command(reference_cli)
