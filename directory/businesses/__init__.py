"""Diaspora businesses: records, the people linked to them, their pages, API and search."""

from __future__ import annotations


def init_app(app) -> None:
    """Register the businesses pages, the ``/api/v1/businesses`` routes and the CLI."""
    from directory.businesses.api import bp as api_bp
    from directory.businesses.cli import register_cli
    from directory.businesses.search import register as register_search
    from directory.businesses.views import bp as views_bp

    app.register_blueprint(views_bp)
    app.register_blueprint(api_bp)
    register_search()
    register_cli(app)
