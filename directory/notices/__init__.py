"""In-app notices: what happened that a user should know, shown in their inbox."""

from __future__ import annotations


def init_app(app) -> None:
    """Register the inbox page (``/inbox``) and its mark-as-read actions."""
    # Imported here: the package is imported by its models, long before any view can be.
    from directory.notices.views import bp as views_bp

    app.register_blueprint(views_bp)
