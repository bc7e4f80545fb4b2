"""The embedded engine's tables (see :mod:`search_index.sqlite_fts`) and the small helpers
every part of the engine uses to read them."""

from __future__ import annotations

import secrets

from search_index.base import FACETS, SEARCHABLE

LIVE = "search_"
NEW = "search_new_"
OLD = "search_old_"
META = "search_meta"
FACET_COLUMNS = FACETS
FTS_COLUMNS = (*SEARCHABLE, "facets")
NAME_COLUMN = SEARCHABLE.index("name_0")
MIN_VOCAB = 3
FACET_SEP = "\x1f"
VALUE_SEP = "\x1e"
# SQLite's limit on bound parameters is far above this; chunks keep statements small.
CHUNK = 500
# Per connection: the index is read through SQLite's page cache and a memory map.
PRAGMAS = (
    "PRAGMA cache_size = -65536",
    "PRAGMA mmap_size = 268435456",
    "PRAGMA temp_store = MEMORY",
)
TABLES = ("docs", "show", "gone", "fts", "vocab", "vocab_del")
# Tables of earlier versions of the index, dropped by the next rebuild.
RETIRED = ("facets",)


def ddl(p: str, tag: str) -> list[str]:
    cols = ", ".join(FTS_COLUMNS)
    return [
        f"CREATE TABLE IF NOT EXISTS {p}docs (rowid INTEGER PRIMARY KEY, doc_id TEXT NOT NULL "
        f"UNIQUE, type TEXT NOT NULL, entity_id TEXT NOT NULL, listed INTEGER NOT NULL, "
        f"owner TEXT NOT NULL, name_sort TEXT NOT NULL, updated_at REAL NOT NULL, "
        f"facets TEXT NOT NULL DEFAULT '', gen INTEGER NOT NULL DEFAULT 0, "
        f"quality INTEGER NOT NULL DEFAULT 0, created_at REAL NOT NULL DEFAULT 0)",
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


def indexes(p: str, tag: str) -> list[str]:
    return [
        f"CREATE INDEX IF NOT EXISTS ix_{p}docs_owner_{tag} ON {p}docs (owner)",
        f"CREATE INDEX IF NOT EXISTS ix_{p}docs_gen_{tag} ON {p}docs (gen)",
        f"CREATE INDEX IF NOT EXISTS ix_{p}gone_gen_{tag} ON {p}gone (gen)",
        f"CREATE INDEX IF NOT EXISTS ix_{p}gone_doc_{tag} ON {p}gone (doc)",
    ]


def create_live_tables(conn) -> None:
    """The live tables and the meta table, completing those an earlier version created."""
    for stmt in ddl(LIVE, "live"):
        conn.exec_driver_sql(stmt)
    columns = {r[1] for r in conn.exec_driver_sql(f"PRAGMA table_info({LIVE}docs)")}
    # Indexes built by earlier versions: add what they lack; a reindex completes them.
    if "facets" not in columns:
        conn.exec_driver_sql(f"ALTER TABLE {LIVE}docs ADD COLUMN facets TEXT NOT NULL DEFAULT ''")
    if "gen" not in columns:
        conn.exec_driver_sql(f"ALTER TABLE {LIVE}docs ADD COLUMN gen INTEGER NOT NULL DEFAULT 0")
    if "quality" not in columns:
        conn.exec_driver_sql(
            f"ALTER TABLE {LIVE}docs ADD COLUMN quality INTEGER NOT NULL DEFAULT 0"
        )
    if "created_at" not in columns:
        conn.exec_driver_sql(
            f"ALTER TABLE {LIVE}docs ADD COLUMN created_at REAL NOT NULL DEFAULT 0"
        )
    for stmt in indexes(LIVE, "live"):
        conn.exec_driver_sql(stmt)
    conn.exec_driver_sql(
        f"CREATE TABLE IF NOT EXISTS {META} (k TEXT PRIMARY KEY, v INTEGER NOT NULL)"
    )
    conn.exec_driver_sql(
        f"INSERT INTO {META} (k, v) VALUES ('epoch', ?) ON CONFLICT(k) DO NOTHING",
        (secrets.randbits(48),),
    )


def deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def quote(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def facet_token(facet: str, value: str) -> str:
    """The FTS token of a facet value: letters and digits only, whatever the value holds."""
    return f"{facet}x{value.encode().hex()}"


def fts_has_facets(conn, p: str) -> bool:
    """Whether the FTS table has the facet-token column (indexes built since it exists)."""
    return any(r[1] == "facets" for r in conn.exec_driver_sql(f"PRAGMA table_info({p}fts)"))


def read(conn, sql: str, params: tuple = ()):
    """A query on the driver's own cursor: plain tuples, none of SQLAlchemy's per-row work
    (the id lists of a broad query hold tens of thousands of rows)."""
    return conn.connection.driver_connection.execute(sql, params)


def chunks(values: list, size: int = CHUNK):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def near_terms(conn, word: str) -> dict[str, int]:
    """Indexed words one deletion away from ``word`` either way (or equal), with how often
    they occur: the candidates for typo expansion and for "did you mean"."""
    keys = {word} | deletions(word)
    marks = ",".join("?" * len(keys))
    return dict(
        read(
            conn,
            f"SELECT v.term, v.n FROM {LIVE}vocab v WHERE v.term IN "
            f"(SELECT term FROM {LIVE}vocab_del WHERE del IN ({marks}) "
            f"UNION SELECT term FROM {LIVE}vocab WHERE term IN ({marks}))",
            (*keys, *keys),
        ).fetchall()
    )
