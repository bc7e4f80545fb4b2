"""Data download and account deletion (anonymisation, index removal, no personal data kept)."""

import json

import sqlalchemy as sa

from directory.accounts.models import User
from directory.audit import AuditEvent
from directory.people import data_protection, services
from directory.people.models import Person
from directory.search.outbox import SearchOutbox
from tests.factories import MembershipFactory


def test_export_contains_everything_held_about_the_person(db, cast):
    services.set_consent(cast.owned, listed=True, contact=False, by=cast.owner)
    MembershipFactory(person=cast.owned, role="president")
    data = data_protection.export_person_data(cast.owned, by=cast.owner)
    assert data["profile"]["full_name"] == "Hoàng Minh Tuấn"
    assert data["profile"]["phone"] == "+33612345678"
    assert data["profile"]["email"] == cast.owned.email
    assert data["consent_history"][0]["purpose"] == "contact"
    assert data["memberships"][0]["role"] == "president"
    assert data["account"]["email"] == cast.owner.email
    assert "password_hash" not in json.dumps(data)
    json.dumps(data)  # serialisable as is
    [event] = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "person.export"))
    assert event.object_id == cast.owned.id and event.details == {}


def test_deleting_an_account_anonymises_the_profile(db, cast):
    MembershipFactory(person=cast.owned)
    person_id, user_id, email = cast.owned.id, cast.owner.id, cast.owner.email
    data_protection.delete_account(cast.owner)
    db.session.expire_all()
    person = db.session.get(Person, person_id)
    assert person.full_name == "Đã xóa / Deleted"
    for attr in ("email", "phone", "bio", "city", "organization", "birth_year", "name_key"):
        assert getattr(person, attr) is None
    assert person.fields == [] and person.other_names == [] and person.links == []
    assert person.anonymised_at is not None
    assert not person.consent_listed
    assert (
        db.session.scalar(
            sa.text(f"select count(*) from memberships where person_id = '{person_id}'")
        )
        == 0
    )
    user = db.session.get(User, user_id)
    assert user is None or (
        not user.is_active and email not in user.email and user.person_id is None
    )
    outbox = db.session.scalars(
        sa.select(SearchOutbox).where(SearchOutbox.entity_id == person_id)
    ).all()
    assert outbox, "the search outbox must carry the deletion"


def test_after_deletion_the_audit_trail_keeps_only_ids(db, cast, client, login):
    login(cast.owner)
    client.get(f"/people/{cast.owned.id}")
    data_protection.delete_account(cast.owner)
    rows = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.actor_id == cast.owner.id))
    for event in rows:
        assert event.ip is None
        text = json.dumps(event.details, ensure_ascii=False)
        assert "Nguyễn" not in text and "@" not in text


def test_an_anonymised_profile_is_gone_for_everyone_but_the_admin(db, cast, client, login):
    person_id = cast.owned.id
    data_protection.delete_account(cast.owner)
    assert client.get(f"/people/{person_id}").status_code == 404
    login(cast.officer)
    assert client.get(f"/people/{person_id}").status_code == 404
