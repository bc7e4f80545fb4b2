"""Search benchmark: the application's indexing and /api/v1/search against raw Meilisearch.

    .venv/bin/python bench/search.py --people 20000
    .venv/bin/python bench/search.py --people 1000000 --backends meilisearch
    .venv/bin/python bench/search.py --people 100000 --backends sqlite

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

Meilisearch comes from MEILI_BIN or .tools (see the Makefile), started on a free port with a
temporary database; ``--meili-url``/``--meili-key`` use a running one instead.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SURNAMES = [
    ("Nguyễn", 38), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Hoàng", 5), ("Huỳnh", 4),
    ("Phan", 4), ("Vũ", 4), ("Võ", 3), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 2),
    ("Ngô", 2), ("Dương", 1), ("Lý", 1), ("Đinh", 1), ("Trương", 1), ("Lương", 1),
]  # fmt: skip
MIDDLE = ["Văn", "Thị", "Minh", "Quốc", "Hữu", "Đức", "Thanh", "Ngọc", "Hoàng", "Anh", "Thu",
          "Xuân", "Gia", "Kim", "Bảo", "Công", "Đình", "Phương"]  # fmt: skip
GIVEN = ["Dũng", "Hương", "Lan", "Hà", "Bảo", "Nam", "Quân", "Linh", "Trang", "Tuấn", "Hùng",
         "Phương", "Thảo", "Long", "Hải", "Sơn", "Mai", "Khoa", "Tâm", "Vy", "Đức", "Thủy",
         "Huy", "Nhung", "Khánh", "Việt", "Hạnh", "Phúc", "Quỳnh", "Yến", "Trung", "Hiếu",
         "Ngân", "Tú", "Đạt", "Giang", "Châu", "Oanh", "Thắng", "Lộc"]  # fmt: skip
FOREIGN = ["Martin", "Schmidt", "Smith", "Tanaka", "Kim", "Novak", "Ivanova", "Dubois",
           "Müller", "Johnson", "Rossi", "Jansen", "Nilsson", "Wong", "Peeters"]  # fmt: skip
COUNTRIES = {
    "FR": ["Paris", "Lyon", "Toulouse", "Grenoble", "Marseille"],
    "DE": ["Berlin", "München", "Hamburg", "Leipzig"],
    "US": ["San Jose", "Houston", "Boston", "Seattle", "Orange County"],
    "JP": ["Tokyo", "Osaka", "Nagoya"],
    "KR": ["Seoul", "Busan"],
    "AU": ["Sydney", "Melbourne"],
    "CA": ["Toronto", "Montréal", "Vancouver"],
    "GB": ["London", "Manchester"],
    "CZ": ["Praha", "Brno"],
    "RU": ["Moskva", "Sankt-Peterburg"],
    "PL": ["Warszawa"],
    "SG": ["Singapore"],
    "TW": ["Taipei", "Đài Trung"],
    "NL": ["Amsterdam", "Eindhoven"],
    "BE": ["Bruxelles"],
    "CH": ["Genève", "Zürich"],
    "SE": ["Stockholm"],
    "IT": ["Milano", "Roma"],
    "TH": ["Bangkok", "Udon Thani"],
    "NZ": ["Auckland"],
}
LANGS = {"FR": "fr", "DE": "de", "US": "en", "JP": "ja", "KR": "ko", "AU": "en", "CA": "en",
         "GB": "en", "CZ": "cs", "RU": "ru", "PL": "pl", "SG": "en", "TW": "zh", "NL": "nl",
         "BE": "fr", "CH": "de", "SE": "sv", "IT": "it", "TH": "th", "NZ": "en"}  # fmt: skip
ORGS = ["CNRS", "Samsung", "Intel", "Bosch", "Toyota", "Siemens", "Google", "CEA", "Airbus",
        "Đại học Paris-Saclay", "TU München", "University of Tokyo", "Thales", "Nokia"]  # fmt: skip
TITLES = ["Kỹ sư", "Giáo sư", "Tiến sĩ", "Nghiên cứu viên", "Giám đốc", "Founder", "CEO",
          "Senior engineer", "Bác sĩ", "Kiến trúc sư"]  # fmt: skip


def person_rows(n: int, seed: int = 7):
    """``n`` synthetic people as column dicts, in chunks of 5,000."""
    from directory.reference.fields import shipped_fields
    from directory.reference.provinces import all_provinces
    from search_index.normalize import name_key

    rng = random.Random(seed)
    fields = list(shipped_fields())
    provinces = list(all_provinces())
    surnames = [s for s, w in SURNAMES for _ in range(w)]
    countries = list(COUNTRIES)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    chunk = []
    for i in range(n):
        name = f"{rng.choice(surnames)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        country = countries[min(int(rng.expovariate(0.25)), len(countries) - 1)]
        picked = rng.sample(fields, rng.randint(1, 3))
        province = rng.choice(provinces)
        hometown_as_given = rng.choice(province.legacy_names or (province.name_vi,))
        kinds = rng.choice([["expert"], ["expert"], ["entrepreneur"], ["expert", "entrepreneur"]])
        labels_vi = ", ".join(f["label_vi"].lower() for f in picked)
        labels_en = ", ".join(f["label_en"].lower() for f in picked)
        city = rng.choice(COUNTRIES[country])
        bio = (
            f"Chuyên gia {labels_vi}, hiện sống và làm việc tại {city}. "
            f"Expert in {labels_en}; {rng.randint(3, 30)} years of experience."
        )
        when = start + timedelta(minutes=i)
        chunk.append(
            {
                "id": f"{i:016x}",
                "full_name": name,
                "other_names": [f"{name.split()[-1]} {rng.choice(FOREIGN)}"]
                if rng.random() < 0.15
                else [],
                "kinds": kinds,
                "fields": [f["code"] for f in picked],
                "skills": [],
                "title": rng.choice(TITLES),
                "organization": rng.choice(ORGS),
                "languages": sorted(
                    {"vi", LANGS[country], *(["en"] if rng.random() < 0.5 else [])}
                ),
                "country": country,
                "city": city,
                "hometown_province": province.slug,
                "hometown_as_given": hometown_as_given,
                "email": f"p{i}@example.net",
                "phone": None,
                "links": [],
                "bio": bio,
                "name_key": name_key(name),
                "visibility_profile": rng.choice(["public", "public", "officials"]),
                "visibility_contact": rng.choice(["private", "private", "officials", "public"]),
                "consent_listed": rng.random() < 0.8,
                "consent_contact": rng.random() < 0.5,
                "provenance": "mission",
                "field_sources": {},
                "verified_at": when if rng.random() < 0.3 else None,
                "created_at": when,
                "updated_at": when,
            }
        )
        if len(chunk) == 5000:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


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


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    k = (len(values) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def fmt_ms(values: list[float]) -> str:
    return f"p50 {percentile(values, 0.5) * 1000:6.1f} ms   p95 {percentile(values, 0.95) * 1000:6.1f} ms"


def query_string(spec: dict) -> list[tuple[str, str]]:
    pairs = []
    for key, value in spec.items():
        for v in value if isinstance(value, list) else [value]:
            if v != "":
                pairs.append((key, v))
    return pairs


def make_app(instance: Path, db_url: str, backend: str, meili=None):
    from directory import create_app

    config = {
        "SQLALCHEMY_DATABASE_URI": db_url,
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": "bench",
        "SEARCH_BACKEND": backend,
        "SEARCH_SYNC_INLINE": False,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": "localhost",
    }
    if meili:
        config.update(MEILI_URL=meili[0], MEILI_MASTER_KEY=meili[1], MEILI_INDEX_PREFIX="bench")
    return create_app(config)


def load_database(app, n: int) -> float:
    import sqlalchemy as sa

    from directory.extensions import db
    from directory.people.models import Person
    from directory.reference.loader import sync_reference_data

    with app.app_context():
        db.create_all()
        sync_reference_data()
        if db.session.scalar(sa.select(sa.func.count()).select_from(Person)) >= n:
            return 0.0
        start = time.perf_counter()
        for chunk in person_rows(n):
            db.session.execute(sa.insert(Person), chunk)
            db.session.commit()
        return time.perf_counter() - start


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
        for spec in QUERIES:
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
    import meilisearch

    from directory.search.documents import all_documents
    from directory.search.sync import reindex
    from search_index.meilisearch import MeiliBackend, settings

    server = None
    if args.meili_url:
        url, key = args.meili_url, args.meili_key
    else:
        from tests.search.conftest import MeiliServer, find_meilisearch

        binary = find_meilisearch()
        if binary is None:
            print("Meilisearch binary not found: set MEILI_BIN or run `make meilisearch`")
            return {}
        server = MeiliServer(binary, workdir)
        server.start()
        url, key = server.url, server.key
    try:
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
    finally:
        if server is not None:
            server.stop()


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
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=20000)
    parser.add_argument("--backends", default="meilisearch,sqlite")
    parser.add_argument("--rounds", type=int, default=10, help="passes over the query set")
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--workdir", default=None, help="keep the database here (reused)")
    parser.add_argument(
        "--reuse-index",
        action="store_true",
        help="skip the indexing, query the indexes an earlier run left in --workdir",
    )
    parser.add_argument("--meili-url", default=os.environ.get("MEILI_URL"))
    parser.add_argument("--meili-key", default=os.environ.get("MEILI_MASTER_KEY"))
    args = parser.parse_args()

    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="kieubao-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    db_url = f"sqlite:///{workdir / f'bench-{args.people}.sqlite3'}"
    loader = make_app(workdir / "instance-load", db_url, "sqlite")
    seconds = load_database(loader, args.people)
    print(f"{args.people} synthetic profiles in {db_url} (loaded in {seconds:.0f} s)")
    print(f"{len(QUERIES)} queries x {args.rounds} rounds, anonymous caller, 20 hits + facets")

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
