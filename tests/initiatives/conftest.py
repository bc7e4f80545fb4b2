"""The cast of the initiatives tests, and initiatives in any state.

Roles (the keys of ``cast``): the submitting member and another member, two Đà Nẵng officers
and a Đà Nẵng approver, a Hà Nội officer and approver, an embassy officer, the admin (the
central body), and the anonymous visitor (None).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from directory.accounts.tokens import create_token
from directory.audit import AuditEvent
from directory.core.models import utcnow
from directory.initiatives import services
from directory.initiatives.models import Initiative, InitiativeEvent
from tests.factories import PersonFactory, UserFactory

ROLES = (
    "member",
    "other_member",
    "officer",
    "colleague",
    "approver",
    "other_officer",
    "other_approver",
    "embassy",
    "admin",
    "anonymous",
)


class Cast(dict):
    """role -> User (None for anonymous)."""


@pytest.fixture
def cast(db) -> Cast:
    member_person = PersonFactory(full_name="Lê Thị Thu Hà")
    return Cast(
        member=UserFactory(person_id=member_person.id, email="thuha@example.fr", locale="en"),
        other_member=UserFactory(person_id=PersonFactory(full_name="Trần Thị Hương").id),
        officer=UserFactory(province_officer=True, email="officer@danang.gov.vn"),
        colleague=UserFactory(province_officer=True, display_name="Phạm Văn Đồng"),
        approver=UserFactory(approver=True, email="approver@danang.gov.vn"),
        other_officer=UserFactory(role="province", province_slug="ha-noi"),
        other_approver=UserFactory(role="province", province_slug="ha-noi", is_approver=True),
        embassy=UserFactory(embassy=True),
        admin=UserFactory(admin=True),
        anonymous=None,
    )


DATA = {
    "province": "da-nang",
    "title": "Đào tạo thiết kế vi mạch cho kỹ sư trẻ Đà Nẵng",
    "fields": ["semiconductors"],
    "text": "Tổ chức khóa đào tạo thiết kế vi mạch 12 tuần với các chuyên gia ở Grenoble.",
    "links": ["https://example.org/chip-training"],
}


@pytest.fixture
def submitted(db, cast):
    """``submitted(**overrides)``: an initiative sent by the member through the service."""

    def make(**overrides) -> Initiative:
        return services.submit_initiative({**DATA, **overrides}, cast["member"])

    return make


_REACHED = {
    "received": None,
    "triaged": None,
    "assigned": "colleague",
    "under_review": "colleague",
    "answered": "colleague",
    "adopted": "colleague",
    "declined": "colleague",
    "withdrawn": None,
}


@pytest.fixture
def initiative_in(db, cast):
    """``initiative_in(state, **fields)``: an initiative of the member that reached ``state``."""

    def make(state: str, **fields) -> Initiative:
        now = utcnow()
        values = {
            "submitter_id": cast["member"].id,
            "province_slug": "da-nang",
            "title": DATA["title"],
            "fields": ["semiconductors"],
            "text": DATA["text"],
            "links": [],
            "state": state,
            "version": 1,
            "received_at": now,
            "due_on": services.vietnam_date(now) + timedelta(days=30),
        }
        if _REACHED[state]:
            values["assignee_id"] = cast[_REACHED[state]].id
        if state in ("answered", "adopted", "declined"):
            values.update(answer="Cảm ơn anh chị, tỉnh sẽ phối hợp.", answered_at=now)
        values.update(fields)
        initiative = Initiative(**values)
        db.session.add(initiative)
        db.session.commit()
        return initiative

    return make


@pytest.fixture
def bearer(db):
    """``bearer(user)`` -> headers with a fresh API token of ``user`` ({} for anonymous)."""

    def make(user) -> dict:
        if user is None:
            return {"Accept-Language": "en"}
        _token, raw = create_token(user)
        db.session.commit()
        return {"Authorization": f"Bearer {raw}", "Accept-Language": "en"}

    return make


@pytest.fixture
def trail(db):
    """``trail(initiative)`` -> (state, version, event actions, audit actions) as stored."""

    def read(initiative):
        db.session.expire_all()
        row = db.session.execute(
            sa.select(Initiative.state, Initiative.version).where(Initiative.id == initiative.id)
        ).one()
        events = db.session.scalars(
            sa.select(InitiativeEvent.action)
            .where(InitiativeEvent.initiative_id == initiative.id)
            .order_by(InitiativeEvent.at, InitiativeEvent.seq)
        ).all()
        audits = db.session.scalars(
            sa.select(AuditEvent.action)
            .where(AuditEvent.object_type == "initiatives", AuditEvent.object_id == initiative.id)
            .order_by(AuditEvent.id)
        ).all()
        return row.state, row.version, list(events), list(audits)

    return read
