"""Representatives: provinces nominate, missions approve, terms end."""

from __future__ import annotations


def init_app(app) -> None:
    """Register the nomination pages, their API routes, the ``flask representatives`` commands
    and what appointments mean to search documents."""
    # Imported here: the package is imported by its models, long before any view can be.
    from directory.representatives import home  # noqa: F401 - registers its home-page section
    from directory.representatives.api import bp as api_bp
    from directory.representatives.cli import register_cli
    from directory.representatives.search import register as register_search
    from directory.representatives.views import bp as views_bp

    app.register_blueprint(views_bp)
    app.register_blueprint(api_bp)
    register_search()
    register_cli(app)
