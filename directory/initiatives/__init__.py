"""Initiatives: members' proposals to a province or the central body, and their answers."""

from __future__ import annotations


def init_app(app) -> None:
    """Register the initiatives' pages, API routes and ``flask initiatives`` commands (the
    navigation badge comes with the queries module)."""
    # Imported here: the package is imported by its models, long before any view can be.
    from directory.initiatives import (
        notices,  # noqa: F401 - declares the kinds of notice
        queries,  # noqa: F401 - registers the navigation badge
    )
    from directory.initiatives.api import bp as api_bp
    from directory.initiatives.cli import register_cli
    from directory.initiatives.views import bp as views_bp

    app.register_blueprint(views_bp)
    app.register_blueprint(api_bp)
    register_cli(app)
