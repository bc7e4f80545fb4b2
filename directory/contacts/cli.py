"""``flask contact-requests expire``: end the pending requests left unanswered too long."""

from __future__ import annotations

import click
from flask.cli import AppGroup

contacts_cli = AppGroup("contact-requests", help="Contact requests.")


@contacts_cli.command("expire")
def expire_command():
    """Expire the pending requests past their date (both sides are told; audited)."""
    from directory.contacts.services import expire_due

    done = expire_due()
    for contact_request in done:
        click.echo(f"expired {contact_request.id}")
    click.echo(f"{len(done)} contact request(s) expired")


def _expire_job() -> str | None:
    from directory.contacts.services import expire_due

    done = expire_due()
    return f"expired {len(done)} contact request(s)" if done else None


def register_cli(app) -> None:
    from directory.core.schedule import register

    app.cli.add_command(contacts_cli)
    register(app, "contact-requests expire", 3600, _expire_job)
