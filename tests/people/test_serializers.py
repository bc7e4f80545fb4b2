"""person_to_dict: the contract's shape, holding only what the viewer may see."""

import sqlalchemy as sa

from directory.audit import AuditEvent
from directory.people.serializers import person_to_dict, record_contact_view


def test_a_province_officer_does_not_get_a_private_phone(cast):
    data = person_to_dict(cast.owned, cast.officer)
    assert data["full_name"] == "Hoàng Minh Tuấn"
    assert "phone" not in data and "email" not in data and "links" not in data
    assert data["organization"] == "CNRS"  # the profile group is public


def test_the_member_sees_everything_including_privacy_settings(cast):
    data = person_to_dict(cast.owned, cast.owner)
    assert data["phone"] == "+33612345678"
    assert data["visibility"] == {"contact": "private", "profile": "public"}
    assert data["consent_listed"] is True and "consent_contact" in data
    assert {"id", "created_at", "updated_at", "verified", "hometown_as_given"} <= set(data)


def test_anonymous_sees_only_the_public_parts(cast):
    data = person_to_dict(cast.owned, None)
    assert "phone" not in data and "consent_listed" not in data and "visibility" not in data
    assert data["title"] == "Kỹ sư"
    assert person_to_dict(cast.unclaimed, None) == {}


def test_officials_level_contact_is_shown_to_officials_not_members(db, cast):
    cast.owned.visibility_contact = "officials"
    cast.owned.visibility_profile = "officials"
    db.session.commit()
    assert person_to_dict(cast.owned, cast.officer)["phone"] == "+33612345678"
    other = person_to_dict(cast.owned, cast.member)
    assert "phone" not in other and "organization" not in other


def test_the_registering_mission_sees_private_contact_details(cast):
    assert person_to_dict(cast.unclaimed, cast.embassy)["phone"] == "+33687654321"
    assert "phone" not in person_to_dict(cast.unclaimed, cast.other_embassy)


def test_an_officials_view_of_non_public_contact_details_is_audited(db, cast):
    assert record_contact_view(cast.unclaimed, cast.embassy) is True
    assert record_contact_view(cast.owned, cast.owner) is False  # their own
    assert record_contact_view(cast.owned, cast.officer) is False  # not shown to them
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "person.contact_view")
    ).all()
    assert [(e.actor_id, e.object_id) for e in events] == [(cast.embassy.id, cast.unclaimed.id)]


def test_public_contact_details_are_not_audited(db, cast):
    cast.owned.visibility_contact = "public"
    db.session.commit()
    assert record_contact_view(cast.owned, cast.officer) is False
