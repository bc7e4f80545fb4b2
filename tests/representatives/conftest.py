"""The cast of the representative workflow, and nominations in any state.

Roles (the keys of ``cast``): the Đà Nẵng officer and approver, their Hà Nội counterparts, an
officer of the Paris embassy (covering France) and one of the Berlin embassy (Germany), the
nominee (a verified expert living in France, with a member account), another member, the
admin, and the anonymous visitor (None).
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
from tests.factories import MissionFactory, PersonFactory, UserFactory

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


class Cast(dict):
    """role -> User (None for anonymous), plus the missions and the nominee's profile."""

    paris = None
    berlin = None
    nominee_person = None


@pytest.fixture
def cast(db) -> Cast:
    paris = MissionFactory(code="FR-PARIS", name="Đại sứ quán Việt Nam tại Pháp", countries=["FR"])
    berlin = MissionFactory(code="DE-BERLIN", name="Đại sứ quán Việt Nam tại Đức", countries=["DE"])
    nominee_person = PersonFactory(
        full_name="Nguyễn Văn Dũng",
        verified_at=utcnow(),
        verified_by_mission_id=paris.id,
        provenance="mission",
        provenance_mission_id=paris.id,
    )
    people = Cast(
        officer=UserFactory(province_officer=True, email="officer@danang.gov.vn"),
        other_officer=UserFactory(role="province", province_slug="ha-noi"),
        approver=UserFactory(approver=True, email="approver@danang.gov.vn", locale="en"),
        other_approver=UserFactory(role="province", province_slug="ha-noi", is_approver=True),
        embassy=UserFactory(embassy=True, mission=paris, email="officer@paris.example"),
        other_embassy=UserFactory(embassy=True, mission=berlin),
        nominee=UserFactory(person_id=nominee_person.id, email="dung@example.fr"),
        member=UserFactory(person_id=PersonFactory(full_name="Trần Thị Hương").id),
        admin=UserFactory(admin=True),
        anonymous=None,
    )
    people.paris, people.berlin, people.nominee_person = paris, berlin, nominee_person
    return people


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
