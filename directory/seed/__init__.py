"""Demo data: ``flask seed-demo`` fills an empty database with a realistic, bilingual directory."""

from __future__ import annotations


def init_app(app) -> None:
    """Register the ``flask seed-demo`` command."""
    # Imported here: the package is imported by its models, long before any view can be.
    from directory.seed.cli import register_cli

    register_cli(app)
