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
