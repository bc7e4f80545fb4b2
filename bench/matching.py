"""Matching benchmark: a need's explained matches beside a plain search of the same terms.

    .venv/bin/python bench/matching.py --people 100000 --workdir /tmp/bench100k
    .venv/bin/python bench/matching.py --people 20000 --backends sqlite --rounds 5
    .venv/bin/python bench/matching.py --people 100000 --businesses 20000 --workdir /tmp/b100k

On the synthetic directory of ``bench/search.py`` (the same generator, the same database file
in ``--workdir``, so one load serves both benchmarks), it publishes a few cooperation needs of
several provinces and measures, as an officer of each need's province and through the Flask
test client in process:

- ``GET /api/v1/needs/<id>/matches`` (recall from the engine, candidates read from the
  database, scored and explained, the first page of 20);
- ``GET /api/v1/search`` with the same terms: the need's first field as the query and its
  target countries as a filter (20 hits with facets and highlights).

With ``--businesses N`` (synthetic businesses, ``bench/common.py``), the investment, trade
promotion and technology transfer needs rank businesses beside people; the report says how
many business candidates there were per need.

Both engines: Meilisearch (from MEILI_BIN or .tools, or ``--meili-url``) and the embedded one.
The issue's targets: matches p95 under 200 ms with Meilisearch, under 300 ms embedded.
"""

from __future__ import annotations

import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (  # noqa: E402
    arguments,
    as_a_deployed_worker,
    fmt_ms,
    make_app,
    meilisearch_server,
    percentile,
    sqlite_directory,
    workdir_of,
)

NEEDS = [
    {
        "province_slug": "da-nang",
        "title": "Chip design training partnership, 2027 roadmap",
        "type": "training",
        "fields": ["semiconductors", "education-training"],
        "countries": ["FR", "US"],
    },
    {
        "province_slug": "ha-noi",
        "title": "Trí tuệ nhân tạo cho y tế công",
        "type": "expertise",
        "fields": ["artificial-intelligence"],
        "countries": ["JP", "KR", "US"],
    },
    {
        "province_slug": "lao-cai",
        "title": "Điện mặt trời vùng cao",
        "type": "investment",
        "fields": ["renewable-energy"],
        "countries": ["DE"],
    },
    {
        "province_slug": "ho-chi-minh",
        "title": "Logistics hub for exports",
        "type": "trade_promotion",
        "fields": ["logistics", "high-tech-agriculture"],
        "countries": ["US", "AU", "SG"],
    },
    {
        "province_slug": "da-nang",
        "title": "Cảng Liên Chiểu: trung tâm logistics và kho lạnh",
        "type": "investment",
        "fields": ["transportation", "seafood-export"],
        "countries": ["DE", "JP"],
    },
    {
        "province_slug": "bac-ninh",
        "title": "Chuyển giao công nghệ lắp ráp điện tử",
        "type": "technology_transfer",
        "fields": ["electronics-manufacturing", "semiconductors"],
        "countries": ["KR", "JP", "TW"],
    },
]


def publish_needs(app) -> list[tuple[str, dict, dict]]:
    """The needs (created once) with their officers' bearer headers: (need id, spec, headers)."""
    import sqlalchemy as sa

    from directory.accounts.models import User
    from directory.accounts.tokens import create_token
    from directory.extensions import db
    from directory.needs.models import Need

    out = []
    with app.app_context():
        for spec in NEEDS:
            email = f"bench.{spec['province_slug']}@example.org"
            officer = db.session.scalar(sa.select(User).where(User.email == email))
            if officer is None:
                officer = User(email=email, role="province", province_slug=spec["province_slug"])
                db.session.add(officer)
                db.session.flush()
            need = db.session.scalar(sa.select(Need).where(Need.title == spec["title"]))
            if need is None:
                need = Need(
                    **spec,
                    audience="officials",
                    deadline=date.today() + timedelta(days=90),
                    created_by_id=officer.id,
                )
                db.session.add(need)
                db.session.flush()
            _token, raw = create_token(officer)
            db.session.commit()
            out.append((need.id, spec, {"Authorization": f"Bearer {raw}"}))
    return out


