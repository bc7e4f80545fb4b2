"""The search engine boundary: documents go in, ids come out."""

from __future__ import annotations


def init_app(app) -> None:
    """Attach the configured backend to the app (no connection is made here)."""
    app.extensions["search_backend"] = None
