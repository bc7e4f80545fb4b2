"""Nominations in any state, for the cast of ``tests/conftest.py``.

Roles of the workflow (``cast[role]``): the Đà Nẵng officer and approver, their Hà Nội
counterparts, an officer of the Paris embassy (covering France) and one of the Berlin embassy
(Germany), the nominee (a verified expert living in France, with a member account), another
member, the admin, and the anonymous visitor (None).
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from directory.accounts.tokens import create_token
from directory.audit import AuditEvent
from directory.core.models import utcnow
from directory.representatives.models import Nomination, NominationEvent

ROLES = (
    "officer",
    "other_officer",
    "approver",
    "other_approver",
    "embassy",
    "other_embassy",
    "nominee",
    "member",
    "admin",
    "anonymous",
)

# How far each state got: which timestamps a nomination in that state carries.
_SUBMITTED = {
    "embassy_review",
    "objected",
    "awaiting_consent",
    "declined",
    "awaiting_approval",
    "rejected",
    "active",
    "expired",
    "revoked",
    "resigned",
    "withdrawn",
}
_ASKED = _SUBMITTED - {"embassy_review", "objected", "withdrawn"}
_TERM = {"active", "expired", "revoked", "resigned"}

_regions = itertools.count(1)


@pytest.fixture
def nomination_in(db, cast):
    """``nomination_in(state, **fields)``: a nomination that reached ``state`` (own region)."""

    def make(state: str, **fields) -> Nomination:
        now = utcnow()
        values = {
            "province_slug": "da-nang",
            "person_id": cast.nominee_person.id,
            "country": "FR",
            "region": f"Vùng {next(_regions)}",
            "rationale": "Chuyên gia vi mạch hàng đầu, gắn bó với Đà Nẵng.",
            "state": state,
            "created_by_id": cast["officer"].id,
            "submitted_at": now if state in _SUBMITTED else None,
            "consent_requested_at": now if state in _ASKED else None,
        }
        if state in _TERM:
            values["term_start"] = date.today() - timedelta(days=30)
            values["term_end"] = date.today() + timedelta(days=365)
        values.update(fields)
        nomination = Nomination(**values)
        db.session.add(nomination)
        db.session.commit()
        return nomination

    return make


@pytest.fixture
def bearer(db):
    """``bearer(user)`` -> headers with a fresh API token of ``user`` ({} for anonymous)."""

    def make(user) -> dict:
        if user is None:
            return {}
        _token, raw = create_token(user)
        db.session.commit()
        return {"Authorization": f"Bearer {raw}"}

    return make


@pytest.fixture
def trail(db):
    """``trail(nomination)`` -> (events, audit actions) as stored, for "nothing changed" checks."""

    def read(nomination):
        db.session.expire_all()
        events = db.session.scalars(
            sa.select(NominationEvent.action).where(NominationEvent.nomination_id == nomination.id)
        ).all()
        audits = db.session.scalars(
            sa.select(AuditEvent.action)
            .where(AuditEvent.object_type == "nominations", AuditEvent.object_id == nomination.id)
            .order_by(AuditEvent.id)
        ).all()
        return list(events), list(audits)

    return read
