"""The parties of contact requests, and helpers to check that a refused step wrote nothing.

- ``officer``: Đà Nẵng province officer (locale vi); ``other_officer``: Hà Nội;
- ``embassy``: an officer of the Paris embassy (France); ``admin``;
- ``member``: Võ Thành Nhân, living in France, listed, agrees to be contacted, email and phone
  given, his account in English; ``other_member``: Trần Thị Hương, claimed, Vietnamese;
- ``unclaimed``: listed and contactable, but nobody has claimed the profile;
- ``unlisted``: claimed, contactable, not listed; ``no_consent``: claimed, listed, not
  contactable; ``switched_off``: claimed, contactable, contact requests off.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from directory.accounts.tokens import create_token
from directory.audit import AuditEvent
from directory.contacts import services
from directory.contacts.models import ContactRequest
from directory.notices.models import Notice
from tests.factories import MissionFactory, PersonFactory, UserFactory


def _claimed(name: str, account: str, locale: str = "vi", **fields):
    person = PersonFactory(full_name=name, **fields)
    user = UserFactory(person_id=person.id, email=account, locale=locale)
    return person, user


@pytest.fixture
def parties(db) -> SimpleNamespace:
    paris = MissionFactory(code="FR-PARIS", name="Đại sứ quán Việt Nam tại Pháp", countries=["FR"])
    member_person, member = _claimed(
        "Võ Thành Nhân",
        "nhan@example.fr",
        locale="en",
        email="nhan.vo@example.fr",
        phone="+33612345678",
        website="https://nhan.example.fr",
    )
    other_person, other_member = _claimed("Trần Thị Hương", "huong@example.fr")
    unlisted, unlisted_user = _claimed("Lê Minh Đức", "duc@example.fr", consent_listed=False)
    no_consent, no_consent_user = _claimed("Phạm Thu Hà", "ha@example.fr", consent_contact=False)
    switched_off, switched_off_user = _claimed(
        "Đặng Quốc Bảo", "bao@example.fr", contact_requests_enabled=False
    )
    return SimpleNamespace(
        paris=paris,
        officer=UserFactory(
            province_officer=True, email="officer@danang.gov.vn", display_name="Nguyễn Thị Lan"
        ),
        other_officer=UserFactory(role="province", province_slug="ha-noi"),
        embassy=UserFactory(role="embassy", mission=paris, email="officer@paris.example"),
        admin=UserFactory(admin=True),
        member=member,
        member_person=member_person,
        other_member=other_member,
        other_person=other_person,
        unclaimed=PersonFactory(full_name="Hoàng Đức Minh"),
        unlisted=unlisted,
        unlisted_user=unlisted_user,
        no_consent=no_consent,
        no_consent_user=no_consent_user,
        switched_off=switched_off,
        switched_off_user=switched_off_user,
    )


@pytest.fixture
def bearer(db):
    """``bearer(user)`` -> headers with a fresh API token of ``user``, answers in English."""

    def make(user) -> dict:
        _token, raw = create_token(user)
        db.session.commit()
        return {"Authorization": f"Bearer {raw}", "Accept-Language": "en"}

    return make


@pytest.fixture
def ask(parties):
    """``ask(by=officer, person=member_person)``: a pending request, through the service."""

    def make(by=None, person=None, message="Sở KH&CN Đà Nẵng muốn mời anh tư vấn về vi mạch."):
        return services.create_request(
            by or parties.officer, (person or parties.member_person).id, message
        )

    return make


@pytest.fixture
def written(db):
    """``written()`` -> how many requests, notices and audit events are stored."""

    def count() -> dict[str, int]:
        db.session.expire_all()
        return {
            "requests": db.session.scalar(sa.select(sa.func.count(ContactRequest.id))),
            "notices": db.session.scalar(sa.select(sa.func.count(Notice.id))),
            "audit": db.session.scalar(
                sa.select(sa.func.count(AuditEvent.id)).where(
                    AuditEvent.action.like("contact_request.%")
                )
            ),
        }

    return count


@pytest.fixture
def audit_actions(db):
    """``audit_actions(request)`` -> the audit actions recorded on that request, in order."""

    def read(contact_request) -> list[str]:
        return list(
            db.session.scalars(
                sa.select(AuditEvent.action)
                .where(
                    AuditEvent.object_type == "contact_requests",
                    AuditEvent.object_id == contact_request.id,
                )
                .order_by(AuditEvent.id)
            )
        )

    return read
