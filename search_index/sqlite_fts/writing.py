"""Writing the embedded index: documents in, previous versions out, the vocabulary for typo
tolerance, the generation every write bumps, and the rebuild that swaps new tables in."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable

from search_index.base import LEVELS, NAME_ORDERS, SEARCHABLE, key_tokens
from search_index.matching import FIELD_PREFIX, KEY_PREFIXES, PROVINCE_PREFIX, TITLE_PREFIX
from search_index.sqlite_fts.schema import (
    FACET_COLUMNS,
    FACET_SEP,
    FTS_COLUMNS,
    LIVE,
    META,
    MIN_VOCAB,
    NAME_COLUMN,
    NEW,
    OLD,
    RETIRED,
    TABLES,
    VALUE_SEP,
    chunks,
    ddl,
    deletions,
    facet_token,
    fts_has_facets,
    indexes,
)

# Generations of removals kept in ``search_gone`` (older column stores reload whole).
GONE_KEEP = 500


def facet_values(doc: dict) -> list[tuple[str, str]]:
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


def apply(conn, upserts: list[dict], deletes: list[str]) -> None:
    """Write documents and deletions on ``conn`` (the caller's transaction)."""
    if not upserts and not deletes:
        return
    gen = bump(conn)
    # The previous version of every upserted document goes too.
    remove(conn, LIVE, [*deletes, *(d["id"] for d in upserts)], gen)
    if upserts:
        write(conn, LIVE, list(upserts), gen)
    if gen % GONE_KEEP == 0:
        # The log of removals stays short: a process whose column store is older than
        # what is kept reloads it whole (see columns.load).
        conn.exec_driver_sql(f"DELETE FROM {LIVE}gone WHERE gen <= ?", (gen - GONE_KEEP,))
        conn.exec_driver_sql(
            f"INSERT INTO {META} (k, v) VALUES ('gone_floor', ?) ON CONFLICT(k) DO UPDATE "
            f"SET v = excluded.v",
            (gen - GONE_KEEP,),
        )


def bump(conn) -> int:
    conn.exec_driver_sql(
        f"INSERT INTO {META} (k, v) VALUES ('generation', 1) ON CONFLICT(k) DO UPDATE SET v = v + 1"
    )
    return conn.exec_driver_sql(f"SELECT v FROM {META} WHERE k = 'generation'").scalar()


def new_epoch(conn) -> None:
    """The index was replaced as a whole: every process reloads its column store."""
    conn.exec_driver_sql(
        f"INSERT INTO {META} (k, v) VALUES ('epoch', ?) ON CONFLICT(k) DO UPDATE "
        f"SET v = excluded.v",
        (secrets.randbits(48),),
    )
    bump(conn)


def remove(conn, p: str, doc_ids: list[str], gen: int) -> None:
    for chunk in chunks(doc_ids):
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


def write(conn, p: str, docs: list[dict], gen: int) -> None:
    doc_rows, show_rows, fts_rows, words = [], [], [], {}
    next_id = conn.exec_driver_sql(f"SELECT COALESCE(MAX(rowid), 0) FROM {p}docs").scalar()
    gone_max = conn.exec_driver_sql(f"SELECT COALESCE(MAX(doc), 0) FROM {p}gone").scalar()
    # Rowids are never reused, so a rowid names one version of one document.
    next_id = max(next_id, gone_max)
    for doc in docs:
        next_id += 1
        show = {str(lvl): doc.get(f"show_{lvl}", {}) for lvl in LEVELS}
        facets = facet_values(doc)
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
                float(doc.get("created_at") or 0),
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
        # or a province name alone (see expressions.tiers).
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
        f"updated_at, facets, gen, quality, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        doc_rows,
    )
    conn.exec_driver_sql(f"INSERT INTO {p}show (rowid, show) VALUES (?, ?)", show_rows)
    if not fts_has_facets(conn, p):  # an index of an earlier version
        fts_rows = [row[:-1] for row in fts_rows]
        names = SEARCHABLE
    else:
        names = FTS_COLUMNS
    marks = ",".join("?" * (len(names) + 1))
    conn.exec_driver_sql(
        f"INSERT INTO {p}fts (rowid, {', '.join(names)}) VALUES ({marks})", fts_rows
    )
    add_vocabulary(conn, p, words)


def add_vocabulary(conn, p: str, words: dict[str, int]) -> None:
    terms = list(words)
    if not terms:
        return
    known: set[str] = set()
    for chunk in chunks(terms):
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
    dels = [(d, t) for t in new if len(t) >= 4 for d in deletions(t)]
    if dels:
        conn.exec_driver_sql(f"INSERT OR IGNORE INTO {p}vocab_del (del, term) VALUES (?, ?)", dels)


def rebuild(engine, batches: Iterable[list[dict]]) -> None:
    """Fill ``search_new_*`` tables, then rename them over the live ones in one short
    transaction (searches keep answering meanwhile)."""
    tag = secrets.token_hex(3)
    with engine.begin() as conn:
        for table in TABLES:
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {NEW}{table}")
        for stmt in [*ddl(NEW, tag), *indexes(NEW, tag)]:
            conn.exec_driver_sql(stmt)
    for batch in batches:
        with engine.begin() as conn:
            write(conn, NEW, batch, 0)
    with engine.begin() as conn:
        for table in TABLES:
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {OLD}{table}")
            conn.exec_driver_sql(f"ALTER TABLE {LIVE}{table} RENAME TO {OLD}{table}")
            conn.exec_driver_sql(f"ALTER TABLE {NEW}{table} RENAME TO {LIVE}{table}")
        for table in TABLES:
            conn.exec_driver_sql(f"DROP TABLE {OLD}{table}")
        for table in RETIRED:
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {LIVE}{table}")
        new_epoch(conn)
