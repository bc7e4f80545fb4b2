"""Consent comes from the person: officials record it only with evidence, never go public."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from werkzeug.exceptions import Forbidden

from directory.audit import AuditEvent
from directory.core.errors import ValidationError
from directory.core.models import utcnow
from directory.people import data_protection, services
from directory.people.models import ConsentRecord, Person
from tests.factories import MissionFactory, PersonFactory, UserFactory

EVIDENCE = {"source": "email", "date": "2026-01-20", "reference": "Thư ngày 20/01"}


@pytest.fixture
def registered_elsewhere(cast):
    """An unclaimed, unlisted profile in France registered by a consulate (not the embassy)."""
    consulate = MissionFactory(code="FR-MRS", name="Tổng lãnh sự quán tại Marseille")
    return PersonFactory(
        full_name="Đinh Thị Lan",
        email="lan.dinh@example.net",
        consent_listed=False,
        consent_contact=False,
        visibility_profile="officials",
        visibility_contact="private",
        provenance="mission",
        provenance_mission_id=consulate.id,
    )


def records(db, person, purpose=None):
    query = sa.select(ConsentRecord).where(ConsentRecord.person_id == person.id)
    if purpose:
        query = query.where(ConsentRecord.purpose == purpose)
    return db.session.scalars(query.order_by(ConsentRecord.created_at)).all()


def events(db, action):
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)).all()


# --- the covering mission on a profile another mission registered ---------------------------


def test_an_official_cannot_list_a_person_and_publish_their_email_without_their_consent(
    client, db, cast, registered_elsewhere
):
    person = registered_elsewhere
    with pytest.raises(ValidationError) as info:
        services.update_person(
            person,
            {"consent_listed": True, "visibility": {"contact": "public", "profile": "public"}},
            cast.embassy,
        )
    assert {"consent_evidence", "visibility.contact", "visibility.profile"} <= set(
        info.value.fields
    )
    db.session.rollback()
    db.session.expire_all()
    person = db.session.get(Person, person.id)
    assert not person.consent_listed and person.visibility_contact == "private"
    response = client.get(f"/people/{person.id}")
    assert response.status_code == 404
    assert "lan.dinh@example.net" not in response.get_data(as_text=True)


def test_an_official_records_consent_with_its_source_and_date_and_the_audit_shows_them(
    db, cast, registered_elsewhere
):
    person = registered_elsewhere
    services.update_person(
        person, {"consent_listed": True, "consent_evidence": EVIDENCE}, cast.embassy
    )
    [record] = records(db, person, "listed")
    assert record.granted and record.source == "email"
    assert record.evidence_date.isoformat() == "2026-01-20"
    assert record.evidence_reference == "Thư ngày 20/01"
    assert record.user_id == cast.embassy.id
    [event] = events(db, "person.consent")
    assert event.actor_id == cast.embassy.id and event.object_id == person.id
    assert event.details == {
        "granted": ["listed"],
        "withdrawn": [],
        "source": "email",
        "date": "2026-01-20",
        "reference": "Thư ngày 20/01",
    }
    # Listed now, but the contact details stay private: only the member may make them public.
    assert person.consent_listed and person.visibility_contact == "private"


@pytest.mark.parametrize(
    ("evidence", "part"),
    [
        ({"source": "rumour", "date": "2026-01-20"}, "consent_evidence.source"),
        ({"source": "paper"}, "consent_evidence.date"),
        ({"source": "paper", "date": "20/01/2026"}, "consent_evidence.date"),
        ({"source": "paper", "date": "2026-02-30"}, "consent_evidence.date"),
        ({"source": "paper", "date": "2026-01-20", "reference": "x" * 201}, None),
        ({"source": "paper", "date": "2026-01-20", "signed": True}, None),
        ("paper, yesterday", None),
    ],
)
def test_invalid_evidence_is_refused_naming_consent_evidence(
    db, cast, registered_elsewhere, evidence, part
):
    with pytest.raises(ValidationError) as info:
        services.update_person(
            registered_elsewhere,
            {"consent_contact": True, "consent_evidence": evidence},
            cast.embassy,
        )
    assert "consent_evidence" in info.value.fields
    if part:
        assert part in info.value.fields
    db.session.rollback()
    assert records(db, registered_elsewhere) == []


def test_consent_cannot_be_dated_in_the_future(db, cast, registered_elsewhere):
    tomorrow = (utcnow() + timedelta(days=2)).date().isoformat()
    with pytest.raises(ValidationError) as info:
        services.update_person(
            registered_elsewhere,
            {"consent_listed": True, "consent_evidence": {"source": "paper", "date": tomorrow}},
            cast.embassy,
        )
    assert "consent_evidence.date" in info.value.fields


def test_an_official_may_withdraw_consent_and_narrow_visibility_of_an_unclaimed_profile(db, cast):
    person = cast.in_germany  # listed, profile public, unclaimed
    services.update_person(
        person,
        {"consent_listed": False, "visibility": {"profile": "officials"}},
        cast.other_embassy,
    )
    assert not person.consent_listed and person.visibility_profile == "officials"
    [record] = records(db, person, "listed")
    assert (record.granted, record.source, record.evidence_date) == (False, "official", None)
    [event] = events(db, "person.consent")
    assert event.details == {"granted": [], "withdrawn": ["listed"]}


def test_an_official_may_not_make_a_group_public_through_set_visibility(db, cast):
    with pytest.raises(ValidationError) as info:
        services.set_visibility(
            cast.unclaimed, profile="officials", contact="public", by=cast.embassy
        )
    assert set(info.value.fields) == {"visibility.contact"}
    services.set_visibility(cast.unclaimed, profile="private", contact="private", by=cast.admin)
    assert cast.unclaimed.visibility_profile == "private"


def test_set_consent_by_an_official_needs_evidence(db, cast):
    with pytest.raises(ValidationError) as info:
        services.set_consent(cast.unclaimed, listed=True, contact=False, by=cast.embassy)
    assert set(info.value.fields) == {"consent_evidence"}
    db.session.rollback()
    services.set_consent(
        cast.unclaimed,
        listed=True,
        contact=False,
        by=cast.embassy,
        evidence={"source": "in_person", "date": "2026-01-05"},
    )
    [record] = records(db, cast.unclaimed, "listed")
    assert record.source == "in_person" and record.evidence_reference is None


def test_on_a_claimed_profile_officials_change_no_consent_nor_visibility(db, cast):
    with pytest.raises(ValidationError) as info:
        services.update_person(
            cast.owned,
            {
                "consent_contact": False,
                "consent_evidence": EVIDENCE,
                "visibility": {"profile": "private"},
            },
            cast.admin,
        )
    assert set(info.value.fields) == {"consent_contact", "visibility.profile"}
    with pytest.raises(Forbidden):
        services.set_consent(cast.owned, listed=False, contact=False, by=cast.embassy)
    with pytest.raises(Forbidden):
        services.set_visibility(cast.owned, profile="private", contact="private", by=cast.admin)


def test_the_member_gives_consent_online_and_their_record_says_so(db, cast):
    cast.owned.consent_contact = False
    db.session.commit()
    services.update_person(
        cast.owned, {"consent_contact": True, "visibility": {"contact": "public"}}, cast.owner
    )
    [record] = records(db, cast.owned, "contact")
    assert (record.granted, record.source, record.user_id) == (True, "member", cast.owner.id)
    assert cast.owned.visibility_contact == "public"
    assert events(db, "person.consent") == []  # the member's own choice, not an official act


def test_registration_records_consent_only_with_evidence_and_never_public(db, cast):
    new = {"full_name": "Mai Văn Tùng", "country": "FR", "consent_listed": True}
    with pytest.raises(ValidationError) as info:
        services.register_person({**new, "visibility": {"contact": "public"}}, cast.embassy)
    assert set(info.value.fields) == {"consent_evidence", "visibility.contact"}
    db.session.rollback()
    assert db.session.scalar(sa.select(Person).where(Person.full_name == "Mai Văn Tùng")) is None
    person = services.register_person(
        {**new, "consent_evidence": EVIDENCE, "visibility": {"contact": "officials"}},
        cast.embassy,
    )
    assert person.consent_listed and person.visibility_contact == "officials"
    by_purpose = {r.purpose: r for r in records(db, person)}
    assert (by_purpose["listed"].granted, by_purpose["listed"].source) == (True, "email")
    assert (by_purpose["contact"].granted, by_purpose["contact"].source) == (False, "official")
    assert by_purpose["contact"].evidence_date is None
    [event] = events(db, "person.register")
    assert event.details["consent"]["source"] == "email"
    assert event.details["consent"]["date"] == "2026-01-20"


def test_the_data_download_shows_how_each_consent_was_given(db, cast):
    person = services.register_person(
        {
            "full_name": "Mai Văn Tùng",
            "country": "FR",
            "consent_listed": True,
            "consent_evidence": EVIDENCE,
        },
        cast.embassy,
    )
    member = UserFactory(role="member", person_id=person.id)
    data = data_protection.export_person_data(person, by=member)
    listed = next(c for c in data["consent_history"] if c["purpose"] == "listed")
    assert (listed["source"], listed["evidence_date"], listed["evidence_reference"]) == (
        "email",
        "2026-01-20",
        "Thư ngày 20/01",
    )


# --- the forms --------------------------------------------------------------------------------


REGISTRATION = {"full_name": "Hoàng Văn Thái", "country": "FR", "kinds": ["expert"]}


def test_the_register_form_asks_for_evidence_next_to_its_inputs(client, cast, login, db):
    login(cast.embassy)
    html = client.get("/people/register").get_data(as_text=True)
    for name in ("consent_source", "consent_date", "consent_reference"):
        assert f'name="{name}"' in html
    response = client.post("/people/register", data={**REGISTRATION, "consent_listed": "y"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="consent_source-err"' in html
    assert "nguồn và ngày" in html  # "the source and the date", in Vietnamese
    response = client.post(
        "/people/register",
        data={**REGISTRATION, "consent_listed": "y", "consent_source": "paper"},
    )
    assert response.status_code == 422
    assert 'id="consent_date-err"' in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(Person).where(Person.full_name == "Hoàng Văn Thái")) is None


def test_the_register_form_records_the_evidence(client, cast, login, db):
    login(cast.embassy)
    response = client.post(
        "/people/register",
        data={
            **REGISTRATION,
            "consent_contact": "y",
            "consent_source": "online_form",
            "consent_date": "2026-01-02",
            "consent_reference": "Hội nghị Kiều bào 2026",
        },
    )
    assert response.status_code == 302
    person = db.session.scalar(sa.select(Person).where(Person.full_name == "Hoàng Văn Thái"))
    contact = next(r for r in person.consents if r.purpose == "contact")
    assert (contact.granted, contact.source, contact.evidence_reference) == (
        True,
        "online_form",
        "Hội nghị Kiều bào 2026",
    )
    assert not person.consent_listed


def test_the_mission_edit_form_records_consent_with_evidence(client, cast, login, db):
    login(cast.embassy)
    html = client.get(f"/people/{cast.unclaimed.id}/edit").get_data(as_text=True)
    assert 'name="consent_source"' in html
    form = {"full_name": cast.unclaimed.full_name, "country": "FR", "consent_listed": "y"}
    response = client.post(f"/people/{cast.unclaimed.id}/edit", data=form)
    assert response.status_code == 422
    assert 'id="consent_source-err"' in response.get_data(as_text=True)
    response = client.post(
        f"/people/{cast.unclaimed.id}/edit",
        data={**form, "consent_source": "paper", "consent_date": "2025-12-01"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    [record] = records(db, cast.unclaimed, "listed")
    assert record.source == "paper" and record.evidence_date.isoformat() == "2025-12-01"


def test_the_members_edit_form_has_no_evidence_inputs(client, cast, login):
    login(cast.owner)
    html = client.get(f"/people/{cast.owned.id}/edit").get_data(as_text=True)
    assert 'name="consent_source"' not in html


def test_the_member_sees_how_their_consent_was_recorded(client, cast, login, db):
    person = services.register_person(
        {
            "full_name": "Mai Văn Tùng",
            "country": "FR",
            "consent_listed": True,
            "consent_evidence": {"source": "paper", "date": "2026-01-20"},
        },
        cast.embassy,
    )
    member = UserFactory(role="member", person_id=person.id, locale="en")
    login(member)
    html = client.get("/people/me", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "given on a paper form on" in html and "recorded by the mission" in html
