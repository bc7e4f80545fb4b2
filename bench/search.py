"""Search benchmark: the application's indexing and /api/v1/search against raw Meilisearch.

    .venv/bin/python bench/search.py --people 20000
    .venv/bin/python bench/search.py --people 1000000 --backends meilisearch
    .venv/bin/python bench/search.py --people 100000 --backends sqlite
    .venv/bin/python bench/search.py --people 100000 --businesses 20000

For N synthetic profiles (Vietnamese names with diacritics, 1-3 fields, 20 countries, current
and legacy hometowns, bios in both languages) loaded into a fresh SQLite application database,
it prints, for the same documents and the same queries:

- Meilisearch: documents/s indexed by the application (``flask search reindex``: documents
  built from the database, sent in batches, swapped in) vs raw ingestion of the very same
  documents (pre-built NDJSON sent straight to Meilisearch, same batch size, same settings);
  ``GET /api/v1/search`` p50/p95 (Flask test client, in process) vs the raw Meilisearch
  multi-search the application sends for it (same filters, facets, attributes);
- the embedded engine: application indexing documents/s, ``/api/v1/search`` p50/p95 and the
  engine alone (``backend.search``).

``--businesses N`` adds N synthetic diaspora businesses (sectors, presence in Vietnam, interests:
``bench/common.py`` ``business_rows``) to the same index, and the businesses' searches to the
query set.

Meilisearch comes from MEILI_BIN or .tools (see the Makefile), started on a free port with a
temporary database; ``--meili-url``/``--meili-key`` use a running one instead.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (  # noqa: E402
    arguments,
    fmt_ms,
    make_app,
    meilisearch_server,
    percentile,
    sqlite_directory,
    workdir_of,
)

QUERIES = [
    {"q": "nguyen van dung"},
    {"q": "ban dan"},
    {"q": "semiconducter"},
    {"q": "tri tue nhan tao", "country": ["US"]},
    {"q": "machine learning", "country": ["JP", "KR"]},
    {"q": "năng lượng tái tạo", "province": ["lao-cai"]},
    {"q": "Yên Bái"},
    {"q": "Trần Thị Hương"},
    {"q": "logistics", "kind": ["entrepreneur"]},
    {"q": "y te", "country": ["FR"], "verified": ["true"]},
    {"q": "Schmidt"},
    {"q": "", "country": ["DE"], "field": ["semiconductors"]},
    {"q": "", "province": ["da-nang"]},
    {"q": "kỹ sư", "language": ["fr"]},
    {"q": "hoang minh", "sort": "name"},
    {"q": "paris"},
]


# With --businesses: the businesses' searches (kind, sectors, presence, interests).
BUSINESS_QUERIES = [
    {"q": "logistik", "kind": ["business"]},
    {"q": "", "kind": ["business"], "country": ["DE"], "sector": ["transportation"]},
    {"q": "", "kind": ["business"], "interest_province": ["da-nang"]},
    {"q": "", "kind": ["business"], "presence_province": ["Quảng Nam"]},
    {"q": "liên doanh", "kind": ["business"], "country": ["JP"]},
    {"q": "mekong trading"},
]


def query_string(spec: dict) -> list[tuple[str, str]]:
    pairs = []
    for key, value in spec.items():
        for v in value if isinstance(value, list) else [value]:
            if v != "":
                pairs.append((key, v))
    return pairs


def queries_for(app) -> list[dict]:
    """The query set: the people's, and the businesses' when the database holds businesses."""
    import sqlalchemy as sa

    from directory.businesses.models import Business
    from directory.extensions import db

    with app.app_context():
        has_businesses = db.session.scalar(sa.select(sa.func.count()).select_from(Business))
    return QUERIES + (BUSINESS_QUERIES if has_businesses else [])


def measure_queries(app, rounds: int, raw=None, engine=None) -> dict[str, list[float]]:
    """Latencies of /api/v1/search (and of the raw engine call for the same query)."""
    from werkzeug.datastructures import MultiDict

    from directory.search.services import audience_for, parse_search_args
    from search_index import get_backend
    from search_index.base import SearchQuery
    from search_index.meilisearch import multi_search

    client = app.test_client()
    out: dict[str, list[float]] = {"app": [], "raw": [], "engine": []}
    with app.app_context():
        backend = get_backend(app)
        specs = []
        for spec in queries_for(app):
            params = parse_search_args(MultiDict(query_string(spec)))
            specs.append(
                (
                    spec,
                    SearchQuery(
                        text=params.q,
                        filters=params.filters,
                        audience=audience_for(None),
                        page=1,
                        per_page=20,
                        sort=params.sort,
                    ),
                )
            )
        for spec, _query in specs:  # warm up
            client.get("/api/v1/search", query_string=query_string(spec))
        for _ in range(rounds):
            for spec, query in specs:
                t = time.perf_counter()
                r = client.get("/api/v1/search", query_string=query_string(spec))
                out["app"].append(time.perf_counter() - t)
                assert r.status_code == 200, r.get_data(as_text=True)[:300]
                if raw is not None:
                    bodies = backend.request(query)
                    t = time.perf_counter()
                    multi_search(raw, bodies)  # the same requests, sent the same way
                    out["raw"].append(time.perf_counter() - t)
                if engine:
                    t = time.perf_counter()
                    backend.search(query)
                    out["engine"].append(time.perf_counter() - t)
    return out


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU seconds used so far by process ``pid`` (Linux), or 0."""
    if not pid:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bench_meilisearch(args, workdir: Path, db_url: str) -> dict:
    with meilisearch_server(args, workdir) as found:
        if found is None:
            return {}
        return _bench_meilisearch(args, workdir, db_url, *found)


