"""What the benchmarks share: the synthetic directory (its generator and loader), the
application they run, the Meilisearch they start, their common options, percentiles.

``bench/search.py``, ``bench/matching.py`` and ``bench/dashboards.py`` load the same synthetic
profiles (the same seed, so one ``--workdir`` database serves them all) and report p50/p95
the same way.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
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


BUSINESS_WORDS = ["Mekong", "Sông Hàn", "Hansa", "Rồng Xanh", "Sài Gòn", "Hạ Long", "Lotus",
                  "Sen Vàng", "Phương Nam", "Trường Sơn", "Bamboo", "Delta", "Indochina",
                  "Hồng Hà", "Cửu Long", "Việt Á", "Saigon Pearl", "Golden Dragon"]  # fmt: skip
BUSINESS_TRADES = ["Logistik", "Trading", "Foods", "Tech", "Consulting", "Textil", "Energy",
                   "Seafood", "Cargo", "Engineering", "Import Export", "Software"]  # fmt: skip
LEGAL = {"DE": "GmbH", "FR": "SARL", "US": "LLC", "JP": "K.K.", "KR": "Co., Ltd.", "AU": "Pty Ltd",
         "CA": "Inc.", "GB": "Ltd", "CZ": "s.r.o.", "RU": "OOO", "PL": "Sp. z o.o.",
         "SG": "Pte Ltd", "TW": "Co., Ltd.", "NL": "B.V.", "BE": "SRL", "CH": "AG", "SE": "AB",
         "IT": "S.r.l.", "TH": "Co., Ltd.", "NZ": "Ltd"}  # fmt: skip


def business_rows(n: int, seed: int = 11):
    """``n`` synthetic diaspora businesses as column dicts, in chunks of 5,000: sectors of the
    taxonomy's business group, a country and sometimes others they operate in, a presence in
    Vietnam for a third, interests (investment, import, export, technology transfer, training)
    in one to three provinces for most."""
    from directory.businesses.inputs import business_name_key
    from directory.businesses.models import INTEREST_KINDS, PRESENCE_KINDS, SIZE_BANDS
    from directory.reference.fields import shipped_fields
    from directory.reference.provinces import all_provinces

    rng = random.Random(seed)
    sectors = [f["code"] for f in shipped_fields() if f["group"] == "sector"]
    provinces = [p.slug for p in all_provinces()]
    countries = list(COUNTRIES)
    start = datetime(2024, 6, 1, tzinfo=UTC)
    chunk = []
    for i in range(n):
        country = countries[min(int(rng.expovariate(0.25)), len(countries) - 1)]
        name = f"{rng.choice(BUSINESS_WORDS)} {rng.choice(BUSINESS_TRADES)} {LEGAL[country]} {i}"
        mine = rng.sample(sectors, rng.randint(1, 2))
        presence = []
        if rng.random() < 0.35:
            kinds = [k for k in PRESENCE_KINDS if k != "none"]
            for _ in range(rng.randint(1, 2)):
                presence.append({"kind": rng.choice(kinds), "province": rng.choice(provinces)})
        interests = []
        for _ in range(rng.choice([0, 1, 1, 2])):
            kind = rng.choice(INTEREST_KINDS)
            interests.append(
                {
                    "kind": kind,
                    "sectors": rng.sample(sectors, rng.randint(0, 2)),
                    "provinces": rng.sample(provinces, rng.randint(1, 3)),
                    "products": [],
                    "ticket_band": rng.choice(["under_100k", "100k_1m", "1m_10m"])
                    if kind == "investment"
                    else None,
                }
            )
        when = start + timedelta(minutes=i)
        chunk.append(
            {
                "id": f"b{i:015x}",
                "name": name,
                "other_names": [],
                "legal_form": LEGAL[country],
                "country": country,
                "operates_in": rng.sample(countries, rng.choice([0, 0, 1, 2])),
                "cities": [rng.choice(COUNTRIES[country])],
                "sectors": mine,
                "size_band": rng.choice(SIZE_BANDS),
                "description": f"{name}: {', '.join(mine)}.",
                "presence_in_vietnam": presence,
                "interests": interests,
                "name_key": business_name_key(name),
                "website_domain": None,
                "consent_listed": rng.random() < 0.7,
                "visibility_profile": rng.choice(["public", "officials"]),
                "visibility_contact": "officials",
                "verified_at": when if rng.random() < 0.2 else None,
                "created_at": when,
                "updated_at": when,
            }
        )
        if len(chunk) == 5000:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    k = (len(values) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def fmt_ms(values: list[float]) -> str:
    return f"p50 {percentile(values, 0.5) * 1000:6.1f} ms   p95 {percentile(values, 0.95) * 1000:6.1f} ms"


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


def as_a_deployed_worker(app):
    """Freeze the loaded application's objects for the garbage collector, as each gunicorn
    worker does once it has loaded the application (``gunicorn.conf.py``
    ``post_worker_init``), so that in-process figures match the deployed app's."""
    import gc

    gc.collect()
    gc.freeze()
    return app


