"""``flask seed-demo``: fill an empty database with the demo directory."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from directory.seed.cast import DEMO_ACCOUNTS, FIXED_PEOPLE
from directory.seed.demo import DEFAULT_PEOPLE, DEFAULT_SEED


@click.command("seed-demo")
@click.option(
    "--people",
    type=click.IntRange(min=len(FIXED_PEOPLE), max=20000),
    default=DEFAULT_PEOPLE,
    show_default=True,
    help="How many people to create.",
)
@click.option(
    "--if-empty",
    is_flag=True,
    help="Do nothing (and succeed) when the database already holds people.",
)
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True, help="Random seed.")
@with_appcontext
def seed_demo_command(people: int, if_empty: bool, seed: int) -> None:
    """Fill an empty database with realistic, bilingual demo data."""
    from directory.extensions import db
    from directory.seed.demo import database_has_people, seed_demo

    try:
        has_people = database_has_people()
    except (sa.exc.OperationalError, sa.exc.ProgrammingError) as exc:
        db.session.rollback()
        raise click.ClickException(
            "The database has no schema yet: run `flask --app app db upgrade` first."
        ) from exc
    if has_people:
        if if_empty:
            click.echo("The database already holds people: demo data not loaded.")
            return
        raise click.ClickException(
            "The database already holds people; seed-demo only fills an empty database. "
            "Use --if-empty to skip quietly, or start from a fresh database."
        )
    summary = seed_demo(people=people, seed=seed)
    click.echo(
        f"Demo data loaded: {summary.people} people in {summary.countries} countries, "
        f"{summary.missions} missions, {summary.associations} associations "
        f"({summary.memberships} memberships)."
    )
    history = summary.history
    if history is not None:
        click.echo(
            f"Their history: {history.needs} cooperation needs ({history.interests} members "
            f"interested), {history.contact_requests} contact requests, {history.initiatives} "
            f"initiatives, {history.nominations} representative nominations, "
            f"{history.invitations} claim invitations, {history.imports} import in preview."
        )
        click.echo(f"Businesses: {history.businesses} diaspora businesses registered.")
    click.echo("Demo accounts (email / password / role):")
    for account in DEMO_ACCOUNTS:
        note = (
            " (already existed: password unchanged)"
            if account.email in summary.accounts_skipped
            else ""
        )
        click.echo(f"  {account.email:34} {account.password:20} {account.description}{note}")
    click.echo(
        "Officials sign in with a second factor: add their TOTP secret (README, Demo accounts) "
        "to an authenticator app, or print the current code with "
        "`flask --app app users totp --email <email>`."
    )


def register_cli(app) -> None:
    app.cli.add_command(seed_demo_command)
