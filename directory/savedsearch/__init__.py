"""Saved searches: a signed-in user keeps a search of the directory under a name, to run again."""

from __future__ import annotations


def init_app(app) -> None:
    """Register the pages (``/search/saved``) and ``/api/v1/saved-searches``."""
    # Imported here: the package is imported by its models, long before any view can be.
    from directory.savedsearch import queries  # noqa: F401 - the data download's section
    from directory.savedsearch.api import bp as api_bp
    from directory.savedsearch.views import bp as views_bp

    app.register_blueprint(views_bp)
    app.register_blueprint(api_bp)
    app.jinja_env.globals["save_search_url"] = save_search_url


def save_search_url() -> str:
    """The "Save this search" page for the current request's search (without its page)."""
    from urllib.parse import urlencode

    from flask import request, url_for

    from directory.savedsearch.services import KEPT

    pairs = [(k, v) for k, v in request.args.items(multi=True) if k in KEPT]
    base = url_for("savedsearch.save")
    return f"{base}?{urlencode(pairs)}" if pairs else base
