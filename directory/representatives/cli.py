"""Scheduled commands: end appointments whose term is over; remind before a term ends."""

from __future__ import annotations

import click
from flask.cli import AppGroup

representatives_cli = AppGroup("representatives", help="Representative appointments.")

_DATE = click.DateTime(formats=["%Y-%m-%d"])


@representatives_cli.command("expire")
@click.option("--today", "on", type=_DATE, help="Run as if today were this date (YYYY-MM-DD).")
def expire_command(on):
    """End the appointments whose term is over (state expired, recorded and audited)."""
    from directory.representatives.workflow import expire_due

    done = expire_due(on.date() if on else None)
    for nomination in done:
        click.echo(f"expired {nomination.id} {nomination.province_slug} {nomination.country}")
    click.echo(f"{len(done)} appointment(s) expired")


@representatives_cli.command("remind")
@click.option("--today", "on", type=_DATE, help="Run as if today were this date (YYYY-MM-DD).")
@click.option("--days", default=30, show_default=True, type=click.IntRange(1, 365))
def remind_command(on, days):
    """Remind representatives and their province, once, DAYS before a term ends."""
    from directory.representatives.notifications import send_reminders

    done = send_reminders(on.date() if on else None, days)
    click.echo(f"{len(done)} reminder(s) sent")


def _expire_job() -> str | None:
    from directory.representatives.workflow import expire_due

    done = expire_due()
    return f"{len(done)} appointment(s) expired" if done else None


def _remind_job() -> str | None:
    from directory.representatives.notifications import REMINDER_DAYS, send_reminders

    done = send_reminders(None, REMINDER_DAYS)
    return f"{len(done)} reminder(s) sent" if done else None


def register_cli(app) -> None:
    from directory.core.schedule import register

    app.cli.add_command(representatives_cli)
    register(app, "representatives expire", 3600, _expire_job)
    register(app, "representatives remind", 3600, _remind_job)
