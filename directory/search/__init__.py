"""Search: the expert search pages, API and index commands."""

from __future__ import annotations


def init_app(app) -> None:
    """Register the search page, ``/api/v1/search`` and the ``flask search`` commands."""
    # Imported here: the package is imported by its models, long before any view can be.
    from directory.search.api import bp as api_bp
    from directory.search.cli import register_cli
    from directory.search.views import bp as views_bp

    app.register_blueprint(views_bp)
    app.register_blueprint(api_bp)
    register_cli(app)
