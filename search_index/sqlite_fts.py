"""The embedded engine: SQLite FTS5, in the application database (zero setup).

Tables (created by :meth:`SqliteBackend.configure`, outside the SQLAlchemy models because FTS5
is SQLite-only):

- ``search_docs``: one narrow row per document (id, type, visibility columns, sort keys, the
  facet values as one string, and ``gen``, the generation that wrote it);
- ``search_show``: the original text for highlighting as JSON, read only for the displayed page;
- ``search_fts``: FTS5 over the folded text, one column per ``<group>_<level>`` attribute
  (:mod:`search_index.documents`) plus ``facets``, one token per facet value (so that the
  filters of a query restrict the ranked set inside FTS5), sharing ``search_docs``' rowid;
- ``search_gone``: (generation, rowid) of every removed document;
- ``search_meta``: the generation, bumped by every write, and the epoch, renewed when the
  index is rebuilt or emptied;
- ``search_vocab`` and ``search_vocab_del``: the indexed words and their one-letter deletions,
  for typo tolerance: a query word is expanded to the indexed words within its typo budget
  (Damerau distance 1 from 4 letters, 2 from 8; the first letter must match, as a first-letter
  typo costs two in Meilisearch).

A query is answered in three steps. FTS5 finds the ids of the matching documents (no ranking).
Visibility, filters and facet counts are then computed in memory by :class:`_Columns`, a
column store of every document's listed flag, sort keys and facet values (NumPy arrays, one
per process, brought up to date from ``gen`` and ``search_gone`` before each query: a write
costs the next query a few rows, not a reload). Finally only the documents that can reach the
requested page are ranked: bm25 runs on the filtered set (the filters are facet tokens in the
MATCH), and on the typo-free matches alone when they fill the page.

When the application database is not SQLite (PostgreSQL) the same tables live in a separate
SQLite file, ``<instance>/search-index.sqlite3`` (see :func:`search_index.init_app`).
:meth:`rebuild` fills ``search_new_*`` tables and renames them over the live ones in one short
transaction, so searches keep answering during a reindex.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterable

import numpy as np
import sqlalchemy as sa

from search_index.base import (
    TWO_TYPOS_MIN,
    Hit,
    SearchQuery,
    SearchResponse,
    SearchUnavailable,
    typo_budget,
)
from search_index.documents import LEVELS, SEARCHABLE, TEXT_GROUPS
from search_index.matching import Group, analyze, distance, highlights_for, typed_groups

LIVE = "search_"
NEW = "search_new_"
OLD = "search_old_"
FACET_COLUMNS = ("kind", "field", "country", "province", "language", "verified", "representative")
FTS_COLUMNS = (*SEARCHABLE, "facets")
WEIGHTS = {"name": 10.0, "tags": 5.0, "place": 3.0, "text": 1.0}
MIN_VOCAB = 3
FACET_SEP = "\x1f"
VALUE_SEP = "\x1e"
MAX_EXPANSIONS = 30
META = "search_meta"
# Generations of removals kept in ``search_gone`` (older column stores reload whole).
GONE_KEEP = 500
# SQLite's limit on bound parameters is far above this; chunks keep statements small.
CHUNK = 500
# Per connection: the index is read through SQLite's page cache and a memory map.
PRAGMAS = (
    "PRAGMA cache_size = -65536",
    "PRAGMA mmap_size = 268435456",
    "PRAGMA temp_store = MEMORY",
)


def _ddl(p: str, tag: str) -> list[str]:
    cols = ", ".join(FTS_COLUMNS)
    return [
        f"CREATE TABLE IF NOT EXISTS {p}docs (rowid INTEGER PRIMARY KEY, doc_id TEXT NOT NULL "
        f"UNIQUE, type TEXT NOT NULL, entity_id TEXT NOT NULL, listed INTEGER NOT NULL, "
        f"owner TEXT NOT NULL, name_sort TEXT NOT NULL, updated_at REAL NOT NULL, "
        f"facets TEXT NOT NULL DEFAULT '', gen INTEGER NOT NULL DEFAULT 0)",
        # The original text (for highlighting) apart, so that the narrow rows stay narrow:
        # only the displayed page loads it.
        f"CREATE TABLE IF NOT EXISTS {p}show (rowid INTEGER PRIMARY KEY, show TEXT)",
        f"CREATE TABLE IF NOT EXISTS {p}gone (gen INTEGER NOT NULL, doc INTEGER NOT NULL)",
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {p}fts USING fts5({cols}, "
        f"tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')",
        f"CREATE TABLE IF NOT EXISTS {p}vocab (term TEXT PRIMARY KEY, n INTEGER NOT NULL "
        f"DEFAULT 0) WITHOUT ROWID",
        f"CREATE TABLE IF NOT EXISTS {p}vocab_del (del TEXT NOT NULL, term TEXT NOT NULL, "
        f"PRIMARY KEY (del, term)) WITHOUT ROWID",
    ]


def _indexes(p: str, tag: str) -> list[str]:
    return [
        f"CREATE INDEX IF NOT EXISTS ix_{p}docs_owner_{tag} ON {p}docs (owner)",
        f"CREATE INDEX IF NOT EXISTS ix_{p}docs_gen_{tag} ON {p}docs (gen)",
        f"CREATE INDEX IF NOT EXISTS ix_{p}gone_gen_{tag} ON {p}gone (gen)",
        f"CREATE INDEX IF NOT EXISTS ix_{p}gone_doc_{tag} ON {p}gone (doc)",
    ]


_TABLES = ("docs", "show", "gone", "fts", "vocab", "vocab_del")
# Tables of earlier versions of the index, dropped by the next rebuild.
_RETIRED = ("facets",)


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _quote(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def _facet_values(doc: dict) -> list[tuple[str, str]]:
    rows = []
    for facet in FACET_COLUMNS:
        value = doc.get(facet)
        if isinstance(value, bool):
            rows.append((facet, "true" if value else "false"))
        elif isinstance(value, list):
            rows.extend((facet, str(v)) for v in value if v)
        elif value:
            rows.append((facet, str(value)))
    return rows


def facet_token(facet: str, value: str) -> str:
    """The FTS token of a facet value: letters and digits only, whatever the value holds."""
    return f"{facet}x{value.encode().hex()}"


def _name_key(name: str) -> int:
    """The first 8 bytes of a folded name as a number: the same order as the strings, up to
    ties that the exact comparison then settles."""
    return int.from_bytes(name.encode()[:8].ljust(8, b"\0"), "big")


def _fts_has_facets(conn, p: str) -> bool:
    """Whether the FTS table has the facet-token column (indexes built since it exists)."""
    return any(r[1] == "facets" for r in conn.exec_driver_sql(f"PRAGMA table_info({p}fts)"))


def _read(conn, sql: str, params: tuple = ()):
    """A query on the driver's own cursor: plain tuples, none of SQLAlchemy's per-row work
    (the id lists of a broad query hold tens of thousands of rows)."""
    return conn.connection.driver_connection.execute(sql, params)


def _near_terms(conn, word: str) -> dict[str, int]:
    """Indexed words one deletion away from ``word`` either way (or equal), with how often
    they occur: the candidates for typo expansion and for "did you mean"."""
    keys = {word} | _deletes(word)
    marks = ",".join("?" * len(keys))
    return dict(
        _read(
            conn,
            f"SELECT v.term, v.n FROM {LIVE}vocab v WHERE v.term IN "
            f"(SELECT term FROM {LIVE}vocab_del WHERE del IN ({marks}) "
            f"UNION SELECT term FROM {LIVE}vocab WHERE term IN ({marks}))",
            (*keys, *keys),
        ).fetchall()
    )


def _chunks(values: list, size: int = CHUNK):
    for start in range(0, len(values), size):
        yield values[start : start + size]


class _Columns:
    """Every document's visibility, sort keys and facet values, as arrays indexed by rowid.

    Immutable once published: :meth:`updated_with` returns a new instance, so a query holds
    one consistent snapshot while another thread refreshes.
    """

    def __init__(self, epoch: int, gen: int) -> None:
        self.epoch = epoch
        self.gen = gen
        self.size = 0
        self.alive = np.zeros(0, dtype=bool)
        self.listed = np.zeros(0, dtype=bool)
        self.name_key = np.zeros(0, dtype=np.uint64)
        self.updated = np.zeros(0, dtype=np.float64)
        # facet -> (rows x slots) value ids, -1 where empty; value ids per facet.
        self.values: dict[str, np.ndarray] = {
            f: np.full((0, 1), -1, dtype=np.int32) for f in FACET_COLUMNS
        }
        self.ids: dict[str, dict[str, int]] = {f: {} for f in FACET_COLUMNS}
        self.names: dict[str, list[str]] = {f: [] for f in FACET_COLUMNS}
        self.fts_facets = True

    def updated_with(self, gen: int, rows: list, gone: list[int], epoch: int) -> _Columns:
        """A copy with ``gone`` rowids removed, then ``rows`` written (in that order)."""
        size = max([self.size, *(r[0] + 1 for r in rows)])
        new = _Columns.__new__(_Columns)
        new.epoch, new.gen, new.size = epoch, gen, size
        grow = size - self.size

        def copy(array: np.ndarray, fill) -> np.ndarray:
            if not grow:
                return array.copy()
            extra = np.full((grow, *array.shape[1:]), fill, dtype=array.dtype)
            return np.concatenate([array, extra])

        new.alive = copy(self.alive, False)
        new.listed = copy(self.listed, False)
        new.name_key = copy(self.name_key, 0)
        new.updated = copy(self.updated, 0.0)
        new.values = {f: copy(a, -1) for f, a in self.values.items()}
        new.ids = {f: dict(v) for f, v in self.ids.items()}
        new.names = {f: list(v) for f, v in self.names.items()}
        new.fts_facets = self.fts_facets
        if gone:
            new.alive[np.asarray(gone, dtype=np.int64)] = False
        if rows:
            new._write(rows)
        return new

    def _write(self, rows: list) -> None:
        rowids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        self.alive[rowids] = True
        self.listed[rowids] = np.fromiter((bool(r[1]) for r in rows), dtype=bool, count=len(rows))
        self.name_key[rowids] = np.fromiter(
            (_name_key(r[2] or "") for r in rows), dtype=np.uint64, count=len(rows)
        )
        self.updated[rowids] = np.fromiter((r[3] or 0.0 for r in rows), dtype=np.float64)
        # (slot, facet) -> rows and value ids, assigned column by column.
        per_facet: dict[str, list[list[int]]] = {f: [] for f in FACET_COLUMNS}
        for position, row in enumerate(rows):
            counts: dict[str, int] = {}
            for item in row[4].split(FACET_SEP) if row[4] else ():
                facet, _sep, value = item.partition(VALUE_SEP)
                ids = self.ids.get(facet)
                if ids is None:
                    continue
                vid = ids.get(value)
                if vid is None:
                    vid = ids[value] = len(self.names[facet])
                    self.names[facet].append(value)
                slot = counts.get(facet, 0)
                counts[facet] = slot + 1
                per_facet[facet].append([position, slot, vid])
        for facet, assigned in per_facet.items():
            array = self.values[facet]
            array[rowids] = -1
            if not assigned:
                continue
            triples = np.asarray(assigned, dtype=np.int64)
            slots = int(triples[:, 1].max()) + 1
            if slots > array.shape[1]:
                array = np.concatenate(
                    [array, np.full((array.shape[0], slots - array.shape[1]), -1, np.int32)],
                    axis=1,
                )
                self.values[facet] = array
            array[rowids[triples[:, 0]], triples[:, 1]] = triples[:, 2]

    def live(self, rowids: np.ndarray) -> np.ndarray:
        """``rowids`` (from FTS5) that this snapshot knows and that are alive."""
        rowids = rowids[rowids < self.size]
        return rowids[self.alive[rowids]]

    def mask(self, facet: str, wanted: list[str], rowids: np.ndarray) -> np.ndarray:
        """Which of ``rowids`` have one of the ``wanted`` values of ``facet``."""
        ids = [self.ids[facet][v] for v in wanted if v in self.ids[facet]]
        if not ids or not len(rowids):
            return np.zeros(len(rowids), dtype=bool)
        return np.isin(self.values[facet][rowids], ids).any(axis=1)

    def counts(self, facet: str, rowids: np.ndarray) -> dict[str, int]:
        """Value -> number of ``rowids`` having it."""
        if not len(rowids) or not self.names[facet]:
            return {}
        found = self.values[facet][rowids].ravel()
        tally = np.bincount(found[found >= 0], minlength=len(self.names[facet]))
        names = self.names[facet]
        return {names[i]: int(tally[i]) for i in np.flatnonzero(tally)}


class SqliteBackend:
    """SQLite FTS5 behind the :class:`search_index.base.SearchBackend` interface."""

    name = "sqlite"

    def __init__(self, engine, synonyms_loader=None):
        self.engine = engine
        self._synonyms_loader = synonyms_loader or (lambda: {})
        self._configured = False
        self._columns: _Columns | None = None
        self._lock = threading.Lock()

    # --- schema -------------------------------------------------------------------------

    def configure(self) -> None:
        with self.engine.begin() as conn:
            for stmt in _ddl(LIVE, "live"):
                conn.exec_driver_sql(stmt)
            columns = {r[1] for r in conn.exec_driver_sql(f"PRAGMA table_info({LIVE}docs)")}
            # Indexes built by earlier versions: add what they lack; a reindex completes them.
            if "facets" not in columns:
                conn.exec_driver_sql(
                    f"ALTER TABLE {LIVE}docs ADD COLUMN facets TEXT NOT NULL DEFAULT ''"
                )
            if "gen" not in columns:
                conn.exec_driver_sql(
                    f"ALTER TABLE {LIVE}docs ADD COLUMN gen INTEGER NOT NULL DEFAULT 0"
                )
            for stmt in _indexes(LIVE, "live"):
                conn.exec_driver_sql(stmt)
            conn.exec_driver_sql(
                f"CREATE TABLE IF NOT EXISTS {META} (k TEXT PRIMARY KEY, v INTEGER NOT NULL)"
            )
            conn.exec_driver_sql(
                f"INSERT INTO {META} (k, v) VALUES ('epoch', ?) ON CONFLICT(k) DO NOTHING",
                (secrets.randbits(48),),
            )
        self._configured = True

    def _ensure(self) -> None:
        if not self._configured:
            self.configure()

    def reset(self) -> None:
        self._ensure()
        with self.engine.begin() as conn:
            for table in _TABLES:
                conn.exec_driver_sql(f"DELETE FROM {LIVE}{table}")
            self._new_epoch(conn)

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

    # --- writing ------------------------------------------------------------------------

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
        if not upserts and not deletes:
            return
        gen = self._bump(conn)
        # The previous version of every upserted document goes too.
        self._remove(conn, LIVE, [*deletes, *(d["id"] for d in upserts)], gen)
        if upserts:
            self._write(conn, LIVE, list(upserts), gen)
        if gen % GONE_KEEP == 0:
            # The log of removals stays short: a process whose column store is older than
            # what is kept reloads it whole (see _snapshot).
            conn.exec_driver_sql(f"DELETE FROM {LIVE}gone WHERE gen <= ?", (gen - GONE_KEEP,))
            conn.exec_driver_sql(
                f"INSERT INTO {META} (k, v) VALUES ('gone_floor', ?) ON CONFLICT(k) DO UPDATE "
                f"SET v = excluded.v",
                (gen - GONE_KEEP,),
            )

    def delete(self, ids: Iterable[str]) -> None:
        self._ensure()
        ids = list(ids)
        if not ids:
            return
        with self.engine.begin() as conn:
            self.apply(conn, [], ids)

    @staticmethod
    def _bump(conn) -> int:
        conn.exec_driver_sql(
            f"INSERT INTO {META} (k, v) VALUES ('generation', 1) "
            f"ON CONFLICT(k) DO UPDATE SET v = v + 1"
        )
        return conn.exec_driver_sql(f"SELECT v FROM {META} WHERE k = 'generation'").scalar()

    def _new_epoch(self, conn) -> None:
        """The index was replaced as a whole: every process reloads its column store."""
        conn.exec_driver_sql(
            f"INSERT INTO {META} (k, v) VALUES ('epoch', ?) ON CONFLICT(k) DO UPDATE "
            f"SET v = excluded.v",
            (secrets.randbits(48),),
        )
        self._bump(conn)

    def _remove(self, conn, p: str, doc_ids: list[str], gen: int) -> None:
        for chunk in _chunks(doc_ids):
            marks = ",".join("?" * len(chunk))
            rowids = [
                r[0]
                for r in conn.exec_driver_sql(
                    f"SELECT rowid FROM {p}docs WHERE doc_id IN ({marks})", tuple(chunk)
                )
            ]
            if not rowids:
                continue
            rmarks = ",".join("?" * len(rowids))
            conn.exec_driver_sql(f"DELETE FROM {p}fts WHERE rowid IN ({rmarks})", tuple(rowids))
            conn.exec_driver_sql(f"DELETE FROM {p}show WHERE rowid IN ({rmarks})", tuple(rowids))
            conn.exec_driver_sql(f"DELETE FROM {p}docs WHERE rowid IN ({rmarks})", tuple(rowids))
            conn.exec_driver_sql(
                f"INSERT INTO {p}gone (gen, doc) VALUES (?, ?)", [(gen, r) for r in rowids]
            )

    def _write(self, conn, p: str, docs: list[dict], gen: int) -> None:
        doc_rows, show_rows, fts_rows, words = [], [], [], {}
        next_id = conn.exec_driver_sql(f"SELECT COALESCE(MAX(rowid), 0) FROM {p}docs").scalar()
        gone_max = conn.exec_driver_sql(f"SELECT COALESCE(MAX(doc), 0) FROM {p}gone").scalar()
        # Rowids are never reused, so a rowid names one version of one document.
        next_id = max(next_id, gone_max)
        for doc in docs:
            next_id += 1
            show = {str(lvl): doc.get(f"show_{lvl}", {}) for lvl in LEVELS}
            facets = _facet_values(doc)
            doc_rows.append(
                (
                    next_id,
                    doc["id"],
                    doc["type"],
                    doc["entity_id"],
                    1 if doc.get("listed") else 0,
                    doc.get("owner") or "",
                    doc.get("name_sort") or "",
                    float(doc.get("updated_at") or 0),
                    FACET_SEP.join(f"{f}{VALUE_SEP}{v}" for f, v in facets),
                    gen,
                )
            )
            show_rows.append((next_id, json.dumps(show, ensure_ascii=False, separators=(",", ":"))))
            texts = [doc.get(col, "") for col in SEARCHABLE]
            tokens = " ".join(facet_token(f, v) for f, v in facets)
            fts_rows.append((next_id, *texts, tokens))
            for text in texts:
                for w in text.split():
                    if len(w) >= MIN_VOCAB and not any(c.isdigit() for c in w):
                        words[w] = words.get(w, 0) + 1
        conn.exec_driver_sql(
            f"INSERT INTO {p}docs (rowid, doc_id, type, entity_id, listed, owner, name_sort, "
            f"updated_at, facets, gen) VALUES (?,?,?,?,?,?,?,?,?,?)",
            doc_rows,
        )
        conn.exec_driver_sql(f"INSERT INTO {p}show (rowid, show) VALUES (?, ?)", show_rows)
        if not _fts_has_facets(conn, p):  # an index of an earlier version
            fts_rows = [row[:-1] for row in fts_rows]
            names = SEARCHABLE
        else:
            names = FTS_COLUMNS
        marks = ",".join("?" * (len(names) + 1))
        conn.exec_driver_sql(
            f"INSERT INTO {p}fts (rowid, {', '.join(names)}) VALUES ({marks})", fts_rows
        )
        self._add_vocabulary(conn, p, words)

    def _add_vocabulary(self, conn, p: str, words: dict[str, int]) -> None:
        terms = list(words)
        if not terms:
            return
        known: set[str] = set()
        for chunk in _chunks(terms):
            marks = ",".join("?" * len(chunk))
            known.update(
                r[0]
                for r in conn.exec_driver_sql(
                    f"SELECT term FROM {p}vocab WHERE term IN ({marks})", tuple(chunk)
                )
            )
        new = [t for t in terms if t not in known]
        conn.exec_driver_sql(
            f"INSERT INTO {p}vocab (term, n) VALUES (?, ?) "
            f"ON CONFLICT(term) DO UPDATE SET n = n + excluded.n",
            [(t, words[t]) for t in terms],
        )
        dels = [(d, t) for t in new if len(t) >= 4 for d in _deletes(t)]
        if dels:
            conn.exec_driver_sql(
                f"INSERT OR IGNORE INTO {p}vocab_del (del, term) VALUES (?, ?)", dels
            )

    def rebuild(self, batches: Iterable[list[dict]]) -> None:
        self._ensure()
        tag = secrets.token_hex(3)
        with self.engine.begin() as conn:
            for table in _TABLES:
                conn.exec_driver_sql(f"DROP TABLE IF EXISTS {NEW}{table}")
            for stmt in [*_ddl(NEW, tag), *_indexes(NEW, tag)]:
                conn.exec_driver_sql(stmt)
        for batch in batches:
            with self.engine.begin() as conn:
                self._write(conn, NEW, batch, 0)
        with self.engine.begin() as conn:
            for table in _TABLES:
                conn.exec_driver_sql(f"DROP TABLE IF EXISTS {OLD}{table}")
                conn.exec_driver_sql(f"ALTER TABLE {LIVE}{table} RENAME TO {OLD}{table}")
                conn.exec_driver_sql(f"ALTER TABLE {NEW}{table} RENAME TO {LIVE}{table}")
            for table in _TABLES:
                conn.exec_driver_sql(f"DROP TABLE {OLD}{table}")
            for table in _RETIRED:
                conn.exec_driver_sql(f"DROP TABLE IF EXISTS {LIVE}{table}")
            self._new_epoch(conn)

    # --- the column store ---------------------------------------------------------------

    def _snapshot(self, conn) -> _Columns:
        """The column store, brought up to the index's current generation."""
        meta = dict(_read(conn, f"SELECT k, v FROM {META}").fetchall())
        epoch, gen = meta.get("epoch", 0), meta.get("generation", 0)
        floor = meta.get("gone_floor", 0)
        current = self._columns
        if current is not None and current.epoch == epoch and current.gen == gen:
            return current
        with self._lock:
            current = self._columns
            if current is not None and current.epoch == epoch and current.gen == gen:
                return current
            select = f"SELECT rowid, listed, name_sort, updated_at, facets FROM {LIVE}docs"
            if current is None or current.epoch != epoch or current.gen < floor:
                rows = _read(conn, select).fetchall()
                fresh = _Columns(epoch, gen).updated_with(gen, rows, [], epoch)
                fresh.fts_facets = _fts_has_facets(conn, LIVE)
            else:
                # Rows read here may be newer than ``gen``: applying them again later is
                # harmless (removals first, then the rows present now).
                gone = [
                    r[0]
                    for r in _read(
                        conn, f"SELECT doc FROM {LIVE}gone WHERE gen > ?", (current.gen,)
                    )
                ]
                rows = _read(conn, f"{select} WHERE gen > ?", (current.gen,)).fetchall()
                fresh = current.updated_with(gen, rows, gone, epoch)
            self._columns = fresh
            return fresh

    # --- reading ------------------------------------------------------------------------

    def _expansions(self, conn, word: str) -> list[str]:
        """Indexed words within ``word``'s typo budget (first letter kept)."""
        budget = typo_budget(word)
        if not budget:
            return []
        found = set(_near_terms(conn, word))
        if budget >= 2 and len(word) >= TWO_TYPOS_MIN:
            low = word[:2]
            high = low[:-1] + chr(ord(low[-1]) + 1)
            found.update(
                r[0]
                for r in _read(
                    conn,
                    f"SELECT term FROM {LIVE}vocab WHERE term >= ? AND term < ? "
                    f"AND length(term) BETWEEN ? AND ?",
                    (low, high, len(word) - 2, len(word) + 2),
                )
            )
        close = [
            (distance(t, word, budget), t)
            for t in found
            if t != word and t[:1] == word[:1] and distance(t, word, budget) <= budget
        ]
        return [t for _d, t in sorted(close)[:MAX_EXPANSIONS]]

    def _match_expression(self, conn, groups: list[Group], columns: list[str], typos: bool) -> str:
        parts = []
        for group in groups:
            alts = []
            for alt in group.alternatives:
                phrase = _quote(" ".join(alt))
                alts.append(phrase + (" *" if group.prefix else ""))
                if typos and len(alt) == 1:
                    alts.extend(_quote(t) for t in self._expansions(conn, alt[0]))
            parts.append("(" + " OR ".join(dict.fromkeys(alts)) + ")")
        return "{" + " ".join(columns) + "} : (" + " AND ".join(parts) + ")"

    def _filter_expression(self, query: SearchQuery) -> str:
        """The query's filters as facet tokens (ANDed across facets, ORed within one)."""
        parts = []
        for facet, values in sorted(query.filters.items()):
            if values and facet in FACET_COLUMNS:
                tokens = " OR ".join(_quote(facet_token(facet, v)) for v in values)
                parts.append(f"({{facets}} : ({tokens}))")
        return " AND ".join(parts)

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

    @staticmethod
    def _ids(conn, sql: str, params: tuple) -> np.ndarray:
        rows = _read(conn, sql, params).fetchall()
        return np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))

    def _matches(self, conn, expr: str) -> np.ndarray:
        """Rowids matching ``expr`` (ascending), unranked."""
        return self._ids(conn, f"SELECT rowid FROM {LIVE}fts WHERE {LIVE}fts MATCH ?", (expr,))

    def _scored(self, conn, expr: str, columns: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Rowids matching ``expr`` and their bm25 (lower ranks first)."""
        weights = [WEIGHTS[col.rsplit("_", 1)[0]] if col in columns else 0.0 for col in SEARCHABLE]
        weights.append(0.0)  # facet tokens (a weight too many is ignored by older indexes)
        bm25 = f"bm25({LIVE}fts, {', '.join(str(w) for w in weights)})"
        rows = _read(
            conn, f"SELECT rowid, {bm25} FROM {LIVE}fts WHERE {LIVE}fts MATCH ?", (expr,)
        ).fetchall()
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        scores = np.fromiter((r[1] for r in rows), dtype=np.float64, count=len(rows))
        return ids, scores

    def _excluded(self, conn, query: SearchQuery) -> np.ndarray:
        """The rowids of the documents ``query.exclude`` leaves out (those indexed)."""
        found: list[int] = []
        for chunk in _chunks(query.excluded_doc_ids):
            marks = ",".join("?" * len(chunk))
            found.extend(
                r[0]
                for r in _read(
                    conn, f"SELECT rowid FROM {LIVE}docs WHERE doc_id IN ({marks})", tuple(chunk)
                )
            )
        return np.asarray(found, dtype=np.int64)

    def _visible(self, conn, cols: _Columns, query: SearchQuery, rowids: np.ndarray):
        rowids = cols.live(rowids)
        if query.exclude:
            rowids = rowids[~np.isin(rowids, self._excluded(conn, query))]
        if not query.audience.listed_only:
            return rowids
        keep = cols.listed[rowids]
        if query.audience.own_person_id:
            own = self._ids(
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
        marked = analyze(query.text, self._synonyms_loader()) if query.text else []
        groups = typed_groups(marked)
        columns = [f"{g}_{lvl}" for g in TEXT_GROUPS for lvl in query.audience.text_levels]
        fuzzy = exact = None
        scored = None
        if groups:
            fuzzy = self._match_expression(conn, groups, columns, typos=True)
            exact = self._match_expression(conn, groups, columns, typos=False)
            ranked = query.sort == "relevance"
            if ranked and fuzzy == exact and not query.filters:
                # One pass gives the matches and their ranks.
                scored = self._scored(conn, fuzzy, columns)
                matched = scored[0]
            else:
                matched = self._matches(conn, fuzzy)
        else:
            matched = np.flatnonzero(cols.alive).astype(np.int64)
        matched = self._visible(conn, cols, query, matched)

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

        page = self._page(conn, cols, query, result, groups, fuzzy, exact, columns, scored)
        loaded = {}
        if page:
            marks = ",".join("?" * len(page))
            loaded = {
                r[0]: r[1:]
                for r in _read(
                    conn,
                    f"SELECT d.rowid, d.doc_id, d.type, d.entity_id, s.show FROM {LIVE}docs d "
                    f"LEFT JOIN {LIVE}show s ON s.rowid = d.rowid WHERE d.rowid IN ({marks})",
                    tuple(page),
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
            for r in (loaded[rowid] for rowid in page if rowid in loaded)
        ]
        return SearchResponse(hits=hits, total=int(len(result)), facets=facets)

    # --- ranking ------------------------------------------------------------------------

    def _page(self, conn, cols, query, result, groups, fuzzy, exact, columns, scored):
        """The rowids of the requested page, in order.

        Only the documents that can reach the page are ordered exactly: a numeric key
        (rank, name prefix, update time) selects them, ties included, and the exact order
        (rank, then folded name, then document id) is settled on that small set.
        """
        want = query.offset + query.per_page
        if not len(result) or query.offset >= len(result):
            return []
        if query.sort == "updated":
            key = -cols.updated[result]
            return self._settle(conn, result, key, want, query, lambda r: (-r[2], r[3]))
        if query.sort == "name" or not groups:
            key = cols.name_key[result].astype(np.float64)
            return self._settle(conn, result, key, want, query, lambda r: (r[1], r[3]))

        # Relevance: typo-free matches first, then bm25.
        # An index of an earlier version has no facet tokens: rank the whole match then.
        filter_expr = self._filter_expression(query) if cols.fts_facets else ""

        def ranked(expr: str) -> tuple[np.ndarray, np.ndarray]:
            if scored is not None and expr == fuzzy:
                ids, scores = scored
            else:
                ids, scores = self._scored(
                    conn, f"{expr} AND {filter_expr}" if filter_expr else expr, columns
                )
            inside = np.isin(ids, result)
            return ids[inside], scores[inside]

        exact_ids, exact_scores = ranked(exact)
        if fuzzy != exact and len(exact_ids) < want:
            ids, scores = ranked(fuzzy)
            is_exact = np.isin(ids, exact_ids)
        else:
            ids, scores, is_exact = exact_ids, exact_scores, np.ones(len(exact_ids), bool)
        # Ranks are negative; a typo-free match sorts before every match with typos.
        key = np.where(is_exact, scores - 1e9, scores)
        tier = dict(zip(ids.tolist(), key.tolist(), strict=True))
        return self._settle(conn, ids, key, want, query, lambda r: (tier[r[0]], r[1], r[3]))

    def _settle(self, conn, rowids, key, want, query, order) -> list[int]:
        """The page of ``rowids``: those whose ``key`` reaches the page, ordered by ``order``
        over their (rowid, name_sort, updated_at, doc_id) rows."""
        if len(rowids) > want:
            kth = np.partition(key, want - 1)[want - 1]
            rowids = rowids[key <= kth]
        rows = []
        for chunk in _chunks(rowids.tolist()):
            marks = ",".join("?" * len(chunk))
            rows.extend(
                _read(
                    conn,
                    f"SELECT rowid, name_sort, updated_at, doc_id FROM {LIVE}docs "
                    f"WHERE rowid IN ({marks})",
                    tuple(chunk),
                ).fetchall()
            )
        rows.sort(key=order)
        return [r[0] for r in rows[query.offset : query.offset + query.per_page]]

    def suggestions(self, word: str) -> list[str]:
        self._ensure()
        if len(word) < MIN_VOCAB:
            return []
        with self.engine.connect() as conn:
            rows = list(_near_terms(conn, word).items())
        scored = sorted((distance(t, word, 2), -n, t) for t, n in rows if distance(t, word, 2) <= 2)
        return [t for _d, _n, t in scored[:5]]


def _highlights(show: dict, query: SearchQuery, groups: list[Group]) -> dict[str, str]:
    return highlights_for(show, query.audience.text_levels, groups)
