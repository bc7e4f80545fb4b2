"""Needs fixtures: the officials and members who act on needs, and a way to make needs."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from directory.extensions import db as _db
from directory.needs.models import Need
from tests.factories import MissionFactory, PersonFactory, UserFactory


@pytest.fixture
def team(db):
    """Đà Nẵng's officer and approver, a Huế officer, a Paris embassy officer, the admin, and a
    member with a profile (another member without one)."""
    mission = MissionFactory(code="FR-PAR", countries=["FR", "MC"])
    member_person = PersonFactory(full_name="Lê Thị Thu Hà", country="FR", city="Paris")
    return SimpleNamespace(
        anonymous=None,
        officer=UserFactory(province_officer=True, email="danang@example.org", locale="vi"),
        approver=UserFactory(approver=True, email="approver@example.org", locale="en"),
        hue=UserFactory(role="province", province_slug="hue", email="hue@example.org"),
        embassy=UserFactory(role="embassy", mission=mission),
        admin=UserFactory(admin=True),
        member=UserFactory(role="member", person_id=member_person.id),
        member_person=member_person,
        bare_member=UserFactory(role="member"),
        mission=mission,
    )


@pytest.fixture
def make_need(db, team):
    """``make_need(**values)`` -> a committed need of Đà Nẵng (public, open, semiconductors)."""

    def make(**values) -> Need:
        data = {
            "province_slug": "da-nang",
            "title": "Chip design training partnership, 2027 roadmap",
            "description": "Đào tạo kỹ sư thiết kế vi mạch cùng các chuyên gia kiều bào.",
            "type": "training",
            "fields": ["semiconductors", "education-training"],
            "countries": ["FR", "US"],
            "milestones": [{"title": "Khóa đầu tiên", "due": "2027-01-15"}],
            "deadline": date.today() + timedelta(days=90),
            "audience": "public",
            "status": "open",
            "created_by_id": team.officer.id,
        }
        data.update(values)
        need = Need(**data)
        _db.session.add(need)
        _db.session.commit()
        return need

    return make
