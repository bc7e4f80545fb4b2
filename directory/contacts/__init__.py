"""Brokered contact requests: an official asks to be put in touch; the member decides."""

from __future__ import annotations


def init_app(app) -> None:
    """Register the request pages, the ``/api/v1/contact-requests`` routes and the commands."""
    # Imported here: the package is imported by its models, long before any view can be.
    from directory.contacts import notices  # noqa: F401 - declares the kinds of notice
    from directory.contacts.api import bp as api_bp
    from directory.contacts.cli import register_cli
    from directory.contacts.views import bp as views_bp

    app.register_blueprint(views_bp)
    app.register_blueprint(api_bp)
    register_cli(app)
