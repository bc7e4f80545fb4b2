"""The SQL twin of ``Person.verification_holds`` selects the same profiles as the property."""

from __future__ import annotations

import sqlalchemy as sa

from directory.core.models import utcnow
from directory.extensions import db
from directory.people.models import Person
from directory.people.queries import verification_holds_clause
from tests.factories import MissionFactory, PersonFactory


def test_the_sql_twin_agrees_with_the_property(app):
    mission = MissionFactory(code="FR-PARIS", name="Paris", countries=["FR"])
    never = PersonFactory(full_name="Chưa Xác Minh")
    kept = PersonFactory(full_name="Đã Xác Minh")
    kept.record_verification(mission.id, utcnow())
    changed = PersonFactory(full_name="Đổi Chức Danh")
    changed.record_verification(mission.id, utcnow())
    emptied = PersonFactory(full_name="Xóa Thành Phố", city="Lyon")
    emptied.record_verification(mission.id, utcnow())
    older = PersonFactory(full_name="Xác Minh Cũ", verified_at=utcnow())  # no values kept
    db.session.commit()
    changed.title = "Giám đốc"
    emptied.city = None
    db.session.commit()
    selected = set(db.session.scalars(sa.select(Person.id).where(verification_holds_clause())))
    by_property = {p.id for p in (never, kept, changed, emptied, older) if p.verification_holds}
    assert selected == by_property == {kept.id, older.id}
