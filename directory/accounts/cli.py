"""``flask users …``: create accounts and API tokens from the command line."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from flask_babel import force_locale

from directory.accounts.models import ROLES
from directory.core.errors import ValidationError
from directory.extensions import db

users_cli = AppGroup("users", help="User accounts and API tokens.")


def _fail(exc: ValidationError) -> click.ClickException:
    lines = [f"--{field}: {message}" for field, message in exc.fields.items()]
    return click.ClickException("\n".join(lines) or str(exc))


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--password", required=True, help="At least 10 characters.")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--mission", "mission_code", default=None, help="Mission code (embassy officers).")
@click.option(
    "--province", "province_slug", default=None, help="Province slug (province officers)."
)
@click.option("--approver", is_flag=True, help="Province approver (province officers).")
@click.option("--person", "person_id", default=None, help="Link a member to an existing profile.")
@click.option("--locale", type=click.Choice(["vi", "en"]), default="vi")
@click.option("--name", "display_name", default=None, help="Display name (officials).")
def create_command(
    email, password, role, mission_code, province_slug, approver, person_id, locale, display_name
):
    """Add a user (email verified); officials get their mission or province scope."""
    from directory.accounts.services import create_user
    from directory.people.models import Person

    with force_locale("en"):
        person = None
        if person_id:
            person = db.session.get(Person, person_id.strip())
            if person is None:
                raise click.ClickException(f"--person: no profile has the id {person_id}")
        try:
            user = create_user(
                email,
                password,
                role,
                mission=mission_code,
                province_slug=province_slug,
                approver=approver,
                person=person,
                locale=locale,
                display_name=display_name,
            )
        except ValidationError as exc:
            raise _fail(exc) from None
    click.echo(f"user {user.email} created: role {user.role}, id {user.id}")


@users_cli.command("token")
@click.option("--email", required=True)
@click.option("--name", default="cli", help="A label for the token.")
@click.option(
    "--scope",
    type=click.Choice(["read", "write"]),
    default="write",
    show_default=True,
    help="read: safe methods only; write: the user's full rights.",
)
@click.option(
    "--days",
    type=click.IntRange(1, 365),
    default=90,
    show_default=True,
    help="Days until the token expires.",
)
def token_command(email, name, scope, days):
    """Create an API token for the user and print it (last line of the output)."""
    from directory.accounts.services import create_api_token, user_by_email

    user = user_by_email(email)
    if user is None:
        raise click.ClickException(f"--email: no account has the address {email}")
    if not user.is_active:
        raise click.ClickException(f"--email: the account {user.email} is deactivated")
    token, raw = create_api_token(user, name, scope=scope, days=days)
    click.echo(
        f"API token for {user.email}, scope {scope}, expires {token.expires_at:%Y-%m-%d} "
        "(shown once; store it safely):"
    )
    click.echo(raw)


@users_cli.command("totp")
@click.option("--email", required=True)
def totp_command(email):
    """Print the current two-factor code of an enrolled account (development and the demo
    only: refused when the app runs in production mode)."""
    from flask import current_app

    from directory.accounts.services import user_by_email
    from directory.accounts.two_factor import current_code

    if current_app.config.get("PRODUCTION"):
        raise click.ClickException("refused in production: use the authenticator app")
    user = user_by_email(email)
    if user is None:
        raise click.ClickException(f"--email: no account has the address {email}")
    if not user.totp_secret:
        raise click.ClickException(f"--email: {user.email} has not set up two-factor sign-in")
    code, seconds = current_code(user.totp_secret)
    click.echo(f"{code}  (valid {seconds} more seconds; each code signs in once)")


@users_cli.command("reset-2fa")
@click.option("--email", required=True)
def reset_two_factor_command(email):
    """Reset an account's two-factor sign-in (the operator's way back in for a locked-out
    admin); the user sets it up again at the next sign-in; audited, the user is emailed."""
    from directory.accounts.services import user_by_email
    from directory.accounts.two_factor import reset_two_factor

    user = user_by_email(email)
    if user is None:
        raise click.ClickException(f"--email: no account has the address {email}")
    with force_locale("en"):
        try:
            reset_two_factor(user, by=None)
        except ValidationError as exc:
            raise _fail(exc) from None
    click.echo(f"two-factor sign-in of {user.email} reset: set up again at the next sign-in")


def register_cli(app) -> None:
    app.cli.add_command(users_cli)
