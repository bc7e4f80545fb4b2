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
Visibility, filters and facet counts are then computed in memory by :class:`_Columns`, a
column store of every document's listed flag, sort keys, quality and facet values (NumPy
arrays, one per process, brought up to date from ``gen`` and ``search_gone`` before each query:
a write costs the next query a few rows, not a reload). Finally the page is ranked by tiers,
as Meilisearch ranks (:meth:`SqliteBackend._page`): FTS5 lists the ids of each tier, best
first, on the filtered set (the filters are facet tokens in the MATCH), until the page is
full; equally relevant documents are ordered by quality, then recency.

The name column also holds the name's other orders (given name first, Western order), the tags
column the keys of the fields the profile holds and its title states, the place column those
of the hometown's provinces (see :mod:`directory.search.documents`): a query that is a taxonomy
term or a province name alone is matched and ranked through them.

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
    LEVELS,
    NAME_ORDERS,
    RANK_GROUPS,
    SEARCHABLE,
    TEXT_GROUPS,
    TWO_TYPOS_MIN,
    Hit,
    SearchQuery,
    SearchResponse,
    SearchUnavailable,
    key_tokens,
    name_orders,
    typo_budget,
)
from search_index.matching import (
    FIELD_PREFIX,
    KEY_PREFIXES,
    PROVINCE_PREFIX,
    TITLE_PREFIX,
    Group,
    analyze,
    distance,
    highlights_for,
    joined,
    province_query,
    taxonomy_query,
    term_key,
    typed_groups,
)
from search_index.normalize import fold_words

LIVE = "search_"
NEW = "search_new_"
OLD = "search_old_"
FACET_COLUMNS = ("kind", "field", "country", "province", "language", "verified", "representative")
FTS_COLUMNS = (*SEARCHABLE, "facets")
NAME_COLUMN = SEARCHABLE.index("name_0")
QUALITY_MAX = 15
# Relevance keys: tier << 38 | (QUALITY_MAX - quality) << 34 | (UPDATED_MAX - updated_at).
LAST_TIER = 1 << 12
UPDATED_MAX = (1 << 34) - 1
# The name tier, split (best first): the name equal to the query (in its own order or another);
# the query as a phrase of a name column, its last word whole, then as a prefix; every word in
# the name; the same with one typo; the rest (more typos). See _name_tier.
NAME_TIERS = (
    "equal",
    "phrase",
    "phrase_prefix",
    "all",
    "equal_typo",
    "phrase_typo",
    "all_typo",
    "fuzzy",
)
# Names read and compared in Python up to this many documents (more: two id lists).
NAME_SCAN_LIMIT = 500
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
        f"facets TEXT NOT NULL DEFAULT '', gen INTEGER NOT NULL DEFAULT 0, "
        f"quality INTEGER NOT NULL DEFAULT 0)",
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


def _word_cost(token: str, word: str, prefix: bool, typos: set[str]) -> int | None:
    """0 when ``token`` is ``word`` (or starts with it, for a prefix), 1 when it is one of
    the word's typo expansions, else None."""
    if token == word or (prefix and token.startswith(word)):
        return 0
    return 1 if token in typos else None


def _phrase_cost(columns: list[list[str]], words, prefix: bool, typos) -> tuple[int, bool] | None:
    """The fewest typos with which ``words`` occur side by side in one of ``columns``, and
    whether the last word needed to be a prefix; None when they never do."""
    best = None
    n = len(words)
    for tokens in columns:
        for start in range(len(tokens) - n + 1):
            cost, extended = 0, False
            for k in range(n):
                token, word = tokens[start + k], words[k]
                step = _word_cost(token, word, prefix and k == n - 1, typos[k])
                if step is None:
                    break
                cost += step
                extended = extended or (step == 0 and token != word)
            else:
                if best is None or (cost, extended) < best:
                    best = (cost, extended)
    return best


def _equal_cost(form: list[str], words, typos) -> int | None:
    """The typos with which ``form`` (a name's words) equals the query's ``words``."""
    if len(form) != len(words):
        return None
    total = 0
    for token, word, allowed in zip(form, words, typos, strict=True):
        step = _word_cost(token, word, False, allowed)
        if step is None:
            return None
        total += step
    return total


