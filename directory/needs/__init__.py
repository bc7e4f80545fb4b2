"""Cooperation needs: what a province looks for, the explained matches, the shortlist."""

from __future__ import annotations


def init_app(app) -> None:
    """Register the needs pages and the ``/api/v1/needs`` routes."""
    # Imported here: the package is imported by its models, long before any view can be.
    from directory.needs import (
        home,  # noqa: F401 - registers its home-page section
        notices,  # noqa: F401 - declares the kinds of notice
    )
    from directory.needs.api import bp as api_bp
    from directory.needs.views import bp as views_bp

    app.register_blueprint(views_bp)
    app.register_blueprint(api_bp)
