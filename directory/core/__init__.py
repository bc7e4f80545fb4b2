"""Cross-domain building blocks: ids, timestamps, errors, pagination, mail."""

from __future__ import annotations


def init_app(app) -> None:
    """Register the home page, language switch, privacy notice and health check."""
    # Imported here: the package is imported by its models, long before any view can be.
    from directory.core.views import bp as views_bp

    app.register_blueprint(views_bp)
