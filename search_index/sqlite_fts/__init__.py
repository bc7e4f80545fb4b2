"""The embedded engine: SQLite FTS5, in the application database (zero setup).

Tables (created by :meth:`SqliteBackend.configure`, outside the SQLAlchemy models because FTS5
is SQLite-only):

- ``search_docs``: one narrow row per document (id, type, visibility columns, sort keys, the
  facet values as one string, and ``gen``, the generation that wrote it);
- ``search_show``: the original text for highlighting as JSON, read only for the displayed page;
- ``search_fts``: FTS5 over the folded text, one column per ``<group>_<level>`` attribute
  (:mod:`directory.search.documents`) plus ``facets``, one token per facet value (so that the
  filters of a query restrict the ranked set inside FTS5), sharing ``search_docs``' rowid;
- ``search_gone``: (generation, rowid) of every removed document;
- ``search_meta``: the generation, bumped by every write, and the epoch, renewed when the
  index is rebuilt or emptied;
- ``search_vocab`` and ``search_vocab_del``: the indexed words and their one-letter deletions,
  for typo tolerance: a query word is expanded to the indexed words within its typo budget
  (Damerau distance 1 from 4 letters, 2 from 8; the first letter must match, as a first-letter
  typo costs two in Meilisearch).

A query is answered in three steps. FTS5 finds the ids of the matching documents (no ranking).
Visibility, filters and facet counts are then computed in memory by
:class:`~search_index.sqlite_fts.columns.Columns`, a column store of every document's listed
flag, sort keys, quality and facet values (NumPy arrays, one per process, brought up to date
from ``gen`` and ``search_gone`` before each query: a write costs the next query a few rows,
not a reload). Finally the page is ranked by tiers, as Meilisearch ranks
(:func:`search_index.sqlite_fts.ranking.page`): FTS5 lists the ids of each tier, best first,
on the filtered set (the filters are facet tokens in the MATCH), until the page is full;
equally relevant documents are ordered by quality, then recency.

The name column also holds the name's other orders (given name first, Western order), the tags
column the keys of the fields the profile holds and its title states, the place column those
of the hometown's provinces (see :mod:`directory.search.documents`): a query that is a taxonomy
term or a province name alone is matched and ranked through them.

When the application database is not SQLite (PostgreSQL) the same tables live in a separate
SQLite file, ``<instance>/search-index.sqlite3`` (see :func:`search_index.init_app`).
:meth:`SqliteBackend.rebuild` fills ``search_new_*`` tables and renames them over the live
ones in one short transaction, so searches keep answering during a reindex.

The engine's parts: :mod:`.schema` (the tables), :mod:`.writing` (documents in and out, the
vocabulary, rebuilds), :mod:`.columns` (the column store), :mod:`.expressions` (MATCH
expressions and typo expansion), :mod:`.ranking` and :mod:`.names` (the page's order).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable

import numpy as np
import sqlalchemy as sa

from search_index.base import TEXT_GROUPS, Hit, SearchQuery, SearchResponse, SearchUnavailable
from search_index.matching import (
    Group,
    analyze,
    distance,
    highlights_for,
    taxonomy_query,
    term_key,
    typed_groups,
)
from search_index.sqlite_fts import columns as column_store
from search_index.sqlite_fts import writing
from search_index.sqlite_fts.columns import Columns
from search_index.sqlite_fts.expressions import ids, match_expression, matches
from search_index.sqlite_fts.ranking import page
from search_index.sqlite_fts.schema import (
    FACET_COLUMNS,
    LIVE,
    MIN_VOCAB,
    PRAGMAS,
    TABLES,
    chunks,
    create_live_tables,
    near_terms,
    quote,
    read,
)

__all__ = ["FACET_COLUMNS", "SqliteBackend"]


class SqliteBackend:
    """SQLite FTS5 behind the :class:`search_index.base.SearchBackend` interface."""

    name = "sqlite"

    def __init__(self, engine, synonyms_loader=None):
        self.engine = engine
        self._synonyms_loader = synonyms_loader or (lambda: {})
        self._configured = False
        self._columns: Columns | None = None
        self._lock = threading.Lock()

    # --- schema -------------------------------------------------------------------------

    def configure(self) -> None:
        with self.engine.begin() as conn:
            create_live_tables(conn)
        self._configured = True

    def _ensure(self) -> None:
        if not self._configured:
            self.configure()

    def reset(self) -> None:
        self._ensure()
        with self.engine.begin() as conn:
            for table in TABLES:
                conn.exec_driver_sql(f"DELETE FROM {LIVE}{table}")
            writing.new_epoch(conn)

    def health(self) -> bool:
        try:
            self._ensure()  # a fresh database has no index tables until the first write
            with self.engine.connect() as conn:
                conn.exec_driver_sql(f"SELECT 1 FROM {LIVE}docs LIMIT 1")
            return True
        except sa.exc.SQLAlchemyError:
            return False

    def document_counts(self) -> dict[str, int]:
        self._ensure()
        with self.engine.connect() as conn:
            rows = conn.exec_driver_sql(f"SELECT type, count(*) FROM {LIVE}docs GROUP BY type")
            return {kind: n for kind, n in rows}

    # --- writing (see writing.py) -------------------------------------------------------

    def upsert(self, docs: Iterable[dict]) -> None:
        self._ensure()
        docs = list(docs)
        if not docs:
            return
        with self.engine.begin() as conn:
            self.apply(conn, docs, [])

    def shares_engine(self, engine) -> bool:
        """True when the index lives in this (application) database."""
        return self.engine is engine

    def apply(self, conn, upserts: list[dict], deletes: list[str]) -> None:
        """Write documents and deletions on the caller's connection (one transaction)."""
        self._ensure()
        writing.apply(conn, upserts, deletes)

    def delete(self, ids: Iterable[str]) -> None:
        self._ensure()
        ids = list(ids)
        if not ids:
            return
        with self.engine.begin() as conn:
            self.apply(conn, [], ids)

    def rebuild(self, batches: Iterable[list[dict]]) -> None:
        self._ensure()
        writing.rebuild(self.engine, batches)

    # --- the column store (see columns.py) ----------------------------------------------

    def _snapshot(self, conn) -> Columns:
        """The column store, brought up to the index's current generation."""
        epoch, gen, floor = column_store.generation(conn)
        current = self._columns
        if current is not None and current.epoch == epoch and current.gen == gen:
            return current
        with self._lock:
            current = self._columns
            if current is not None and current.epoch == epoch and current.gen == gen:
                return current
            self._columns = column_store.refreshed(conn, current, epoch, gen, floor)
            return self._columns

    # --- reading ------------------------------------------------------------------------

    def search_many(self, queries: list[SearchQuery]) -> list[SearchResponse]:
        # In process: nothing to save by batching.
        return [self.search(query) for query in queries]

    def search(self, query: SearchQuery) -> SearchResponse:
        self._ensure()
        for facet, values in query.filters.items():
            # type/listed/owner are filterable in Meilisearch; here visibility is the
            # audience's business and no caller filters on them.
            if values and facet not in FACET_COLUMNS:
                raise ValueError(facet)
        try:
            with self.engine.connect() as conn:
                if not conn.info.get("search_pragmas"):
                    for pragma in PRAGMAS:
                        conn.exec_driver_sql(pragma)
                    conn.info["search_pragmas"] = True
                return self._search(conn, query)
        except sa.exc.OperationalError as exc:
            raise SearchUnavailable(str(exc)) from exc

    def _excluded(self, conn, query: SearchQuery) -> np.ndarray:
        """The rowids of the documents ``query.exclude`` leaves out (those indexed)."""
        found: list[int] = []
        for chunk in chunks(query.excluded_doc_ids):
            marks = ",".join("?" * len(chunk))
            found.extend(
                r[0]
                for r in read(
                    conn, f"SELECT rowid FROM {LIVE}docs WHERE doc_id IN ({marks})", tuple(chunk)
                )
            )
        return np.asarray(found, dtype=np.int64)

    def _visible(self, conn, cols: Columns, query: SearchQuery, rowids: np.ndarray):
        rowids = cols.live(rowids)
        if query.exclude:
            rowids = rowids[~np.isin(rowids, self._excluded(conn, query))]
        if not query.audience.listed_only:
            return rowids
        keep = cols.listed[rowids]
        if query.audience.own_person_id:
            own = ids(
                conn,
                f"SELECT rowid FROM {LIVE}docs WHERE owner = ?",
                (query.audience.own_person_id,),
            )
            keep |= np.isin(rowids, own)
        return rowids[keep]

    def _search(self, conn, query: SearchQuery) -> SearchResponse:
        # Matching is word by word, as in Meilisearch (taxonomy equivalences are in the
        # documents); highlighting also marks the equivalent phrases.
        cols = self._snapshot(conn)
        synonyms = self._synonyms_loader() if query.text else {}
        marked = analyze(query.text, synonyms) if query.text else []
        groups = typed_groups(marked)
        columns = [f"{g}_{lvl}" for g in TEXT_GROUPS for lvl in query.audience.text_levels]
        expansions: dict[str, list[str]] = {}
        if groups and taxonomy_query(groups):
            # A taxonomy term alone: the profiles that hold its field (see documents.py).
            tags = [c for c in columns if c.startswith("tags_")]
            key = quote(term_key(groups[0], synonyms))
            matched = matches(conn, "{" + " ".join(tags) + "} : " + key)
        elif groups:
            fuzzy = match_expression(conn, groups, columns, True, expansions)
            matched = matches(conn, fuzzy)
        else:
            matched = np.flatnonzero(cols.alive).astype(np.int64)
        matched = self._visible(conn, cols, query, matched)
        if query.created_since is not None:
            matched = matched[cols.created[matched] >= query.created_since]

        filters = {f: v for f, v in query.filters.items() if v and f in FACET_COLUMNS}
        masks = {f: cols.mask(f, v, matched) for f, v in filters.items()}
        keep = np.ones(len(matched), dtype=bool)
        for m in masks.values():
            keep &= m
        result = matched[keep]
        facets: dict[str, dict[str, int]] = {}
        for facet in query.facets:
            if facet not in FACET_COLUMNS:
                facets[facet] = {}
            elif facet in masks:
                # Counted without its own filter, so that its other values show how many
                # results choosing them would add.
                others = np.ones(len(matched), dtype=bool)
                for f, m in masks.items():
                    if f != facet:
                        others &= m
                facets[facet] = cols.counts(facet, matched[others])
            else:
                facets[facet] = cols.counts(facet, result)

        rowids = page(conn, cols, query, result, groups, columns, expansions, synonyms)
        loaded = {}
        if rowids:
            marks = ",".join("?" * len(rowids))
            loaded = {
                r[0]: r[1:]
                for r in read(
                    conn,
                    f"SELECT d.rowid, d.doc_id, d.type, d.entity_id, s.show FROM {LIVE}docs d "
                    f"LEFT JOIN {LIVE}show s ON s.rowid = d.rowid WHERE d.rowid IN ({marks})",
                    tuple(rowids),
                )
            }
        hits = [
            Hit(
                doc_id=r[0],
                entity_type=r[1],
                entity_id=r[2],
                highlights=(
                    _highlights(json.loads(r[3] or "{}"), query, marked) if query.highlight else {}
                ),
            )
            for r in (loaded[rowid] for rowid in rowids if rowid in loaded)
        ]
        return SearchResponse(hits=hits, total=int(len(result)), facets=facets)

    def suggestions(self, word: str) -> list[str]:
        self._ensure()
        if len(word) < MIN_VOCAB:
            return []
        with self.engine.connect() as conn:
            rows = list(near_terms(conn, word).items())
        scored = sorted((distance(t, word, 2), -n, t) for t, n in rows if distance(t, word, 2) <= 2)
        return [t for _d, _n, t in scored[:5]]


def _highlights(show: dict, query: SearchQuery, groups: list[Group]) -> dict[str, str]:
    return highlights_for(show, query.audience.text_levels, groups)
