"""Two approvers approve competing nominations for one seat at the same moment: one wins.

Each approver runs in its own thread, with its own app (engine) and session, on PostgreSQL.
Both pass their checks before either takes the seat lock (a barrier holds them there), so the
test exercises the lock and the partial unique index, not luck in scheduling.
"""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from directory.accounts.models import User
from directory.extensions import db as _db
from directory.representatives import refusals, workflow
from directory.representatives.models import Nomination
from tests.factories import MissionFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.postgres


def _seat_race(pg_app, make_app, monkeypatch, lock):
    """Approve two nominations for Đà Nẵng in France from two threads; returns the outcomes."""
    approver = UserFactory(approver=True)
    MissionFactory(countries=["FR"])
    ids = []
    for name in ("Nguyễn Văn Dũng", "Lê Minh Đức"):
        person = PersonFactory(full_name=name)
        nomination = Nomination(
            province_slug="da-nang",
            person_id=person.id,
            country="FR",
            region="",
            rationale="Ứng viên",
            state="awaiting_approval",
        )
        _db.session.add(nomination)
        _db.session.commit()
        ids.append(nomination.id)
    approver_id = approver.id
    _db.session.remove()

    barrier = threading.Barrier(2, timeout=20)
    monkeypatch.setattr(workflow, "_lock_seat", lock(workflow._lock_seat, barrier))
    apps = [make_app(SQLALCHEMY_DATABASE_URI=pg_app.config["SQLALCHEMY_DATABASE_URI"]) for _ in ids]
    outcomes: dict[str, object] = {}

    def approve(app, nomination_id):
        with app.app_context():
            try:
                nomination = _db.session.get(Nomination, nomination_id)
                actor = _db.session.get(User, approver_id)
                workflow.approve(nomination, actor, "Phê duyệt")
                outcomes[nomination_id] = "active"
            except refusals.WorkflowError as exc:
                outcomes[nomination_id] = (exc.status, exc.code)
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                outcomes[nomination_id] = repr(exc)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=approve, args=pair) for pair in zip(apps, ids, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    states = _db.session.scalars(sa.select(Nomination.state).where(Nomination.id.in_(ids))).all()
    return outcomes, sorted(states)


def _after_barrier(real, barrier):
    def lock(nomination):
        barrier.wait()
        return real(nomination)

    return lock


def _own_row_only(real, barrier):
    """Skip the seat lock (lock only the nomination itself): the unique index must hold."""

    def lock(nomination):
        barrier.wait()
        return [workflow._lock(nomination)]

    return lock


def test_concurrent_approvals_of_one_seat_let_exactly_one_win(pg_app, make_app, monkeypatch):
    outcomes, states = _seat_race(pg_app, make_app, monkeypatch, _after_barrier)
    assert sorted(map(str, outcomes.values())) == ["(409, 'seat_taken')", "active"]
    assert states == ["active", "awaiting_approval"]


def test_the_unique_index_alone_still_lets_exactly_one_win(pg_app, make_app, monkeypatch):
    outcomes, states = _seat_race(pg_app, make_app, monkeypatch, _own_row_only)
    assert sorted(map(str, outcomes.values())) == ["(409, 'seat_taken')", "active"]
    assert states == ["active", "awaiting_approval"]
