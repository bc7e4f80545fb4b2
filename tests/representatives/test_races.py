"""Two people decide on one nomination at the same moment: exactly one decision is taken.

Each decision is a real request, from its own thread with its own test client (so its own
application context and database session), on the suite's SQLite file database and on
PostgreSQL. The threads are released together by a barrier, and a second barrier inside the
workflow makes both requests read the nomination before either writes (SQLite: right after
the read, since nothing blocks there; PostgreSQL: right before the row lock, which then makes
one wait for the other). Every race is run several times.
"""

from __future__ import annotations

import email
import os
import shutil
import sqlite3
import threading
from email import policy as email_policy

import pytest
import sqlalchemy as sa

from directory import extensions
from directory.accounts.models import User
from directory.audit import AuditEvent
from directory.core.models import utcnow
from directory.extensions import db as _db
from directory.representatives import nominating, workflow
from directory.representatives.models import Nomination, NominationEvent
from tests.factories import MissionFactory, PersonFactory, UserFactory
from tests.races import bearer, together

RUNS = 4
CHANGED = "This nomination was changed by someone else meanwhile"


@pytest.fixture
def people(race_app):
    """Đà Nẵng's officer and two approvers, two Paris officers, a verified nominee in France."""
    paris = MissionFactory(code="FR-PARIS", countries=["FR"])
    nominee = PersonFactory(
        full_name="Nguyễn Văn Dũng", verified_at=utcnow(), verified_by_mission_id=paris.id
    )
    rival = PersonFactory(full_name="Lê Minh Đức")
    cast = {
        "officer": UserFactory(province_officer=True, email="officer@danang.gov.vn"),
        "approver": UserFactory(approver=True, email="approver@danang.gov.vn"),
        "approver2": UserFactory(approver=True, email="approver2@danang.gov.vn"),
        "embassy": UserFactory(role="embassy", mission=paris, email="one@paris.example"),
        "embassy2": UserFactory(role="embassy", mission=paris, email="two@paris.example"),
        "nominee": UserFactory(person_id=nominee.id, email="dung@example.fr"),
    }
    return {role: user.id for role, user in cast.items()} | {
        "person": nominee.id,
        "rival": rival.id,
    }


@pytest.fixture
def meet(race_app, monkeypatch):
    """Hold both requests inside the workflow until both have read the nomination."""
    barrier = threading.Barrier(2, timeout=20)
    postgres = _db.engine.dialect.name == "postgresql"

    def hold(real):
        def lock(nomination):
            if postgres:  # the row lock blocks: meet before it
                barrier.wait()
                return real(nomination)
            rows = real(nomination)  # nothing blocks a read on SQLite: meet after it
            barrier.wait()
            return rows

        return lock

    monkeypatch.setattr(workflow, "_lock", hold(workflow._lock))
    monkeypatch.setattr(workflow, "_lock_seat", hold(workflow._lock_seat))
    return barrier


_runs = iter(range(1_000_000))


def _nomination(people, state: str) -> str:
    """A nomination of the nominee in ``state``, for a seat of its own; returns its id."""
    now = utcnow()
    nomination = Nomination(
        province_slug="da-nang",
        person_id=people["person"],
        country="FR",
        region=f"Vùng {next(_runs)}",
        rationale="Chuyên gia vi mạch hàng đầu, gắn bó với Đà Nẵng.",
        state=state,
        created_by_id=people["officer"],
        submitted_at=now,
        consent_requested_at=now if state == "awaiting_approval" else None,
    )
    _db.session.add(nomination)
    _db.session.commit()
    return nomination.id


def _mailbox(app) -> str:
    return os.path.join(app.instance_path, "mail")


def _recipients(app) -> list[str]:
    folder = _mailbox(app)
    if not os.path.isdir(folder):
        return []
    found = []
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name), "rb") as fh:
            msg = email.message_from_binary_file(fh, policy=email_policy.default)
        found.append(str(msg["To"]))
    return found


def _trail(nomination_id: str) -> tuple[list[str], list[str], str]:
    _db.session.expire_all()
    events = _db.session.scalars(
        sa.select(NominationEvent.action).where(NominationEvent.nomination_id == nomination_id)
    ).all()
    audits = _db.session.scalars(
        sa.select(AuditEvent.action).where(
            AuditEvent.object_type == "nominations", AuditEvent.object_id == nomination_id
        )
    ).all()
    state = _db.session.scalar(sa.select(Nomination.state).where(Nomination.id == nomination_id))
    return list(events), list(audits), state


