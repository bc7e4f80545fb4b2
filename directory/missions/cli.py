"""``flask missions …``: manage missions from the command line."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from flask_babel import force_locale

from directory.core.errors import ValidationError

missions_cli = AppGroup("missions", help="Embassies and consulates.")


def fail(exc: ValidationError) -> click.ClickException:
    """A ClickException listing the per-field messages (exit status 1)."""
    lines = [f"--{field}: {message}" for field, message in exc.fields.items()]
    return click.ClickException("\n".join(lines) or str(exc))


@missions_cli.command("create")
@click.option("--code", required=True, help="Short unique code, e.g. FR-PAR.")
@click.option("--name", required=True, help="The mission's name.")
@click.option("--countries", required=True, help="Covered countries, comma separated (FR,MC).")
@click.option("--kind", type=click.Choice(["embassy", "consulate"]), default="embassy")
@click.option("--city", default=None)
@click.option("--email", default=None)
def create_command(code, name, countries, kind, city, email):
    """Add a mission covering the given countries (ISO codes or names)."""
    from directory.missions.services import create_mission

    with force_locale("en"):
        try:
            mission = create_mission(code, name, countries, kind=kind, city=city, email=email)
        except ValidationError as exc:
            raise fail(exc) from None
    click.echo(f"mission {mission.code} created ({', '.join(mission.countries)}), id {mission.id}")


@missions_cli.command("list")
def list_command():
    """List the missions and the countries they cover."""
    from directory.missions.services import all_missions

    for mission in all_missions():
        click.echo(f"{mission.code}\t{mission.kind}\t{','.join(mission.countries)}\t{mission.name}")


def register_cli(app) -> None:
    app.cli.add_command(missions_cli)
