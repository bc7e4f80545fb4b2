"""Search: the expert search pages, API and index commands."""

from __future__ import annotations


def init_app(app) -> None:
    """Register the search page, ``/api/v1/search`` and the ``flask search`` commands."""
    # Imported here: the package is imported by its models, long before any view can be.
    from directory.search import home  # noqa: F401 - registers its home-page section
    from directory.search.api import bp as api_bp
    from directory.search.cli import register_cli
    from directory.search.sync import listen
    from directory.search.views import bp as views_bp

    app.register_blueprint(views_bp)
    app.register_blueprint(api_bp)
    register_cli(app)
    # The outbox rows of every flush (the domains register what they index in their init_app).
    listen()


def search_source():
    """What the search engines need from the application (see ``search_index.Source``)."""
    import sqlalchemy as sa

    from directory.extensions import db
    from directory.reference.models import Field
    from directory.reference.provinces import all_provinces
    from search_index import Source

    def taxonomy():
        return db.session.scalars(sa.select(Field).where(Field.active.is_(True))).all()

    def province_names():
        for p in all_provinces():
            yield from (p.name_vi, p.name_en, *p.legacy_names)

    return Source(
        engine=lambda: db.engine,
        taxonomy=taxonomy,
        province_names=province_names,
    )
