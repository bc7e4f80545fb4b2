"""The JSON API's shared machinery (errors, schemas, OpenAPI) and its own routes."""

from __future__ import annotations


def init_app(app) -> None:
    """Register the OpenAPI document route (each domain registers its own API routes)."""
    # Imported here: the package is imported by its models, long before any view can be.
    from directory.api.views import bp as views_bp

    app.register_blueprint(views_bp)
