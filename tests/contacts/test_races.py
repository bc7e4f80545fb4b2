"""Two requests from one official to one person at the same moment: exactly one is stored.

Each request is a real API call from its own thread and test client (its own application
context and database session), on the suite's SQLite file database and on PostgreSQL. A
barrier holds both after their check for a pending request and before their first write, so
both pass the check: the partial unique index decides (the requester's lock, which serialises
them in the product, is left out), and the loser is the same 409 as the check's, with nothing
written. The race is run several times. The daily limit is raced the same way, with the lock.
"""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from directory.audit import AuditEvent
from directory.contacts import services
from directory.contacts.models import ContactRequest
from directory.extensions import db as _db
from directory.notices.models import Notice
from tests.factories import PersonFactory, UserFactory
from tests.races import bearer, together

RUNS = 4


@pytest.fixture
def meet(race_app, monkeypatch):
    """Hold both requests after their check for a pending request, before they write."""
    barrier = threading.Barrier(2, timeout=20)
    real = services._check_pending

    def check(by, person):
        real(by, person)
        barrier.wait()

    monkeypatch.setattr(services, "_check_pending", check)
    # Without the requester's lock (which would serialise the two before the check): the
    # partial unique index, the last line of defence, is what this race tests.
    monkeypatch.setattr(services, "_lock_requester", lambda by: None)
    return barrier


def test_of_two_simultaneous_requests_exactly_one_is_stored(race_app, meet):
    officer = UserFactory(province_officer=True, email="officer@danang.gov.vn")
    headers = bearer(officer)
    for run in range(RUNS):
        person = PersonFactory(full_name=f"Võ Thành Nhân {run}")
        member = UserFactory(person_id=person.id, email=f"nhan{run}@example.fr")
        person_id, member_id = person.id, member.id
        body = {"person_id": person_id, "message": "Xin được kết nối."}
        responses = together(
            [
                (
                    race_app.test_client(),
                    "/api/v1/contact-requests",
                    {"json": body, "headers": headers},
                )
                for _ in range(2)
            ]
        )

        statuses = sorted(getattr(r, "status_code", repr(r)) for r in responses)
        assert statuses == [201, 409], [getattr(r, "get_json", lambda r=r: r)() for r in responses]
        loser = next(r for r in responses if r.status_code == 409)
        assert loser.get_json()["error"]["code"] == "already_pending"
        _db.session.expire_all()
        stored = _db.session.scalars(
            sa.select(ContactRequest.id).where(ContactRequest.person_id == person_id)
        ).all()
        assert len(stored) == 1
        notices = _db.session.scalars(sa.select(Notice.id).where(Notice.user_id == member_id))
        assert len(notices.all()) == 1
        audits = _db.session.scalars(
            sa.select(AuditEvent.id).where(
                AuditEvent.action == "contact_request.create",
                AuditEvent.object_id == stored[0],
            )
        )
        assert len(audits.all()) == 1
    total = _db.session.scalar(sa.select(sa.func.count(ContactRequest.id)))
    assert total == RUNS


def test_two_simultaneous_requests_cannot_pass_the_daily_limit(race_app, monkeypatch):
    """With one request left today, two at once to two people: one is stored, the other is
    the daily limit's 429, although both passed the limit's first (unlocked) check."""
    race_app.config["CONTACT_REQUESTS_PER_DAY"] = 1
    barrier = threading.Barrier(2, timeout=20)
    real = services._lock_requester

    def lock(by):
        barrier.wait()  # both have passed the unlocked check of the limit
        real(by)

    monkeypatch.setattr(services, "_lock_requester", lock)
    officer = UserFactory(province_officer=True, email="limit@danang.gov.vn")
    people = []
    for n in range(2):
        person = PersonFactory(full_name=f"Đặng Thu Hà {n}")
        UserFactory(person_id=person.id, email=f"ha{n}@example.de")
        people.append(person.id)
    officer_id = officer.id
    headers = bearer(officer)
    calls = [
        (
            race_app.test_client(),
            "/api/v1/contact-requests",
            {"json": {"person_id": p, "message": "Xin chào."}, "headers": headers},
        )
        for p in people
    ]
    responses = together(calls)

    statuses = sorted(getattr(r, "status_code", repr(r)) for r in responses)
    assert statuses == [201, 429], [getattr(r, "get_json", lambda r=r: r)() for r in responses]
    _db.session.expire_all()
    stored = _db.session.scalar(
        sa.select(sa.func.count(ContactRequest.id)).where(ContactRequest.requester_id == officer_id)
    )
    assert stored == 1
