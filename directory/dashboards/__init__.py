"""Dashboards: a province's and a mission's figures, pages and ``/api/v1/stats``."""

from __future__ import annotations


def init_app(app) -> None:
    """Register the dashboard pages and the ``/api/v1/stats`` routes."""
    # Imported here: the views import other domains' read functions.
    from directory.dashboards.api import bp as api_bp
    from directory.dashboards.views import bp as views_bp

    app.register_blueprint(views_bp)
    app.register_blueprint(api_bp)
