"""The embedded engine's own machinery: the in-memory column store, its refresh from other
writers, exact ordering of pages, facet counts against a brute-force count, and indexes built by
an earlier version. (Search behaviour itself is specified once for both engines in
test_behaviour.py.)"""

from __future__ import annotations

import random

import pytest
import sqlalchemy as sa

from search_index.base import LEVELS, SEARCHABLE, Audience, SearchQuery
from search_index.normalize import fold
from search_index.sqlite_fts import FACET_COLUMNS, SqliteBackend
from search_index.sqlite_fts import names as fts_names
from search_index.sqlite_fts import writing as fts_writing

PUBLIC = Audience(level=0, listed_only=True)
OFFICIAL = Audience(level=1, listed_only=False)

COUNTRIES = ["FR", "DE", "US", "JP"]
PROVINCES = ["da-nang", "hue", "lao-cai", "ha-noi"]
FIELDS = ["semiconductors", "logistics", "medicine", "ai"]
LANGUAGES = ["vi", "fr", "en", "de"]
NAMES = ["Nguyễn Văn An", "Trần Thị Mai", "Đặng Minh Đức", "Lê Hoàng", "Nguyễn Văn Anh"]


def make_doc(i: int, name: str, *, text: str = "", listed: bool = True, **facets) -> dict:
    doc = {
        "id": f"person-{i:04d}",
        "type": "person",
        "entity_id": f"{i:04d}",
        "listed": listed,
        "owner": f"{i:04d}",
        "kind": facets.get("kind", ["expert"]),
        "field": facets.get("field", []),
        "country": facets.get("country", ""),
        "province": facets.get("province", ""),
        "language": facets.get("language", []),
        "verified": facets.get("verified", False),
        "representative": False,
        "name_sort": fold(name),
        "updated_at": float(facets.get("updated_at", 1_700_000_000 + i)),
    }
    doc.update({col: "" for col in SEARCHABLE})
    doc["name_0"] = fold(name)
    doc["text_0"] = fold(text)
    for lvl in LEVELS:
        doc[f"show_{lvl}"] = {"full_name": name} if lvl == 0 else {}
    return doc


@pytest.fixture
def engine(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'index.sqlite3'}")
    yield engine
    engine.dispose()


@pytest.fixture
def backend(engine):
    backend = SqliteBackend(engine)
    backend.configure()
    return backend


def query(text: str = "", audience: Audience = PUBLIC, **kw) -> SearchQuery:
    return SearchQuery(text=text, audience=audience, **kw)


def hit_ids(response) -> list[str]:
    return [h.doc_id for h in response.hits]


def random_docs(n: int, seed: int = 3) -> list[dict]:
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        docs.append(
            make_doc(
                i,
                rng.choice(NAMES),
                text=rng.choice(["chuyên gia bán dẫn", "kỹ sư phần mềm", "bác sĩ", "giáo viên"]),
                listed=rng.random() < 0.8,
                kind=rng.sample(["expert", "entrepreneur"], rng.randint(1, 2)),
                field=rng.sample(FIELDS, rng.randint(0, 2)),
                country=rng.choice(COUNTRIES),
                province=rng.choice(PROVINCES),
                language=rng.sample(LANGUAGES, rng.randint(1, 3)),
                verified=rng.random() < 0.4,
                updated_at=1_700_000_000 + rng.randint(0, 20),  # many equal times
            )
        )
    return docs


def _values(doc: dict, facet: str) -> list[str]:
    value = doc.get(facet)  # the businesses' facets are absent from these documents
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if isinstance(value, list):
        return [v for v in value if v]
    return [value] if value else []


def brute_force(docs, audience, filters, words=()):
    """Total and facet counts computed the slow way (a filtered facet counts without its own
    filter)."""

    def visible(doc):
        return doc["listed"] or not audience.listed_only

    def matches(doc):
        text = f"{doc['name_0']} {doc['text_0']}".split()
        return all(any(t.startswith(w) if k == len(words) - 1 else t == w for t in text)
                   for k, w in enumerate(words))  # fmt: skip

    def passes(doc, skip=None):
        return all(
            set(_values(doc, f)) & set(vals) for f, vals in filters.items() if f != skip and vals
        )

    base = [d for d in docs if visible(d) and matches(d)]
    result = [d for d in base if passes(d)]
    counts = {}
    for facet in FACET_COLUMNS:
        pool = [d for d in base if passes(d, skip=facet)] if filters.get(facet) else result
        tally: dict[str, int] = {}
        for d in pool:
            for v in _values(d, facet):
                tally[v] = tally.get(v, 0) + 1
        counts[facet] = tally
    return len(result), counts