def _bench_meilisearch(args, workdir: Path, db_url: str, url: str, key: str, server) -> dict:
    import meilisearch

    from directory.search.documents import all_documents
    from directory.search.sync import reindex
    from search_index.meilisearch import MeiliBackend, settings

    app = make_app(workdir / "instance-meili", db_url, "meilisearch", (url, key))
    from directory.extensions import db

    if args.reuse_index:  # query the index an earlier run left in --workdir
        client = meilisearch.Client(url, key, timeout=600)
        with app.app_context():
            latencies = measure_queries(app, args.rounds, raw=client)
        return {"docs": 0, "latencies": latencies}

    # The same documents, pre-built, for the raw ingestion (not timed).
    ndjson = workdir / "docs.ndjson"
    with app.app_context(), ndjson.open("w", encoding="utf-8") as fh:
        from sqlalchemy.orm import Session

        with Session(bind=db.engine) as session:
            for batch in all_documents(session, batch_size=args.batch):
                for doc in batch:
                    fh.write(json.dumps(doc, ensure_ascii=False, separators=(",", ":")))
                    fh.write("\n")

    # Raw ingestion: NDJSON straight to Meilisearch, same settings, same batch size.
    client = meilisearch.Client(url, key, timeout=600)
    raw = MeiliBackend(url, key, prefix="raw")
    meili_pid = server.process.pid if server is not None else None
    cpu = {"raw_meili": -cpu_seconds(meili_pid), "raw_self": -time.process_time()}
    start = time.perf_counter()
    raw.wait(client.create_index("raw_people", {"primaryKey": "id"}))
    raw.wait(client.index("raw_people").update_settings(settings(1_000_000)))
    pending = []
    count = 0
    with ndjson.open("rb") as fh:
        lines = []
        for line in fh:
            lines.append(line)
            if len(lines) == args.batch:
                pending.append(client.index("raw_people").add_documents_ndjson(b"".join(lines)))
                count += len(lines)
                lines = []
                if len(pending) >= 4:
                    raw.wait(pending.pop(0))
        if lines:
            pending.append(client.index("raw_people").add_documents_ndjson(b"".join(lines)))
            count += len(lines)
    for task in pending:
        raw.wait(task)
    raw_seconds = time.perf_counter() - start
    cpu["raw_meili"] += cpu_seconds(meili_pid)
    cpu["raw_self"] += time.process_time()
    raw.wait(client.delete_index("raw_people"))  # free the cores for the app's run

    # The application's own path: flask search reindex.
    cpu.update(app_meili=-cpu_seconds(meili_pid), app_self=-time.process_time())
    start = time.perf_counter()
    indexed = reindex(app, batch_size=args.batch, echo=lambda *_: None)
    app_seconds = time.perf_counter() - start
    cpu["app_meili"] += cpu_seconds(meili_pid)
    cpu["app_self"] += time.process_time()

    with app.app_context():
        latencies = measure_queries(app, args.rounds, raw=client)
    return {
        "docs": indexed,
        "raw_rate": count / raw_seconds,
        "app_rate": indexed / app_seconds,
        "raw_seconds": raw_seconds,
        "app_seconds": app_seconds,
        "cpu": cpu,
        "latencies": latencies,
    }


