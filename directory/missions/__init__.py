"""Missions: embassies and consulates, and the countries they cover."""

from __future__ import annotations


def init_app(app) -> None:
    """Register the ``flask missions`` commands (missions have no pages of their own)."""
    # Imported here: the package is imported by its models, long before any view can be.
    from directory.missions.cli import register_cli

    register_cli(app)