def test_facet_counts_and_totals_equal_a_brute_force_count(backend):
    docs = random_docs(300)
    backend.upsert(docs)
    rng = random.Random(11)
    for _ in range(60):
        filters = {}
        for facet, pool in (
            ("country", COUNTRIES),
            ("province", PROVINCES),
            ("field", FIELDS),
            ("language", LANGUAGES),
            ("verified", ["true", "false"]),
            ("kind", ["expert", "entrepreneur"]),
        ):
            if rng.random() < 0.3:
                filters[facet] = rng.sample(pool, rng.randint(1, 2))
        text = rng.choice(["", "", "nguyen", "ban dan", "ky su", "bac"])
        audience = rng.choice([PUBLIC, OFFICIAL])
        got = backend.search(query(text, audience, filters=filters, per_page=5))
        total, counts = brute_force(docs, audience, filters, text.split())
        assert got.total == total, (text, filters)
        assert got.facets == counts, (text, filters)


@pytest.mark.parametrize("sort", ["name", "updated", "relevance"])
def test_pages_follow_one_total_order_even_with_many_ties(backend, sort):
    docs = random_docs(120)
    backend.upsert(docs)
    text = "nguyen" if sort == "relevance" else ""
    whole = backend.search(query(text, OFFICIAL, sort=sort, per_page=200))
    assert len(whole.hits) == whole.total > 40
    paged = []
    for page in range(1, whole.total // 7 + 2):
        paged += hit_ids(backend.search(query(text, OFFICIAL, sort=sort, page=page, per_page=7)))
    assert paged == hit_ids(whole)
    by_id = {d["id"]: d for d in docs}
    if sort == "name":
        assert hit_ids(whole) == sorted(hit_ids(whole), key=lambda i: (by_id[i]["name_sort"], i))
    if sort == "updated":
        assert hit_ids(whole) == sorted(hit_ids(whole), key=lambda i: (-by_id[i]["updated_at"], i))


def test_writes_by_another_process_are_seen_without_a_reload(engine, backend):
    backend.upsert([make_doc(1, "Nguyễn Văn An", country="FR")])
    assert backend.search(query("an")).total == 1
    loaded = backend._columns

    other = SqliteBackend(engine)  # another worker process on the same index
    other.upsert([make_doc(2, "Trần Văn An", country="DE")])
    result = backend.search(query("an"))
    assert result.total == 2 and result.facets["country"] == {"FR": 1, "DE": 1}
    assert backend._columns.epoch == loaded.epoch  # refreshed, not reloaded
    assert backend._columns.gen > loaded.gen

    other.upsert([make_doc(1, "Nguyễn Văn An", country="JP")])  # an edit
    other.delete(["person-0002"])
    result = backend.search(query("an"))
    assert hit_ids(result) == ["person-0001"]
    assert result.facets["country"] == {"JP": 1}
    assert backend.search(query("", filters={"country": ["FR"]})).total == 0


def test_a_rebuild_or_reset_replaces_the_column_store(engine, backend):
    backend.upsert([make_doc(1, "Nguyễn Văn An")])
    assert backend.search(query()).total == 1
    epoch = backend._columns.epoch
    SqliteBackend(engine).rebuild([[make_doc(5, "Lê Hoàng"), make_doc(6, "Lê Hoàng Nam")]])
    assert sorted(hit_ids(backend.search(query()))) == ["person-0005", "person-0006"]
    assert backend._columns.epoch != epoch
    SqliteBackend(engine).reset()
    assert backend.search(query()).total == 0


def test_rowids_are_never_reused(engine, backend):
    backend.upsert([make_doc(1, "An"), make_doc(2, "Mai")])
    with engine.connect() as conn:
        last = conn.exec_driver_sql("SELECT MAX(rowid) FROM search_docs").scalar()
    backend.delete(["person-0002"])
    backend.upsert([make_doc(3, "Đức")])
    with engine.connect() as conn:
        new = conn.exec_driver_sql(
            "SELECT rowid FROM search_docs WHERE doc_id = 'person-0003'"
        ).scalar()
    assert new > last


def test_unknown_filter_values_and_facets_are_handled(backend):
    backend.upsert([make_doc(1, "An", country="FR")])
    assert backend.search(query(filters={"country": ["ZZ"]})).total == 0
    with pytest.raises(ValueError):
        backend.search(query(filters={"nonsense": ["x"]}))


def test_an_index_built_by_the_previous_version_keeps_answering(engine):
    """Indexes built before facet tokens and generations existed: filters still apply, and a
    rebuild brings the new layout."""
    cols = ", ".join(SEARCHABLE)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE search_docs (rowid INTEGER PRIMARY KEY, doc_id TEXT NOT NULL UNIQUE, "
            "type TEXT NOT NULL, entity_id TEXT NOT NULL, listed INTEGER NOT NULL, owner TEXT "
            "NOT NULL, name_sort TEXT NOT NULL, updated_at REAL NOT NULL, facets TEXT NOT NULL "
            "DEFAULT '')"
        )
        conn.exec_driver_sql(
            f"CREATE VIRTUAL TABLE search_fts USING fts5({cols}, "
            f"tokenize = 'unicode61 remove_diacritics 2')"
        )
    backend = SqliteBackend(engine)
    backend.upsert([make_doc(1, "Nguyễn Văn An", country="FR"), make_doc(2, "Lê An", country="DE")])
    result = backend.search(query("an", filters={"country": ["FR"]}))
    assert hit_ids(result) == ["person-0001"]
    assert result.facets["country"] == {"FR": 1, "DE": 1}

    backend.rebuild([[make_doc(1, "Nguyễn Văn An", country="FR")]])
    with engine.connect() as conn:
        columns = {r[1] for r in conn.exec_driver_sql("PRAGMA table_info(search_fts)")}
    assert "facets" in columns
    assert hit_ids(backend.search(query("an", filters={"country": ["FR"]}))) == ["person-0001"]


def test_the_log_of_removals_is_pruned_and_stale_stores_reload(engine, backend, monkeypatch):
    monkeypatch.setattr(fts_writing, "GONE_KEEP", 4)
    backend.upsert([make_doc(1, "An", country="FR")])
    assert backend.search(query(filters={"country": ["FR"]})).total == 1
    stale = backend._columns

    other = SqliteBackend(engine)
    for round_ in range(12):  # edits: each removes the previous version of the document
        other.upsert([make_doc(1, "An", country="DE" if round_ % 2 else "JP")])
    with engine.connect() as conn:
        kept = conn.exec_driver_sql("SELECT COUNT(*) FROM search_gone").scalar()
        floor = conn.exec_driver_sql("SELECT v FROM search_meta WHERE k = 'gone_floor'").scalar()
    assert kept < 2 * 4 and floor > stale.gen  # at most two spans of generations kept
    result = backend.search(query())
    assert result.total == 1 and result.facets["country"] == {"DE": 1}
    assert backend._columns is not stale


@pytest.mark.parametrize("limit", [500, 2])
def test_a_common_name_split_by_id_lists_still_ranks_the_equal_name_first(
    backend, monkeypatch, limit
):
    # Past NAME_SCAN_LIMIT names matched are not read one by one: id lists split them.
    monkeypatch.setattr(fts_names, "NAME_SCAN_LIMIT", limit)
    names = ["Nguyễn Văn Anh", "Nguyễn An Văn", "Nguyễn Văn An", "Nguyễn Văn Bình An"]
    backend.upsert(
        [make_doc(i, name, updated_at=2_000_000_000 - i) for i, name in enumerate(names)]
    )
    found = hit_ids(backend.search(query("nguyen van an")))
    assert found[:2] == ["person-0002", "person-0000"]  # equal, then the phrase as a prefix
    assert set(found) == {f"person-{i:04d}" for i in range(4)}


def test_quality_orders_equally_relevant_documents_before_recency(backend):
    docs = [
        make_doc(i, f"Trần Văn {name}", text="kỹ sư vi mạch", updated_at=2_000_000_000 + i)
        for i, name in enumerate(["Bình", "Cường", "Dũng"])
    ]
    docs[0]["quality"] = 6  # the oldest, verified and complete
    docs[1]["quality"] = docs[2]["quality"] = 1  # equals: the newest first
    backend.upsert(docs)
    assert hit_ids(backend.search(query("vi mach"))) == [
        "person-0000",
        "person-0002",
        "person-0001",
    ]
