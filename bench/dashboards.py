"""Dashboards benchmark: the province and mission dashboards and the province's stats API.

    .venv/bin/python bench/dashboards.py --people 100000 \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/kieubao_bench
    .venv/bin/python bench/dashboards.py --people 100000 --sqlite --workdir /tmp/bench100k

On the synthetic directory of ``bench/search.py`` (the same generator) loaded into PostgreSQL
(``--database-url``, or ``BENCH_DATABASE_URL``) and/or SQLite (``--sqlite``: the file in
``--workdir``, shared with the other benchmarks), it adds the work around the profiles (5 % of
them claimed by a member account; every province's officer with needs and interest,
initiatives in every state, contact requests, nominations; the Paris embassy with claim
invitations and imports), then measures through the Flask test client, in process:

- ``GET /dashboard/province/da-nang`` as the Đà Nẵng officer (signed-in session);
- ``GET /dashboard/mission`` as the Paris embassy officer (signed-in session);
- ``GET /api/v1/stats/province/da-nang`` as the Đà Nẵng officer (bearer token);
- ``GET /dashboard/overview``, ``GET /api/v1/stats/overview`` and the overview's people-by-field
  CSV download as the admin.

Each page ``--requests`` times after one warm-up request; p50/p95 per page, against the issue's
target of 300 ms p95. ``--explain`` also lists each page's slowest SQL statements.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import fmt_ms, load_database, make_app, percentile, workdir_of  # noqa: E402

TARGET_MS = 300
PROVINCE = "da-nang"
MISSION = ("FR-PARIS", "Đại sứ quán Việt Nam tại Pháp", ["FR", "MC"])
OFFICER = "bench.officer.da-nang@example.org"
EMBASSY = "bench.embassy.fr-paris@example.org"
ADMIN = "bench.admin@example.org"
CLAIMED_SHARE = 0.05
NEEDS_PER_PROVINCE = 10
INITIATIVES_PER_PROVINCE = 30
REQUESTS_PER_OFFICER = 60
NOMINATIONS_PER_PROVINCE = 6


def _ids(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{i:0{16 - len(prefix)}x}" for i in range(n)]


def add_work(app, people: int) -> bool:
    """The records around the profiles (once per database); False when already there."""
    import sqlalchemy as sa

    from directory.accounts.models import EmailToken, User
    from directory.contacts.models import ContactRequest
    from directory.extensions import db
    from directory.imports.models import ImportBatch
    from directory.initiatives.models import STATES as INITIATIVE_STATES
    from directory.initiatives.models import Initiative
    from directory.missions.models import Mission, MissionCountry
    from directory.needs.models import Need, NeedInterest
    from directory.people.models import Person
    from directory.reference.provinces import all_provinces
    from directory.representatives.models import Nomination

    with app.app_context():
        if db.session.scalar(sa.select(User.id).where(User.email == OFFICER)):
            return False
        rng = random.Random(13)
        now = datetime.now(UTC)
        today = date.today()
        insert = db.session.execute
        code, name, countries = MISSION
        mission = db.session.scalar(sa.select(Mission).where(Mission.code == code))
        if mission is None:
            mission = Mission(code=code, name=name, kind="embassy", city="Paris")
            mission.country_links = [MissionCountry(country=c) for c in countries]
            db.session.add(mission)
            db.session.flush()
        slugs = [p.slug for p in all_provinces()]
        officers = {slug: f"bu{i:014x}" for i, slug in enumerate(slugs)}
        users = [
            {"id": uid, "email": f"bench.officer.{slug}@example.org", "role": "province",
             "province_slug": slug, "is_approver": False, "email_verified_at": now}
            for slug, uid in officers.items()
        ]  # fmt: skip
        users.append(
            {"id": "bu" + "a" * 14, "email": "bench.approver.da-nang@example.org",
             "role": "province", "province_slug": PROVINCE, "is_approver": True,
             "email_verified_at": now}
        )  # fmt: skip
        embassy_id = "bu" + "e" * 14
        users.append(
            {"id": embassy_id, "email": EMBASSY, "role": "embassy", "mission_id": mission.id,
             "email_verified_at": now}
        )  # fmt: skip
        person_ids = [f"{i:016x}" for i in range(people)]
        claimed = sorted(rng.sample(person_ids, int(people * CLAIMED_SHARE)))
        members = _ids("bm", len(claimed))
        users += [
            {"id": uid, "email": f"member{n}@example.net", "role": "member", "person_id": pid,
             "email_verified_at": now}
            for n, (uid, pid) in enumerate(zip(members, claimed, strict=True))
        ]  # fmt: skip
        for start in range(0, len(users), 5000):
            insert(sa.insert(User), users[start : start + 5000])

        needs, interests, initiatives, requests, nominations = [], [], [], [], []
        need_ids = iter(_ids("bn", len(slugs) * NEEDS_PER_PROVINCE))
        initiative_ids = iter(_ids("bi", len(slugs) * INITIATIVES_PER_PROVINCE))
        nomination_ids = iter(_ids("bo", len(slugs) * NOMINATIONS_PER_PROVINCE))
        request_ids = iter(_ids("br", len(slugs) * REQUESTS_PER_OFFICER))
        interest_ids = iter(_ids("bx", len(slugs) * NEEDS_PER_PROVINCE * 5))
        for slug, officer in officers.items():
            for n in range(NEEDS_PER_PROVINCE):
                need_id = next(need_ids)
                needs.append(
                    {"id": need_id, "province_slug": slug, "title": f"Need {n} of {slug}",
                     "description": "", "type": "expertise", "fields": ["semiconductors"],
                     "countries": ["FR"], "milestones": [], "audience": ("public", "officials")[n % 2],
                     "status": ("open", "open", "in_progress", "closed")[n % 4],
                     "created_by_id": officer, "created_at": now, "updated_at": now}
                )  # fmt: skip
                interests += [
                    {"id": next(interest_ids), "need_id": need_id, "person_id": pid,
                     "message": "", "created_at": now}
                    for pid in rng.sample(claimed, 5)
                ]  # fmt: skip
            for n in range(INITIATIVES_PER_PROVINCE):
                received = now - timedelta(days=rng.randint(1, 90))
                initiatives.append(
                    {"id": next(initiative_ids), "submitter_id": rng.choice(members),
                     "province_slug": slug, "title": f"Initiative {n}", "fields": [],
                     "text": "…", "links": [], "state": INITIATIVE_STATES[n % 8], "version": 1,
                     "received_at": received, "due_on": received.date() + timedelta(days=30),
                     "assignee_id": officer if n % 8 in (2, 3) else None,
                     "created_at": received, "updated_at": received}
                )  # fmt: skip
            for n, pid in enumerate(rng.sample(claimed, REQUESTS_PER_OFFICER)):
                state = ("pending", "accepted", "declined", "withdrawn", "expired")[n % 5]
                requests.append(
                    {"id": next(request_ids), "person_id": pid, "requester_id": officer,
                     "message": "…", "state": state, "shared": ["email"] if state == "accepted" else [],
                     "expires_at": now + timedelta(days=20), "created_at": now, "updated_at": now}
                )  # fmt: skip
            for n in range(NOMINATIONS_PER_PROVINCE):
                state = (
                    "draft",
                    "embassy_review",
                    "awaiting_approval",
                    "active",
                    "active",
                    "expired",
                )[n]
                nominations.append(
                    {"id": next(nomination_ids), "province_slug": slug,
                     "person_id": rng.choice(claimed), "country": rng.choice(["FR", "DE", "US"]),
                     "region": f"R{n}", "rationale": "…", "state": state,
                     "term_end": today + timedelta(days=(30, 400)[n % 2]) if state == "active" else None,
                     "created_by_id": officer, "created_at": now, "updated_at": now}
                )  # fmt: skip
        for table, rows in (
            (Need, needs),
            (NeedInterest, interests),
            (Initiative, initiatives),
            (ContactRequest, requests),
            (Nomination, nominations),
        ):
            for start in range(0, len(rows), 5000):
                insert(sa.insert(table), rows[start : start + 5000])

        taken = set(claimed)
        french = db.session.scalars(
            sa.select(Person.id).where(Person.country == "FR").order_by(Person.id).limit(5000)
        ).all()
        unclaimed_fr = [pid for pid in french if pid not in taken][:300]
        insert(
            sa.insert(EmailToken),
            [
                {"id": f"bt{n:014x}", "purpose": "claim", "token_hash": f"{n:064x}",
                 "email": f"p{int(pid, 16)}@example.net", "person_id": pid,
                 "created_by_id": embassy_id, "created_at": now,
                 "expires_at": now + timedelta(days=(-3, 10)[n % 2])}
                for n, pid in enumerate(unclaimed_fr)
            ],
        )  # fmt: skip
        insert(
            sa.insert(ImportBatch),
            [
                {"id": f"bb{n:014x}", "file_name": f"list-{n}.csv", "mission_id": mission.id,
                 "uploaded_by_id": embassy_id, "locale": "vi",
                 "status": ("ready", "done", "done", "queued")[n % 4], "details": {},
                 "unknown_columns": [], "created_at": now, "updated_at": now}
                for n in range(12)
            ],
        )  # fmt: skip
        db.session.commit()
        return True


def ensure_admin(app) -> None:
    """The admin who reads the central overview (added to a database an earlier run filled)."""
    import sqlalchemy as sa

    from directory.accounts.models import User
    from directory.extensions import db

    with app.app_context():
        if db.session.scalar(sa.select(User.id).where(User.email == ADMIN)) is None:
            db.session.execute(
                sa.insert(User),
                [{"id": "bu" + "d" * 14, "email": ADMIN, "role": "admin",
                  "email_verified_at": datetime.now(UTC)}],
            )  # fmt: skip
            db.session.commit()


def signed_in(app, email: str):
    """A test client whose session is ``email``'s, as after the sign-in form: for officials,
    through the real second step (a code computed from their secret, enrolling them first)."""
    import time

    import pyotp
    import sqlalchemy as sa

    from directory.accounts import two_factor
    from directory.accounts.models import User
    from directory.extensions import db

    client = app.test_client()
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        needs_code = two_factor.required_for(user) or bool(user.totp_secret)
        if needs_code and not user.totp_secret:
            user.totp_secret = pyotp.random_base32()
            db.session.commit()
        user_id, secret = user.id, user.totp_secret
    if not needs_code:
        with client.session_transaction() as session:
            session["_user_id"] = user_id
            session["_fresh"] = True
        return client
    with client.session_transaction() as session:
        # Where a correct password leaves the sign-in (accounts.views.login).
        session["totp_user"] = user_id
        session["totp_at"] = int(time.time())
    csrf = app.config.get("WTF_CSRF_ENABLED", True)
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        response = client.post("/login/code", data={"code": pyotp.TOTP(secret).now()})
    finally:
        app.config["WTF_CSRF_ENABLED"] = csrf
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


def bearer(app, email: str) -> dict:
    import sqlalchemy as sa

    from directory.accounts.models import User
    from directory.accounts.tokens import create_token
    from directory.extensions import db

    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        _token, raw = create_token(user, "bench")
        db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


def statements(app, client, path: str, headers=None, top: int = 6) -> list[tuple[float, str]]:
    """The slowest SQL statements of one request: (milliseconds, statement)."""
    from sqlalchemy import event

    from directory.extensions import db

    with app.app_context():
        engine = db.engine
    timings: list[tuple[float, str]] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        context._bench_start = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        timings.append(((time.perf_counter() - context._bench_start) * 1000, statement))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        client.get(path, headers=headers or {})
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    print(f"          {len(timings)} statements, {sum(t for t, _ in timings):.1f} ms in SQL")
    return sorted(timings, reverse=True)[:top]


def measure(app, requests: int, explain: bool) -> dict[str, list[float]]:
    ensure_admin(app)
    admin = signed_in(app, ADMIN)
    pages = [
        ("province", signed_in(app, OFFICER), f"/dashboard/province/{PROVINCE}", None),
        ("mission", signed_in(app, EMBASSY), "/dashboard/mission", None),
        ("api", app.test_client(), f"/api/v1/stats/province/{PROVINCE}", bearer(app, OFFICER)),
        ("overview", admin, "/dashboard/overview", None),
        ("overview-api", app.test_client(), "/api/v1/stats/overview", bearer(app, ADMIN)),
        ("overview-csv", admin, "/dashboard/overview/by-field.csv", None),
    ]
    out: dict[str, list[float]] = {name: [] for name, *_ in pages}
    for name, client, path, headers in pages:
        response = client.get(path, headers=headers or {})  # warm up
        assert response.status_code == 200, (path, response.status_code)
        for _ in range(requests):
            t = time.perf_counter()
            response = client.get(path, headers=headers or {})
            out[name].append(time.perf_counter() - t)
            assert response.status_code == 200, (path, response.status_code)
        if explain:
            print(f"\n  {path}")
            for ms, sql in statements(app, client, path, headers):
                print(f"  {ms:7.1f} ms  {' '.join(sql.split())[:150]}")
    return out


def report(name: str, lat: dict[str, list[float]]) -> None:
    print(f"\n== {name} ==")
    labels = {
        "province": f"GET /dashboard/province/{PROVINCE}",
        "mission": "GET /dashboard/mission",
        "api": f"GET /api/v1/stats/province/{PROVINCE}",
        "overview": "GET /dashboard/overview",
        "overview-api": "GET /api/v1/stats/overview",
        "overview-csv": "GET /dashboard/overview/by-field.csv",
    }
    for key, label in labels.items():
        p95 = percentile(lat[key], 0.95) * 1000
        verdict = "met" if p95 < TARGET_MS else "NOT met"
        print(f"{label:38} {fmt_ms(lat[key])}   (< {TARGET_MS} ms: {verdict})")


def run(name: str, db_url: str, workdir: Path, args) -> None:
    from directory.people.models import Person

    app = make_app(workdir / f"instance-dashboards-{name.split()[0].lower()}", db_url, "sqlite")
    seconds = load_database(app, args.people)
    added = add_work(app, args.people)
    with app.app_context():
        import sqlalchemy as sa

        from directory.extensions import db

        count = db.session.scalar(sa.select(sa.func.count()).select_from(Person))
        if db.engine.dialect.name == "postgresql":
            # As autovacuum leaves a table after a bulk insert: statistics and the visibility
            # map (which lets the covering indexes answer without reading the table).
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("VACUUM ANALYZE"))
    shown = db_url.split("@")[-1] if "@" in db_url else db_url
    print(
        f"\n{count} synthetic profiles in {shown} (loaded in {seconds:.0f} s"
        f"{', the work around them added' if added else ''})"
    )
    report(name, measure(app, args.requests, args.explain))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=100000)
    parser.add_argument("--requests", type=int, default=50, help="requests per page")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL"),
        help="PostgreSQL (an empty database, or one an earlier run filled)",
    )
    parser.add_argument("--sqlite", action="store_true", help="also on SQLite in --workdir")
    parser.add_argument("--workdir", default=None, help="keep the SQLite database here (reused)")
    parser.add_argument("--explain", action="store_true", help="list each page's slowest SQL")
    args = parser.parse_args()
    if not args.database_url and not args.sqlite:
        parser.error("give --database-url (PostgreSQL), --sqlite, or both")

    workdir = workdir_of(args)
    print(f"{args.requests} requests per page after one warm-up, target p95 < {TARGET_MS} ms")
    if args.database_url:
        run("PostgreSQL", args.database_url, workdir, args)
    if args.sqlite:
        run("SQLite", f"sqlite:///{workdir / f'bench-{args.people}.sqlite3'}", workdir, args)


if __name__ == "__main__":
    main()
