"""``flask mail retry``: send again the messages the SMTP server did not take."""

from __future__ import annotations

import click
from flask.cli import AppGroup

mail_cli = AppGroup("mail", help="Outgoing mail.")


@mail_cli.command("retry")
def retry_command():
    """Send the queued messages that are due (the worker runs this every minute)."""
    from directory.core.mail_queue import retry_due

    counts = retry_due()
    click.echo(
        f"{counts['sent']} sent, {counts['failed']} failed again, "
        f"{counts['gave_up']} given up, {counts['queued']} still queued"
    )


def _retry_job() -> str | None:
    from directory.core.mail_queue import retry_due

    counts = retry_due()
    if counts["sent"] or counts["failed"] or counts["gave_up"]:
        return (
            f"{counts['sent']} sent, {counts['failed']} failed again, "
            f"{counts['gave_up']} given up, {counts['queued']} still queued"
        )
    return None


def register_cli(app) -> None:
    from directory.core.schedule import register

    app.cli.add_command(mail_cli)
    register(app, "mail retry", 60, _retry_job)