def load_database(app, n: int, businesses: int = 0) -> float:
    import sqlalchemy as sa

    from directory.businesses.models import Business
    from directory.extensions import db
    from directory.people.models import Person
    from directory.reference.loader import sync_reference_data

    with app.app_context():
        db.create_all()
        sync_reference_data()
        start = time.perf_counter()
        if db.session.scalar(sa.select(sa.func.count()).select_from(Person)) < n:
            for chunk in person_rows(n):
                db.session.execute(sa.insert(Person), chunk)
                db.session.commit()
        if businesses and (
            db.session.scalar(sa.select(sa.func.count()).select_from(Business)) < businesses
        ):
            for chunk in business_rows(businesses):
                db.session.execute(sa.insert(Business), chunk)
                db.session.commit()
        return time.perf_counter() - start


# --- options, the database, Meilisearch ---------------------------------------------------------


def arguments(doc: str, rounds_help: str) -> argparse.ArgumentParser:
    """The options of the search and matching benchmarks (a script may add its own);
    ``--businesses N`` adds N synthetic businesses (:func:`business_rows`)."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=20000)
    parser.add_argument(
        "--businesses",
        type=int,
        default=0,
        help="also this many synthetic diaspora businesses (own database file)",
    )
    parser.add_argument("--backends", default="meilisearch,sqlite")
    parser.add_argument("--rounds", type=int, default=10, help=rounds_help)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--workdir", default=None, help="keep the database here (reused)")
    parser.add_argument(
        "--reuse-index",
        action="store_true",
        help="skip the indexing, query the indexes an earlier run left in --workdir",
    )
    parser.add_argument("--meili-url", default=os.environ.get("MEILI_URL"))
    parser.add_argument("--meili-key", default=os.environ.get("MEILI_MASTER_KEY"))
    return parser


def workdir_of(args) -> Path:
    """``--workdir`` (created), or a new temporary directory."""
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="kieubao-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    return workdir


def sqlite_directory(args, workdir: Path) -> str:
    """The SQLite database of ``args.people`` synthetic profiles in ``workdir`` (loaded unless
    it already holds them); prints what it holds and returns its URL."""
    suffix = f"-{args.businesses}b" if args.businesses else ""
    db_url = f"sqlite:///{workdir / f'bench-{args.people}{suffix}.sqlite3'}"
    app = make_app(workdir / "instance-load", db_url, "sqlite")
    seconds = load_database(app, args.people, args.businesses)
    what = f"{args.people} synthetic profiles"
    if args.businesses:
        what += f" and {args.businesses} businesses"
    print(f"{what} in {db_url} (loaded in {seconds:.0f} s)")
    return db_url


@contextmanager
def meilisearch_server(args, workdir: Path) -> Iterator[tuple[str, str, object] | None]:
    """(url, key, server) of the Meilisearch to use: ``--meili-url`` if given, else one started
    from MEILI_BIN or .tools (``server``: None when not started here; stopped on leaving);
    None, with a message, when there is no binary."""
    if args.meili_url:
        yield args.meili_url, args.meili_key, None
        return
    from tests.search.conftest import MeiliServer, find_meilisearch

    binary = find_meilisearch()
    if binary is None:
        print("Meilisearch binary not found: set MEILI_BIN or run `make meilisearch`")
        yield None
        return
    server = MeiliServer(binary, workdir)
    server.start()
    try:
        yield server.url, server.key, server
    finally:
        server.stop()
