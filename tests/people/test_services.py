"""Profile services: registration, self-creation, updates, verification, consent, audit, outbox."""

import pytest
import sqlalchemy as sa
from werkzeug.exceptions import Forbidden

from directory.audit import AuditEvent
from directory.core.errors import ValidationError
from directory.people import services
from directory.people.models import ConsentRecord, Person
from directory.search.outbox import SearchOutbox
from tests.factories import UserFactory

NEW_PERSON = {
    "full_name": "Võ Thị Mai",
    "kinds": ["expert"],
    "fields": ["Trí tuệ nhân tạo"],
    "country": "France",
    "city": "Lyon",
    "hometown_province": "Quảng Nam",
    "phone": "06 11 22 33 44",
    "email": "mai@example.fr",
    "consent_listed": True,
    "consent_evidence": {"source": "paper", "date": "2026-01-15", "reference": "Phiếu số 12"},
}


def events(db, action):
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)).all()


def outbox_ids(db, entity_type="person"):
    return [
        row.entity_id
        for row in db.session.scalars(
            sa.select(SearchOutbox).where(SearchOutbox.entity_type == entity_type)
        )
    ]


def test_an_embassy_officer_registers_a_person_in_the_missions_country(app, db, cast):
    person = services.register_person(NEW_PERSON, cast.embassy)
    db.session.expire_all()
    person = db.session.get(Person, person.id)
    assert person.provenance == "mission"
    assert person.provenance_mission_id == cast.paris.id
    assert person.registered_by_id == cast.embassy.id
    assert person.country == "FR" and person.phone == "+33611223344"
    assert person.hometown_province == "da-nang" and person.hometown_as_given == "Quảng Nam"
    assert person.fields == ["artificial-intelligence"]
    assert person.consent_listed is True and person.consent_contact is False
    assert {(c.purpose, c.granted) for c in person.consents} == {
        ("listed", True),
        ("contact", False),
    }
    assert person.consents[0].notice_version == app.config["PRIVACY_NOTICE_VERSION"]
    listed = next(c for c in person.consents if c.purpose == "listed")
    assert (listed.source, listed.evidence_date.isoformat(), listed.evidence_reference) == (
        "paper",
        "2026-01-15",
        "Phiếu số 12",
    )
    assert listed.user_id == cast.embassy.id
    [event] = events(db, "person.register")
    assert event.object_id == person.id and event.actor_id == cast.embassy.id
    assert person.id in outbox_ids(db)


def test_an_embassy_officer_cannot_register_a_person_outside_the_mission(db, cast):
    with pytest.raises(Forbidden):
        services.register_person({**NEW_PERSON, "country": "DE"}, cast.embassy)
    db.session.rollback()
    assert db.session.scalar(sa.select(Person).where(Person.full_name == "Võ Thị Mai")) is None


def test_registration_needs_a_country(db, cast):
    with pytest.raises(ValidationError) as info:
        services.register_person({"full_name": "Võ Thị Mai"}, cast.embassy)
    assert "country" in info.value.fields


def test_invalid_registration_writes_nothing(db, cast):
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Person))
    queued = len(outbox_ids(db))
    with pytest.raises(ValidationError) as info:
        services.register_person({**NEW_PERSON, "email": "x@", "phone": "1"}, cast.embassy)
    assert set(info.value.fields) == {"email", "phone"}
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == before
    assert events(db, "person.register") == []
    assert len(outbox_ids(db)) == queued


def test_ids_are_random_not_sequential(db, cast):
    a = services.register_person(NEW_PERSON, cast.embassy)
    b = services.register_person({**NEW_PERSON, "full_name": "Võ Văn Nam"}, cast.embassy)
    assert len(a.id) == 16 and a.id != b.id
    assert not a.id.isdigit() and int(b.id, 16) - int(a.id, 16) != 1