@pytest.mark.parametrize(
    ("start", "first", "second"),
    [
        ("awaiting_approval", ("approver", "approve"), ("approver2", "reject")),
        ("awaiting_approval", ("approver", "approve"), ("approver2", "approve")),
        ("embassy_review", ("embassy", "endorse"), ("embassy2", "object")),
    ],
    ids=["approve-vs-reject", "approve-vs-approve", "endorse-vs-object"],
)
def test_of_two_simultaneous_decisions_exactly_one_is_taken(
    race_app, people, meet, start, first, second
):
    headers = {role: bearer(_db.session.get(User, people[role])) for role in (first[0], second[0])}
    for _run in range(RUNS):
        nomination_id = _nomination(people, start)
        shutil.rmtree(_mailbox(race_app), ignore_errors=True)
        calls = [
            (
                race_app.test_client(),
                f"/api/v1/nominations/{nomination_id}/{action}",
                {"json": {"comment": "Lý do: đã cân nhắc kỹ."}, "headers": headers[role]},
            )
            for role, action in (first, second)
        ]
        responses = together(calls)

        statuses = sorted(getattr(r, "status_code", repr(r)) for r in responses)
        assert statuses == [200, 409], [getattr(r, "get_json", lambda r=r: r)() for r in responses]
        winner = next(r for r in responses if r.status_code == 200)
        loser = next(r for r in responses if r.status_code == 409)
        error = loser.get_json()["error"]
        assert error["code"] == "changed_meanwhile"
        assert error["message"].startswith(CHANGED)
        events, audits, state = _trail(nomination_id)
        assert len(events) == 1 and len(audits) == 1, (events, audits)
        assert audits == [f"nomination.{events[0]}"]
        assert state == winner.get_json()["state"]
        recipients = _recipients(race_app)
        assert recipients, "the winning decision notifies"
        assert len(recipients) == len(set(recipients)), recipients  # nobody heard twice
        assert recipients.count("officer@danang.gov.vn") == 1


def _signed_in(app, user_id: str):
    """A browser signed in as the user, officials with their second factor."""
    from directory.accounts.models import User
    from directory.extensions import db as _db
    from tests.conftest import sign_in_client

    client = sign_in_client(app.test_client(), _db.session.get(User, user_id))
    with client.session_transaction() as session:
        session["lang"] = "en"
    return client


def test_on_the_pages_the_second_of_two_simultaneous_decisions_is_a_message(race_app, people, meet):
    for _run in range(RUNS):
        nomination_id = _nomination(people, "awaiting_approval")
        clients = [_signed_in(race_app, people[r]) for r in ("approver", "approver2")]
        calls = [
            (
                client,
                f"/nominations/{nomination_id}/{action}",
                # "confirmed": the page's confirmation step of a rejection, already taken.
                {
                    "data": {f"{action}-comment": "", "confirmed": "1"},
                    "headers": {"Accept-Language": "en"},
                },
            )
            for client, action in zip(clients, ("approve", "reject"), strict=True)
        ]
        responses = together(calls)

        assert [getattr(r, "status_code", r) for r in responses] == [303, 303]
        pages = [
            c.get(f"/nominations/{nomination_id}", headers={"Accept-Language": "en"})
            for c in clients
        ]
        texts = [p.get_data(as_text=True) for p in pages]
        assert [p.status_code for p in pages] == [200, 200]
        assert sum(CHANGED in text for text in texts) == 1
        events, _audits, state = _trail(nomination_id)
        assert len(events) == 1
        assert state in ("active", "rejected")


@pytest.fixture
def meet_before_creating(race_app, monkeypatch):
    """Hold both creations after their checks of the input, before their first write."""
    barrier = threading.Barrier(2, timeout=20)
    real = nominating.guard_seat

    def guard(*seat):
        barrier.wait()
        return real(*seat)

    monkeypatch.setattr(nominating, "guard_seat", guard)
    return barrier


def test_of_two_simultaneous_nominations_for_one_seat_exactly_one_is_created(
    race_app, people, meet_before_creating
):
    headers = {
        role: bearer(_db.session.get(User, people[role])) for role in ("officer", "approver")
    }
    for run in range(RUNS):
        region = f"Đua {run}"
        calls = [
            (
                race_app.test_client(),
                "/api/v1/nominations",
                {
                    "json": {
                        "person_id": people[person],
                        "country": "FR",
                        "region": region,
                        "rationale": "Ứng viên",
                    },
                    "headers": headers[role],
                },
            )
            for role, person in (("officer", "person"), ("approver", "rival"))
        ]
        responses = together(calls)

        statuses = sorted(getattr(r, "status_code", repr(r)) for r in responses)
        assert statuses == [201, 409], [getattr(r, "get_json", lambda r=r: r)() for r in responses]
        loser = next(r for r in responses if r.status_code == 409)
        assert loser.get_json()["error"]["code"] == "seat_pending"
        _db.session.expire_all()
        seat = _db.session.scalars(
            sa.select(Nomination.id).where(Nomination.region == region)
        ).all()
        assert len(seat) == 1


def test_a_database_locked_too_long_is_a_409_that_changes_nothing(
    cast, nomination_in, bearer, make_app, monkeypatch, db, trail
):
    """SQLite: another connection holds the write lock past the busy timeout."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's database-wide write lock")
    monkeypatch.setattr(extensions, "SQLITE_BUSY_TIMEOUT_MS", 200)
    nomination = nomination_in("awaiting_approval")
    headers = {**bearer(cast["approver"]), "Accept-Language": "en"}
    client = make_app().test_client()  # a new engine, whose connections wait 200 ms
    # Read once first, so that the token's last use is already recorded (no write then).
    assert client.get(f"/api/v1/nominations/{nomination.id}", headers=headers).status_code == 200

    blocker = sqlite3.connect(db.engine.url.database, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        response = client.post(f"/api/v1/nominations/{nomination.id}/approve", headers=headers)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()

    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "busy"
    assert error["message"].startswith("Someone else is changing this nomination right now")
    assert trail(nomination) == ([], [])
    assert db.session.get(Nomination, nomination.id).state == "awaiting_approval"
