"""The search engine boundary: documents go in, ids come out.

``init_app(app)`` wires the configured engine (``SEARCH_BACKEND``: ``sqlite`` or
``meilisearch``) without connecting to anything; ``get_backend(app)`` builds it on first use.
The embedded engine lives in the application database when that is SQLite, and in
``<instance>/search-index.sqlite3`` otherwise (FTS5 is SQLite-only).
"""

from __future__ import annotations

import os
import time

from flask import current_app

from search_index.base import Audience, SearchBackend, SearchQuery, SearchUnavailable

SYNONYM_TTL_SECONDS = 60


def init_app(app) -> None:
    """Attach the configured backend to the app (no connection is made here)."""
    from search_index import sync

    backend = app.config.get("SEARCH_BACKEND") or "sqlite"
    if backend not in ("sqlite", "meilisearch"):
        raise RuntimeError(f"SEARCH_BACKEND must be sqlite or meilisearch, not {backend!r}")
    if backend == "meilisearch" and not app.config.get("MEILI_URL"):
        raise RuntimeError("SEARCH_BACKEND=meilisearch needs MEILI_URL")
    app.config.setdefault("SEARCH_RETRY_BASE_SECONDS", 2.0)
    app.extensions["search_backend"] = None
    app.extensions["search_reset"] = lambda: get_backend(app).reset()
    sync.listen()


def _synonyms_loader(app):
    """The taxonomy's equivalences, folded, cached for a minute."""
    cache = {"at": 0.0, "table": {}}

    def load() -> dict[str, list[str]]:
        if time.monotonic() - cache["at"] > SYNONYM_TTL_SECONDS or app.testing:
            import sqlalchemy as sa

            from directory.extensions import db
            from directory.reference.models import Field
            from search_index.matching import synonym_table

            with app.app_context():
                rows = db.session.scalars(sa.select(Field).where(Field.active.is_(True))).all()
                cache["table"] = synonym_table(rows)
            cache["at"] = time.monotonic()
        return cache["table"]

    return load


def _sqlite_engine(app):
    from directory.extensions import db

    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        return engine
    import sqlalchemy as sa

    path = os.path.join(app.instance_path, "search-index.sqlite3")
    return sa.create_engine(f"sqlite:///{path}")


def get_backend(app=None) -> SearchBackend:
    """The app's search backend (built on first use)."""
    app = app or current_app._get_current_object()
    backend = app.extensions.get("search_backend")
    if backend is None:
        loader = _synonyms_loader(app)
        if app.config["SEARCH_BACKEND"] == "meilisearch":
            from search_index.meilisearch import MeiliBackend

            backend = MeiliBackend(
                app.config["MEILI_URL"],
                app.config.get("MEILI_MASTER_KEY"),
                prefix=app.config.get("MEILI_INDEX_PREFIX") or "kieubao",
                synonyms_loader=loader,
                max_total_hits=int(app.config.get("MEILI_MAX_TOTAL_HITS", 1_000_000)),
            )
        else:
            from search_index.sqlite_fts import SqliteBackend

            backend = SqliteBackend(_sqlite_engine(app), synonyms_loader=loader)
        app.extensions["search_backend"] = backend
    return backend


__all__ = [
    "Audience",
    "SearchBackend",
    "SearchQuery",
    "SearchUnavailable",
    "get_backend",
    "init_app",
]
