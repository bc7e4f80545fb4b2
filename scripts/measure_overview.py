"""Time the central overview and a province dashboard on a large synthetic directory.

Fills an empty database (``--url``, PostgreSQL or SQLite) with ``--people`` profiles (random
countries, hometowns, 1–3 fields, kinds, consents), open needs, active representatives and
initiatives, then measures in process (Flask test client, signed in) the pages
``/dashboard/overview`` and ``/dashboard/province/<largest>``, the API
``/api/v1/stats/overview`` and a CSV download, and prints p50/p95 in milliseconds::

    psql -h 127.0.0.1 -U postgres -c "create database overview_bench"
    .venv/bin/python scripts/measure_overview.py \\
        --url postgresql+psycopg://postgres@127.0.0.1:5432/overview_bench --people 100000

``--reuse`` keeps the rows an earlier run wrote (the schema is dropped and rebuilt otherwise).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

COUNTRIES = ["US", "FR", "DE", "JP", "AU", "CA", "GB", "KR", "RU", "CZ", "PL", "TW", "SG"]
COUNTRIES += ["NL", "CH", "SE", "BE", "IT", "NZ", "TH"]


def _weights(n: int) -> list[float]:
    return [1 / (i + 1) for i in range(n)]


def fill(people: int, seed: int = 13) -> None:
    from directory.accounts.models import User
    from directory.core.models import new_id, utcnow
    from directory.extensions import db
    from directory.initiatives.models import STATES, Initiative
    from directory.needs.models import Need
    from directory.people.models import Person
    from directory.reference.models import Field, Province
    from directory.representatives.models import Nomination

    rng = random.Random(seed)
    slugs = list(db.session.scalars(sa.select(Province.slug).order_by(Province.slug)))
    fields = list(db.session.scalars(sa.select(Field.code).order_by(Field.code)))
    rng.shuffle(slugs)
    rng.shuffle(fields)
    now = utcnow()
    rows = []
    for i in range(people):
        kinds = rng.choices(
            [["expert"], ["entrepreneur"], ["expert", "entrepreneur"], []], [60, 20, 5, 15]
        )[0]
        rows.append(
            {
                "id": new_id(),
                "full_name": f"Nguyễn Văn Thử {i}",
                "kinds": kinds,
                "fields": rng.sample(
                    rng.choices(fields, _weights(len(fields)), k=6), k=rng.randint(1, 3)
                ),
                "country": rng.choices(COUNTRIES, _weights(len(COUNTRIES)))[0],
                "hometown_province": rng.choices(slugs, _weights(len(slugs)))[0],
                "consent_listed": rng.random() < 0.8,
                "consent_contact": rng.random() < 0.6,
                "contact_requests_enabled": rng.random() < 0.9,
                "anonymised_at": now if rng.random() < 0.01 else None,
                "created_at": now - timedelta(days=rng.randint(0, 900)),
            }
        )
    for start in range(0, len(rows), 5000):
        db.session.execute(sa.insert(Person.__table__), rows[start : start + 5000])
        db.session.commit()
    admin = User(email="admin@bench.example", role="admin")
    officer = User(email="officer@bench.example", role="province", province_slug=slugs[0])
    db.session.add_all([admin, officer])
    db.session.flush()
    person_ids = [r["id"] for r in rows[:500]]
    for _ in range(300):
        db.session.add(
            Need(
                province_slug=rng.choice(slugs),
                title="Nhu cầu thử",
                type="expertise",
                fields=rng.sample(fields, rng.randint(1, 3)),
                status=rng.choice(["open", "open", "in_progress", "closed"]),
            )
        )
    seats = sorted({(rng.choice(slugs), rng.choice(COUNTRIES[:8])) for _ in range(150)})
    for slug, country in seats:  # one active representative per seat
        db.session.add(
            Nomination(
                province_slug=slug,
                person_id=rng.choice(person_ids),
                country=country,
                region="",
                rationale="Thử",
                state="active",
                created_by_id=admin.id,
            )
        )
    for _ in range(3000):
        db.session.add(
            Initiative(
                province_slug=None if rng.random() < 0.1 else rng.choice(slugs),
                title="Sáng kiến thử",
                fields=[rng.choice(fields)],
                text="Thử.",
                links=[],
                state=rng.choice(STATES),
                due_on=(now + timedelta(days=rng.randint(-60, 30))).date(),
            )
        )
    db.session.commit()


def timed(client, path: str, rounds: int) -> tuple[float, float]:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    times.sort()
    return statistics.median(times), times[max(0, round(0.95 * len(times)) - 1)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()

    from directory import create_app
    from directory.accounts.models import User
    from directory.extensions import db
    from directory.people.models import Person
    from directory.reference.loader import sync_reference_data

    app = create_app(
        {
            "SECRET_KEY": "measure",
            "SQLALCHEMY_DATABASE_URI": args.url,
            "INSTANCE_PATH": tempfile.mkdtemp(),
            "SEARCH_BACKEND": "sqlite",
            "MEILI_URL": None,
            "MAIL_SERVER": None,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        if not args.reuse:
            db.drop_all()
            db.create_all()
            sync_reference_data()
            started = time.perf_counter()
            fill(args.people)
            print(f"filled {args.people} profiles in {time.perf_counter() - started:.0f} s")
            with db.engine.begin() as conn:
                if db.engine.dialect.name == "postgresql":
                    conn.execute(sa.text("ANALYZE"))
        total = db.session.scalar(sa.select(sa.func.count()).select_from(Person))
        admin = db.session.scalar(sa.select(User).where(User.role == "admin"))
        officer = db.session.scalar(sa.select(User).where(User.role == "province"))
        client = app.test_client()
        print(
            f"{total} profiles on {db.engine.dialect.name}; p50 / p95 in ms, {args.rounds} rounds"
        )
        for user, paths in (
            (
                admin,
                [
                    "/dashboard/overview",
                    "/api/v1/stats/overview",
                    "/dashboard/overview/fields-without-matches.csv",
                ],
            ),
            (officer, [f"/dashboard/province/{officer.province_slug}"]),
        ):
            with client.session_transaction() as session:
                session["_user_id"] = user.id
                session["_fresh"] = True
            for path in paths:
                client.get(path)  # warm
                p50, p95 = timed(client, path, args.rounds)
                print(f"{path:55} {p50:7.1f} {p95:7.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
