"""People: the directory's profiles, their consent, visibility and claims."""

from __future__ import annotations


def init_app(app) -> None:
    """Register the profile pages, the ``/api/v1/people`` routes and the people's search documents."""
    # Imported here: the package is imported by its models, long before any view can be.
    from directory.people.api import bp as api_bp
    from directory.people.search import register as register_search
    from directory.people.views import bp as views_bp

    app.register_blueprint(views_bp)
    app.register_blueprint(api_bp)
    register_search()
