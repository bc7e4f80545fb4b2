"""Two steps on one initiative at the same moment: exactly one is taken, on SQLite and PostgreSQL.

Each step is a real API request from its own thread and test client. A barrier inside the
service holds both requests after they have read the initiative and checked it, right before
the compare-and-set, so that both believe the step is possible.
"""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from directory.accounts.models import User
from directory.audit import AuditEvent
from directory.core.models import utcnow
from directory.extensions import db as _db
from directory.initiatives import services
from directory.initiatives.models import Initiative, InitiativeEvent
from tests.factories import PersonFactory, UserFactory
from tests.races import bearer, together

RUNS = 3


@pytest.fixture
def people(race_app):
    member = UserFactory(person_id=PersonFactory(full_name="Lê Thị Thu Hà").id)
    cast = {
        "member": member,
        "officer": UserFactory(province_officer=True),
        "colleague": UserFactory(province_officer=True),
        "approver": UserFactory(approver=True),
        "approver2": UserFactory(approver=True),
    }
    return {role: user.id for role, user in cast.items()}


@pytest.fixture
def meet(race_app, monkeypatch):
    barrier = threading.Barrier(2, timeout=20)
    real = services._claim

    def claim(*args):
        barrier.wait()
        return real(*args)

    monkeypatch.setattr(services, "_claim", claim)
    return barrier


def _initiative(people, state: str, assignee: str | None = None) -> str:
    now = utcnow()
    initiative = Initiative(
        submitter_id=people["member"],
        province_slug="da-nang",
        title="Đào tạo thiết kế vi mạch",
        fields=["semiconductors"],
        text="Khóa học 12 tuần.",
        links=[],
        state=state,
        version=1,
        received_at=now,
        due_on=services.vietnam_date(now),
        assignee_id=people[assignee] if assignee else None,
        answer="Đồng ý." if state == "answered" else None,
    )
    _db.session.add(initiative)
    _db.session.commit()
    return initiative.id


RACES = [
    ("answered", None, ("approver", "adopt", {}), ("approver2", "decline", {})),
    ("received", None, ("officer", "triage", {}), ("colleague", "forward", {"province": "hue"})),
    (
        "triaged",
        None,
        ("officer", "assign", {"assignee_id": "colleague"}),
        ("approver", "assign", {"assignee_id": "officer"}),
    ),
    (
        "under_review",
        "colleague",
        ("colleague", "answer", {"answer": "Có"}),
        ("member", "withdraw", {}),
    ),
]


@pytest.mark.parametrize(
    ("state", "assignee", "first", "second"),
    RACES,
    ids=["adopt-vs-decline", "triage-vs-forward", "assign-vs-assign", "answer-vs-withdraw"],
)
def test_of_two_simultaneous_steps_exactly_one_is_taken(
    race_app, people, meet, state, assignee, first, second
):
    headers = {role: bearer(_db.session.get(User, people[role])) for role in (first[0], second[0])}
    for _run in range(RUNS):
        initiative_id = _initiative(people, state, assignee)
        calls = []
        for role, action, body in (first, second):
            body = {k: (people[v] if k == "assignee_id" else v) for k, v in body.items()}
            path = f"/api/v1/initiatives/{initiative_id}/{action}"
            calls.append((race_app.test_client(), path, {"json": body, "headers": headers[role]}))
        responses = together(calls)

        statuses = sorted(getattr(r, "status_code", repr(r)) for r in responses)
        assert statuses == [200, 409], [getattr(r, "get_json", lambda r=r: r)() for r in responses]
        loser = next(r for r in responses if r.status_code == 409)
        assert loser.get_json()["error"]["code"] == "changed_meanwhile"
        _db.session.expire_all()
        events = _db.session.scalars(
            sa.select(InitiativeEvent.action).where(InitiativeEvent.initiative_id == initiative_id)
        ).all()
        audits = _db.session.scalars(
            sa.select(AuditEvent.action).where(
                AuditEvent.object_type == "initiatives", AuditEvent.object_id == initiative_id
            )
        ).all()
        row = _db.session.execute(
            sa.select(Initiative.state, Initiative.version).where(Initiative.id == initiative_id)
        ).one()
        assert len(events) == 1 and audits == [f"initiative.{events[0]}"]
        assert row.version == 2
