"""``flask businesses …``: suggested businesses from the entrepreneurs' company fields."""

from __future__ import annotations

import click
from flask.cli import AppGroup

businesses_cli = AppGroup("businesses", help="Diaspora businesses.")


@businesses_cli.command("suggest")
@click.option("--dry-run", is_flag=True, help="List the businesses it would create; write nothing.")
def suggest_command(dry_run: bool):
    """Offer entrepreneurs' company fields as businesses, duplicates merged on name and
    country or website domain; created unlisted and unverified, for the admin or the mission
    to confirm, with each entrepreneur's link waiting for acceptance."""
    from directory.businesses import services
    from directory.businesses.suggestions import suggestions

    found = suggestions()
    for s in found:
        parts = [s.country, s.name]
        if s.website:
            parts.append(s.website)
        if s.sectors:
            parts.append(",".join(s.sectors))
        if s.size_band:
            parts.append(s.size_band)
        click.echo(" | ".join(parts) + f" | {len(s.person_ids)} person(s)")
    if dry_run:
        click.echo(f"{len(found)} business(es) would be created (dry run: nothing written)")
        return
    created = services.create_suggested(found)
    click.echo(f"{len(created)} business(es) created, unverified and unlisted, to confirm")


def register_cli(app) -> None:
    app.cli.add_command(businesses_cli)
