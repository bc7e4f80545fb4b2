"""``flask initiatives remind-overdue``: tell the handlers of overdue initiatives, once."""

from __future__ import annotations

import click
from flask.cli import AppGroup

initiatives_cli = AppGroup("initiatives", help="Members' initiatives.")

_DATE = click.DateTime(formats=["%Y-%m-%d"])


@initiatives_cli.command("remind-overdue")
@click.option("--today", "on", type=_DATE, help="Run as if today were this date (YYYY-MM-DD).")
def remind_overdue_command(on):
    """Remind the assignee (or the receiving body's officials) of each initiative past its due
    date, once (inbox notice, email; audited)."""
    from directory.initiatives.reminders import remind_overdue

    done = remind_overdue(on.date() if on else None)
    for initiative in done:
        click.echo(f"reminded {initiative.id} {initiative.province_slug or 'central'}")
    click.echo(f"{len(done)} overdue initiative(s) reminded")


def _remind_job() -> str | None:
    from directory.initiatives.reminders import remind_overdue

    done = remind_overdue()
    return f"{len(done)} overdue initiative(s) reminded" if done else None


def register_cli(app) -> None:
    from directory.core.schedule import register

    app.cli.add_command(initiatives_cli)
    register(app, "initiatives remind-overdue", 3600, _remind_job)
