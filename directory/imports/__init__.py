"""Imports: missions upload contact lists, review and apply them; exports."""

from __future__ import annotations


def init_app(app) -> None:
    """Register the import pages and the ``flask people import`` and ``flask imports run`` commands."""
    # Imported here: the package is imported by its models, long before any view can be.
    from directory.imports.cli import register_cli
    from directory.imports.views import bp as views_bp

    app.register_blueprint(views_bp)
    register_cli(app)