def measure(app, needs, rounds: int) -> dict[str, list[float]]:
    from directory.extensions import db
    from directory.reference.models import Field

    client = app.test_client()
    out: dict[str, list[float]] = {"matches": [], "search": [], "candidates": [], "businesses": []}
    searches = []
    with app.app_context():
        for need_id, spec, headers in needs:
            label = db.session.get(Field, spec["fields"][0]).label_vi
            query = [("q", label), *(("country", c) for c in spec["countries"])]
            searches.append((need_id, query, headers))
    # Requests run outside that context: each gets its own ``g`` (and so its own caller).
    for need_id, query, headers in searches:  # warm up
        client.get(f"/api/v1/needs/{need_id}/matches", headers=headers)
        client.get("/api/v1/search", query_string=query, headers=headers)
    for _ in range(rounds):
        for need_id, query, headers in searches:
            t = time.perf_counter()
            r = client.get(f"/api/v1/needs/{need_id}/matches", headers=headers)
            out["matches"].append(time.perf_counter() - t)
            assert r.status_code == 200, r.get_data(as_text=True)[:300]
            out["candidates"].append(r.json["total"])
            out["businesses"].append(sum(1 for i in r.json["items"] if i["kind"] == "business"))
            t = time.perf_counter()
            r = client.get("/api/v1/search", query_string=query, headers=headers)
            out["search"].append(time.perf_counter() - t)
            assert r.status_code == 200, r.get_data(as_text=True)[:300]
    return out


def report(name: str, lat: dict, target_ms: int) -> None:
    p95 = percentile(lat["matches"], 0.95) * 1000
    verdict = "met" if p95 < target_ms else "NOT met"
    print(f"\n== {name} ==")
    print(
        f"matches   /api/v1/needs/<id>/matches {fmt_ms(lat['matches'])}   (< {target_ms} ms: {verdict})"
    )
    print(f"search    /api/v1/search, same terms {fmt_ms(lat['search'])}")
    print(f"          candidates per need: {min(lat['candidates'])}–{max(lat['candidates'])}")
    print(
        f"          businesses on the first page: {min(lat['businesses'])}–{max(lat['businesses'])}"
    )


def bench_meilisearch(args, workdir: Path, db_url: str) -> dict | None:
    from directory.search.sync import reindex

    with meilisearch_server(args, workdir) as found:
        if found is None:
            return None
        url, key, _server = found
        app = make_app(workdir / "instance-meili-needs", db_url, "meilisearch", (url, key))
        as_a_deployed_worker(app)
        needs = publish_needs(app)
        if not args.reuse_index:
            reindex(app, batch_size=args.batch, echo=lambda *_: None)
        return measure(app, needs, args.rounds)


def bench_sqlite(args, workdir: Path, db_url: str) -> dict:
    from directory.search.sync import reindex

    app = make_app(workdir / "instance-sqlite-needs", db_url, "sqlite")
    as_a_deployed_worker(app)
    needs = publish_needs(app)
    if not args.reuse_index:
        reindex(app, batch_size=args.batch, echo=lambda *_: None)
    return measure(app, needs, args.rounds)


def main() -> None:
    args = arguments(__doc__, "passes over the needs").parse_args()
    workdir = workdir_of(args)
    db_url = sqlite_directory(args, workdir)
    print(f"{len(NEEDS)} needs x {args.rounds} rounds, as an officer of each need's province")

    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if "meilisearch" in backends:
        lat = bench_meilisearch(args, workdir, db_url)
        if lat:
            report("Meilisearch", lat, 200)
    if "sqlite" in backends:
        report("Embedded (SQLite FTS5)", bench_sqlite(args, workdir, db_url), 300)


if __name__ == "__main__":
    main()
