"""Reference data: provinces, countries, languages and the field taxonomy."""

from __future__ import annotations


def init_app(app) -> None:
    """Register ``/api/v1/fields``, ``/api/v1/provinces`` and ``flask reference sync``."""
    # Imported here: the package is imported by its models, long before any view can be.
    from directory.reference.api import bp as api_bp
    from directory.reference.cli import register_cli

    app.register_blueprint(api_bp)
    register_cli(app)
