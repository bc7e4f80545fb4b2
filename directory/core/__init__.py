"""Cross-domain building blocks: ids, timestamps, errors, pagination, mail."""

from __future__ import annotations


def init_app(app) -> None:
    """Register the home page, language switch, privacy notice, health checks and the
    ``flask mail`` commands."""
    # Imported here: the package is imported by its models, long before any view can be.
    from directory.core.cli import register_cli
    from directory.core.views import bp as views_bp

    app.register_blueprint(views_bp)
    register_cli(app)