def bench_sqlite(args, workdir: Path, db_url: str) -> dict:
    from directory.search.sync import reindex

    app = make_app(workdir / "instance-sqlite", db_url, "sqlite")
    if args.reuse_index:  # query an index already built in this database
        latencies = measure_queries(app, args.rounds, engine=True)
        return {"docs": 0, "app_rate": 0.0, "latencies": latencies}
    start = time.perf_counter()
    indexed = reindex(app, batch_size=args.batch, echo=lambda *_: None)
    seconds = time.perf_counter() - start
    latencies = measure_queries(app, args.rounds, engine=True)
    return {"docs": indexed, "app_rate": indexed / seconds, "latencies": latencies}


def main() -> None:
    args = arguments(__doc__, "passes over the query set").parse_args()
    workdir = workdir_of(args)
    db_url = sqlite_directory(args, workdir)
    count = len(QUERIES) + (len(BUSINESS_QUERIES) if args.businesses else 0)
    print(f"{count} queries x {args.rounds} rounds, anonymous caller, 20 hits + facets")

    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if "meilisearch" in backends:
        r = bench_meilisearch(args, workdir, db_url)
        if r:
            lat = r["latencies"]
            if r["docs"]:
                print("\n== Meilisearch ==")
                print(f"indexing  app (flask search reindex) {r['app_rate']:8.0f} docs/s")
                print(f"indexing  raw Meilisearch (NDJSON)   {r['raw_rate']:8.0f} docs/s")
                print(f"          app / raw                  {r['app_rate'] / r['raw_rate']:8.0%}")
                cpu = r["cpu"]
                if cpu["raw_meili"]:
                    for phase, seconds in (("raw", r["raw_seconds"]), ("app", r["app_seconds"])):
                        print(
                            f"          {phase}: {seconds:7.1f} s wall; CPU s: Meilisearch "
                            f"{cpu[phase + '_meili']:7.1f}, this process {cpu[phase + '_self']:7.1f}"
                        )
            else:
                print("\n== Meilisearch (index reused: queries only) ==")
            print(f"query     /api/v1/search   {fmt_ms(lat['app'])}")
            print(f"query     raw multi-search {fmt_ms(lat['raw'])}")
            ratio = percentile(lat["app"], 0.95) / percentile(lat["raw"], 0.95)
            print(f"          p95 app / raw    {ratio:.2f}x")
    if "sqlite" in backends:
        r = bench_sqlite(args, workdir, db_url)
        lat = r["latencies"]
        print("\n== Embedded (SQLite FTS5) ==")
        print(f"indexing  app (flask search reindex) {r['app_rate']:8.0f} docs/s")
        print(f"query     /api/v1/search   {fmt_ms(lat['app'])}")
        print(f"query     engine alone     {fmt_ms(lat['engine'])}")
        slow = statistics.mean(lat["app"]) * 1000
        print(f"          mean /api/v1/search {slow:.1f} ms")


if __name__ == "__main__":
    main()
