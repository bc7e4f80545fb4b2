"""The search engine boundary: documents go in, ids come out.

``init_app(app, source)`` wires the configured engine (``SEARCH_BACKEND``: ``sqlite`` or
``meilisearch``) without connecting to anything; ``get_backend(app)`` builds it on first use.
This package never imports the application: what it needs from it (the database engine, the
taxonomy, the province names, how to build documents) comes in through ``source``, a
:class:`Source` the application registers.
The embedded engine lives in the application database when that is SQLite, and in
``<instance>/search-index.sqlite3`` otherwise (FTS5 is SQLite-only).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import current_app

from search_index.base import Audience, SearchBackend, SearchQuery, SearchUnavailable

SYNONYM_TTL_SECONDS = 60


@dataclass(frozen=True)
class Source:
    """What the engines need from the application, given once at start-up.

    ``engine()``: the application's SQLAlchemy engine (inside an app context);
    ``taxonomy()``: the active taxonomy rows (code, label_vi, label_en, synonyms);
    ``province_names()``: every current, former and legacy province name.

    The documents themselves are handed over by the application (``SearchBackend.upsert``,
    ``apply``, ``rebuild``): the engines never read its tables.
    """

    engine: Callable[[], Any]
    taxonomy: Callable[[], Iterable]
    province_names: Callable[[], Iterable[str]]


def init_app(app, source: Source) -> None:
    """Attach the configured backend and the application's ``source`` (no connection is made)."""
    from search_index import matching

    backend = app.config.get("SEARCH_BACKEND") or "sqlite"
    if backend not in ("sqlite", "meilisearch"):
        raise RuntimeError(f"SEARCH_BACKEND must be sqlite or meilisearch, not {backend!r}")
    if backend == "meilisearch" and not app.config.get("MEILI_URL"):
        raise RuntimeError("SEARCH_BACKEND=meilisearch needs MEILI_URL")
    app.config.setdefault("SEARCH_RETRY_BASE_SECONDS", 2.0)
    app.extensions["search_backend"] = None
    app.extensions["search_source"] = source
    matching.use_province_names(source.province_names)
    app.extensions["search_reset"] = lambda: get_backend(app).reset()


def _synonyms_loader(app):
    """The taxonomy's equivalences, folded, cached for a minute."""
    cache = {"at": 0.0, "table": {}}

    def load() -> dict[str, list[str]]:
        if time.monotonic() - cache["at"] > SYNONYM_TTL_SECONDS or app.testing:
            from search_index.matching import synonym_table

            with app.app_context():
                cache["table"] = synonym_table(app.extensions["search_source"].taxonomy())
            cache["at"] = time.monotonic()
        return cache["table"]

    return load


def _sqlite_engine(app):
    with app.app_context():
        engine = app.extensions["search_source"].engine()
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
    "Source",
    "get_backend",
    "init_app",
]
