"""Associations: diaspora organisations and their members."""

from __future__ import annotations


def init_app(app) -> None:
    """Register the association pages, the ``/api/v1/associations`` routes and their search documents."""
    # Imported here: the package is imported by its models, long before any view can be.
    from directory.associations.api import bp as api_bp
    from directory.associations.search import register as register_search
    from directory.associations.views import bp as views_bp

    app.register_blueprint(views_bp)
    app.register_blueprint(api_bp)
    register_search()
