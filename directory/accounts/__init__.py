"""Accounts: users, roles, sign-in, two-factor, API tokens."""

from __future__ import annotations


def init_app(app) -> None:
    """Register the sign-in pages, ``/api/v1/me``, the ``flask users`` commands and the
    required second factor (``gate``)."""
    # Imported here: the package is imported by its models, long before any view can be.
    from directory.accounts import (
        gate,
        notices,  # noqa: F401 - declares the kinds of notice
    )
    from directory.accounts.api import bp as api_bp
    from directory.accounts.cli import register_cli
    from directory.accounts.views import bp as views_bp

    app.register_blueprint(views_bp)
    app.register_blueprint(api_bp)
    register_cli(app)
    gate.register(app)
