"""Admin: user and role management for administrators."""

from __future__ import annotations


def init_app(app) -> None:
    """Register the ``/admin`` pages."""
    # Imported here: the package is imported by its models, long before any view can be.
    from directory.admin.views import bp as views_bp

    app.register_blueprint(views_bp)