def test_a_verified_member_creates_their_own_profile(db, cast):
    user = UserFactory(role="member")
    person = services.create_own_profile(user, {**NEW_PERSON, "consent_contact": "yes"})
    assert user.person_id == person.id
    assert person.provenance == "self" and person.registered_by_id is None
    assert person.consent_listed and person.consent_contact and person.consent_at is not None
    assert len(person.consents) == 2
    assert person.id in outbox_ids(db)


def test_a_member_with_a_profile_cannot_create_another(db, cast):
    with pytest.raises(Forbidden):
        services.create_own_profile(cast.owner, NEW_PERSON)


def test_an_unverified_member_cannot_create_a_profile(db):
    user = UserFactory(role="member", email_verified_at=None)
    with pytest.raises(Forbidden):
        services.create_own_profile(user, NEW_PERSON)


def test_an_official_update_is_audited_with_field_names_only(db, cast):
    services.update_person(
        cast.unclaimed, {"city": "Marseille", "phone": "+33 6 99 88 77 66"}, cast.embassy
    )
    [event] = events(db, "person.update")
    assert event.details == {"fields": ["city", "phone"]}
    assert "Marseille" not in str(event.details)
    assert cast.unclaimed.phone == "+33699887766"
    assert cast.unclaimed.id in outbox_ids(db)


def test_a_members_own_update_is_not_an_official_change(db, cast):
    services.update_person(cast.owned, {"title": "Giáo sư"}, cast.owner)
    assert cast.owned.title == "Giáo sư"
    assert events(db, "person.update") == []
    assert cast.owned.id in outbox_ids(db)


def test_a_name_change_updates_the_name_key(db, cast):
    services.update_person(cast.owned, {"full_name": "Nguyễn  Văn  Đông"}, cast.owner)
    assert cast.owned.full_name == "Nguyễn Văn Đông"
    assert cast.owned.name_key == "dong nguyen van"


def test_an_embassy_in_france_cannot_edit_or_verify_a_person_in_germany(db, cast):
    with pytest.raises(Forbidden):
        services.update_person(cast.in_germany, {"city": "Hamburg"}, cast.embassy)
    with pytest.raises(Forbidden):
        services.verify_person(cast.in_germany, cast.embassy)
    db.session.rollback()
    db.session.refresh(cast.in_germany)
    assert cast.in_germany.city == "Berlin" and not cast.in_germany.verified


def test_an_embassy_cannot_move_a_person_out_of_its_countries(db, cast):
    with pytest.raises(ValidationError) as info:
        services.update_person(cast.unclaimed, {"country": "DE"}, cast.embassy)
    assert "country" in info.value.fields


def test_officials_cannot_change_a_claimed_members_consent(db, cast):
    with pytest.raises(Forbidden):
        services.update_person(cast.owned, {"consent_listed": False}, cast.embassy)


def test_verification_records_mission_and_date(db, cast):
    services.verify_person(cast.unclaimed, cast.embassy)
    assert cast.unclaimed.verified_by_mission_id == cast.paris.id
    assert cast.unclaimed.verified_at is not None
    assert [e.object_id for e in events(db, "person.verify")] == [cast.unclaimed.id]


def test_consent_changes_write_one_record_per_changed_purpose(db, cast):
    services.set_consent(cast.owned, listed=False, contact=True, by=cast.owner)
    records = db.session.scalars(
        sa.select(ConsentRecord).where(ConsentRecord.person_id == cast.owned.id)
    ).all()
    assert [(r.purpose, r.granted) for r in records] == [("listed", False)]
    assert records[0].notice_version == "2026-01" and records[0].user_id == cast.owner.id
    assert cast.owned.consent_at is not None and not cast.owned.consent_listed


def test_visibility_is_the_members_choice(db, cast):
    services.set_visibility(cast.owned, profile="private", contact="officials", by=cast.owner)
    assert (cast.owned.visibility_profile, cast.owned.visibility_contact) == (
        "private",
        "officials",
    )
    with pytest.raises(Forbidden):
        services.set_visibility(cast.owned, profile="public", contact="public", by=cast.officer)
    with pytest.raises(ValidationError):
        services.set_visibility(cast.owned, profile="everyone", contact="public", by=cast.owner)