def _name_tier(name: str, columns: list[list[str]], groups, words, typos) -> str:
    """The :data:`NAME_TIERS` tier of a name (``name``: the folded full name; ``columns``:
    the name columns' words) for the query ``groups`` (``words`` flattened, ``typos`` per
    word)."""
    full = " ".join(fold_words(name))
    forms = [f.split() for f in (full, *name_orders(full).values()) if f]
    equal = [c for f in forms if (c := _equal_cost(f, words, typos)) is not None]
    if equal and min(equal) == 0:
        return "equal"
    phrase = _phrase_cost(columns, words, groups[-1].prefix, typos)
    if phrase is not None and phrase[0] == 0:
        return "phrase_prefix" if phrase[1] else "phrase"
    cost = 0
    position = 0
    for g in groups:
        n = len(g.words)
        if n == 1:
            steps = [
                _word_cost(t, g.words[0], g.prefix, typos[position])
                for tokens in columns
                for t in tokens
            ]
            steps = [c for c in steps if c is not None]
            cost += min(steps) if steps else 2
        else:
            cost += 0 if _phrase_cost(columns, g.words, False, [set()] * n) else 2
        position += n
    if cost == 0:
        return "all"
    if equal and min(equal) == 1:
        return "equal_typo"
    if phrase is not None and phrase[0] == 1:
        return "phrase_typo"
    return "all_typo" if cost == 1 else "fuzzy"


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
        self.quality = np.zeros(0, dtype=np.int8)
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
        new.quality = copy(self.quality, 0)
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
        self.quality[rowids] = np.fromiter(
            (min(max(r[5] or 0, 0), QUALITY_MAX) for r in rows), dtype=np.int8, count=len(rows)
        )
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
            if "quality" not in columns:
                conn.exec_driver_sql(
                    f"ALTER TABLE {LIVE}docs ADD COLUMN quality INTEGER NOT NULL DEFAULT 0"
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
                    int(doc.get("quality") or 0),
                )
            )
            show_rows.append((next_id, json.dumps(show, ensure_ascii=False, separators=(",", ":"))))
            texts = [doc.get(col, "") for col in SEARCHABLE]
            # The name's other orders ("dung nguyen van", "van dung nguyen") follow it, so
            # that a name typed in Western order is a phrase of the name column.
            orders = " ".join(doc[k] for k in NAME_ORDERS if doc.get(k))
            if orders:
                texts[NAME_COLUMN] = f"{texts[NAME_COLUMN]} {orders}".strip()
            # The keys of the fields and of the hometown, for a query that is a taxonomy term
            # or a province name alone (see _tiers).
            for lvl in LEVELS:
                keys = key_tokens(doc.get(f"key_{lvl}"))
                for group, prefixes in (
                    ("tags", (FIELD_PREFIX, TITLE_PREFIX)),
                    ("place", (PROVINCE_PREFIX,)),
                ):
                    found = [k for k in keys if k.startswith(prefixes)]
                    if found:
                        column = SEARCHABLE.index(f"{group}_{lvl}")
                        texts[column] = " ".join([texts[column], *found]).strip()
            tokens = " ".join(facet_token(f, v) for f, v in facets)
            fts_rows.append((next_id, *texts, tokens))
            for text in texts:
                for w in text.split():
                    if (
                        len(w) >= MIN_VOCAB
                        and not any(c.isdigit() for c in w)
                        and not w.startswith(KEY_PREFIXES)
                    ):
                        words[w] = words.get(w, 0) + 1
        conn.exec_driver_sql(
            f"INSERT INTO {p}docs (rowid, doc_id, type, entity_id, listed, owner, name_sort, "
            f"updated_at, facets, gen, quality) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
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
            select = f"SELECT rowid, listed, name_sort, updated_at, facets, quality FROM {LIVE}docs"
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

    def _match_expression(
        self, conn, groups: list[Group], columns: list[str], typos: bool, cache=None
    ) -> str:
        """Every group in ``columns`` (each in any of them); ``cache``: word -> expansions,
        shared by the expressions of one search."""
        cache = {} if cache is None else cache
        parts = []
        for group in groups:
            terms: list[str] = []
            if typos and len(group.words) == 1:
                if group.words[0] not in cache:
                    cache[group.words[0]] = self._expansions(conn, group.words[0])
                terms = cache[group.words[0]]
            parts.append(self._group_expression(group, terms))
        return "{" + " ".join(columns) + "} : (" + " AND ".join(parts) + ")"

    @staticmethod
    def _group_expression(group: Group, terms: list[str]) -> str:
        """A group's alternatives (its last word a prefix if it is one), or ``terms``."""
        alts = [
            _quote(" ".join(alt)) + (" *" if group.prefix else "") for alt in group.alternatives
        ]
        alts += [_quote(t) for t in terms]
        return "(" + " OR ".join(dict.fromkeys(alts)) + ")"

    def _tiers(self, conn, groups, columns, cache, synonyms) -> list[tuple]:
        """The query's tiers, best first: (kind, MATCH expression). A document ranks in the
        first tier it matches (see :meth:`_page`); the ``name`` tier (every word in the name,
        typos allowed) is split further by :meth:`_name_tiers`."""
        by_group = {g: [c for c in columns if c.rsplit("_", 1)[0] == g] for g in TEXT_GROUPS}
        tiers: list[tuple] = []
        if taxonomy_query(groups):
            # "bán dẫn": the people whose title states the field, then those who hold it.
            tags = "{" + " ".join(by_group["tags"]) + "} : "
            for prefix in (TITLE_PREFIX, FIELD_PREFIX):
                tiers.append(("plain", tags + _quote(term_key(groups[0], synonyms, prefix))))
            return tiers
        if province_query(groups):
            # "Quảng Nam": the people of that hometown before the names "… Quang Nam".
            home = _quote(joined(groups[0].words, PROVINCE_PREFIX))
            tiers.append(("plain", "{" + " ".join(by_group["place"]) + "} : " + home))
        tiers.append(("name", self._match_expression(conn, groups, by_group["name"], True, cache)))
        for g in RANK_GROUPS:
            if g != "name":
                for typos in (False, True):
                    expr = self._match_expression(conn, groups, by_group[g], typos, cache)
                    tiers.append(("plain", expr))
        tiers.append(("plain", self._match_expression(conn, groups, columns, False, cache)))
        seen: set[str] = set()
        return [t for t in tiers if not (t[1] in seen or seen.add(t[1]))]

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
        synonyms = self._synonyms_loader() if query.text else {}
        marked = analyze(query.text, synonyms) if query.text else []
        groups = typed_groups(marked)
        columns = [f"{g}_{lvl}" for g in TEXT_GROUPS for lvl in query.audience.text_levels]
        expansions: dict[str, list[str]] = {}
        if groups and taxonomy_query(groups):
            # A taxonomy term alone: the profiles that hold its field (see documents.py).
            tags = [c for c in columns if c.startswith("tags_")]
            key = _quote(term_key(groups[0], synonyms))
            matched = self._matches(conn, "{" + " ".join(tags) + "} : " + key)
        elif groups:
            fuzzy = self._match_expression(conn, groups, columns, True, expansions)
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

        page = self._page(conn, cols, query, result, groups, columns, expansions, synonyms)
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

    def _page(self, conn, cols, query, result, groups, columns, expansions, synonyms):
        """The rowids of the requested page, in order.

        Only the documents that can reach the page are ordered exactly: a numeric key
        selects them, ties included, and the exact order (key, then folded name, then
        document id) is settled on that small set.

        Relevance follows Meilisearch's ranking rules (see :mod:`search_index.meilisearch`):
        a document ranks in the first of the query's tiers it matches (:meth:`_tiers`): the
        hometown, for a query that is a province name, or a title that states the field, for
        a query that is a taxonomy term; then the name (split by :meth:`_name_tiers`: equal
        to the query, the query as a phrase of it, all its words, then the same with typos);
        then every word in the places, the tags, the text, without typos then with; then
        scattered over the profile. Within a tier: quality (verified and complete
        profiles first), then the most recently updated. Tiers are asked for one after the
        other until they fill the page, so a broad query costs a few id lists, not a score
        per match.
        """
        want = query.offset + query.per_page
        if not len(result) or query.offset >= len(result):
            return []
        if query.sort == "updated":
            key = -cols.updated[result]
            return self._settle(conn, result, key, want, query, lambda r, k: (-r[2], r[3]))
        if query.sort == "name" or not groups:
            key = cols.name_key[result].astype(np.float64)
            return self._settle(conn, result, key, want, query, lambda r, k: (r[1], r[3]))

        if len(result) > 1 and not bool(np.all(result[1:] > result[:-1])):
            result = np.sort(result)
        # An index of an earlier version has no facet tokens: tiers are then intersected
        # with the filtered result only.
        filter_expr = self._filter_expression(query) if cols.fts_facets else ""

        def matches(expr: str) -> np.ndarray:
            return self._matches(conn, f"{expr} AND {filter_expr}" if filter_expr else expr)

        names = [c for c in columns if c.startswith("name_")]
        tier = np.full(len(result), LAST_TIER, dtype=np.int64)
        placed = 0
        tiers = self._tiers(conn, groups, columns, expansions, synonyms)
        for number, (kind, expr) in enumerate(tiers):
            if placed >= min(want, len(result)):
                break
            ids = matches(expr)
            at = np.searchsorted(result, ids)
            inside = at < len(result)
            at = at[inside][result[at[inside]] == ids[inside]]
            at = at[tier[at] == LAST_TIER]
            sub = 0
            if kind == "name" and len(at):
                sub = self._name_tiers(conn, result[at], groups, names, expansions, matches)
            tier[at] = number * len(NAME_TIERS) + sub
            placed += len(at)
        quality = QUALITY_MAX - cols.quality[result].astype(np.int64)
        updated = np.clip(cols.updated[result], 0, UPDATED_MAX).astype(np.int64)
        key = (tier << 38) | (quality << 34) | (UPDATED_MAX - updated)
        return self._settle(
            conn, result, key, want, query, lambda r, k: (k, r[1], r[3]), cols.name_key
        )

    def _name_tiers(self, conn, rowids, groups, names, expansions, matches) -> np.ndarray:
        """The name tier (:data:`NAME_TIERS`) of each of ``rowids``, documents that hold
        every word of the query in their name columns ``names``, typos allowed.

        Names are short: up to :data:`NAME_SCAN_LIMIT` of them are read and compared word by
        word (:func:`_name_tier`), with the typo expansions the match used. More, for a very
        common name ("nguyen van"), are split by id lists (every word without typos, the
        phrase with its last word as a prefix, then whole), and only the narrowest of these
        sets is read. A single word needs nothing more than the id lists: the word whole, as
        a prefix, with a typo.
        """
        words = [w for g in groups for w in g.words]
        if len(words) > 1 and len(rowids) <= NAME_SCAN_LIMIT:
            return self._read_name_tiers(conn, rowids, groups, names, expansions)
        sub = np.full(len(rowids), NAME_TIERS.index("fuzzy"), dtype=np.int64)
        columns = "{" + " ".join(names) + "} : "
        phrase = _quote(" ".join(words))
        steps = []
        if len(words) > 1:
            steps.append(("all", self._match_expression(conn, groups, names, False)))
        if groups[-1].prefix:
            steps.append(("phrase_prefix", f"{columns}({phrase} *)"))
        steps.append(("phrase", f"{columns}({phrase})"))
        for name, expr in steps:
            sub[np.isin(rowids, matches(expr))] = NAME_TIERS.index(name)
        narrow = np.flatnonzero(sub == NAME_TIERS.index("phrase"))
        if len(words) > 1 and 0 < len(narrow) <= NAME_SCAN_LIMIT:
            sub[narrow] = self._read_name_tiers(conn, rowids[narrow], groups, names, expansions)
        return sub

    def _read_name_tiers(self, conn, rowids, groups, names, expansions) -> np.ndarray:
        """:meth:`_name_tiers` for a few documents: their names read and compared."""
        words = [w for g in groups for w in g.words]
        # Per word of the query: the indexed words one typo away (none within a phrase).
        typos: list[set[str]] = []
        for g in groups:
            single = len(g.words) == 1
            typos.extend([set(expansions.get(g.words[0], ())) if single else set()] * len(g.words))
        texts: dict[int, tuple] = {}
        picked = ", ".join(f"f.{n}" for n in names)
        for chunk in _chunks(rowids.tolist()):
            marks = ",".join("?" * len(chunk))
            texts.update(
                (r[0], r[1:])
                for r in _read(
                    conn,
                    f"SELECT d.rowid, d.name_sort, {picked} FROM {LIVE}docs d "
                    f"JOIN {LIVE}fts f ON f.rowid = d.rowid WHERE d.rowid IN ({marks})",
                    chunk,
                ).fetchall()
            )
        sub = np.full(len(rowids), NAME_TIERS.index("fuzzy"), dtype=np.int64)
        for i, rowid in enumerate(rowids.tolist()):
            if rowid in texts:
                name_sort, *columns = texts[rowid]
                tokens = [c.split() for c in columns if c]
                sub[i] = NAME_TIERS.index(_name_tier(name_sort, tokens, groups, words, typos))
        return sub

    def _settle(self, conn, rowids, key, want, query, order, name_key=None) -> list[int]:
        """The page of ``rowids``: those whose ``key`` reaches the page, ordered by
        ``order(row, key)`` over their (rowid, name_sort, updated_at, doc_id) rows. With
        ``name_key`` (the column store's name prefixes), many ties at the page's edge are cut
        by name first."""
        if len(rowids) > want:
            kth = np.partition(key, want - 1)[want - 1]
            keep = key <= kth
            if name_key is not None and keep.sum() > 4 * want:
                tie = key == kth
                room = want - int((key < kth).sum())
                names = name_key[rowids[tie]]
                edge = np.partition(names, room - 1)[room - 1]
                keep = key < kth
                keep[np.flatnonzero(tie)[names <= edge]] = True
            rowids, key = rowids[keep], key[keep]
        keys = dict(zip(rowids.tolist(), key.tolist(), strict=True))
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
        rows.sort(key=lambda r: order(r, keys[r[0]]))
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
