"""/api/v1/people: consent comes from the person; an official sends its evidence."""

from __future__ import annotations

import sqlalchemy as sa

from directory.audit import AuditEvent
from directory.people.models import ConsentRecord, Person
from tests.factories import MissionFactory, PersonFactory, UserFactory

EN = {"Accept-Language": "en"}
EVIDENCE = {"source": "paper", "date": "2026-01-20", "reference": "Phiếu 2026/17"}


def _unclaimed_registered_by_another_mission():
    consulate = MissionFactory(code="FR-LYS", countries=["FR"])
    return PersonFactory(
        email="hidden@example.net",
        consent_listed=False,
        consent_contact=False,
        visibility_profile="officials",
        visibility_contact="private",
        provenance="mission",
        provenance_mission_id=consulate.id,
    )


def test_the_covering_mission_cannot_publish_an_unclaimed_persons_email(client, bearer, db):
    person = _unclaimed_registered_by_another_mission()
    officer = UserFactory(embassy=True)  # a mission covering France, not the registering one

    response = client.patch(
        f"/api/v1/people/{person.id}",
        json={"consent_listed": True, "visibility": {"contact": "public"}},
        headers=bearer(officer, **EN),
    )

    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert {"consent_evidence", "visibility.contact"} <= set(fields)
    assert fields["visibility.contact"] == "Only the member may make this public."
    anonymous = client.get(f"/api/v1/people/{person.id}")
    assert anonymous.status_code == 404
    assert "hidden@example.net" not in anonymous.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Person, person.id).visibility_contact == "private"


def test_an_official_records_consent_with_evidence(client, bearer, db):
    person = _unclaimed_registered_by_another_mission()
    officer = UserFactory(embassy=True)

    response = client.patch(
        f"/api/v1/people/{person.id}",
        json={"consent_listed": True, "consent_evidence": EVIDENCE},
        headers=bearer(officer),
    )

    assert response.status_code == 200, response.get_json()
    assert "consent_evidence" not in response.get_json()  # write-only
    record = db.session.scalar(
        sa.select(ConsentRecord).where(
            ConsentRecord.person_id == person.id, ConsentRecord.purpose == "listed"
        )
    )
    assert (record.source, record.evidence_date.isoformat(), record.evidence_reference) == (
        "paper",
        "2026-01-20",
        "Phiếu 2026/17",
    )
    assert record.user_id == officer.id
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "person.consent"))
    assert event.details["source"] == "paper" and event.details["date"] == "2026-01-20"
    assert event.details["reference"] == "Phiếu 2026/17"
    # Listed: the public now sees the name, never the contact details the member did not open.
    public = client.get(f"/api/v1/people/{person.id}").get_json()
    assert public["full_name"] == person.full_name and "email" not in public


def test_bad_evidence_is_a_422_naming_consent_evidence(client, bearer, row_counts):
    person = _unclaimed_registered_by_another_mission()
    headers = bearer(UserFactory(embassy=True), **EN)
    before = row_counts()

    for evidence in (
        "yes",
        {"source": "paper"},
        {"source": "fax", "date": "2026-01-01"},
        {"source": "email", "date": "2999-01-01"},
        {"source": "email", "date": "2026-01-01", "reference": 17},
    ):
        response = client.patch(
            f"/api/v1/people/{person.id}",
            json={"consent_contact": True, "consent_evidence": evidence},
            headers=headers,
        )
        assert response.status_code == 422, evidence
        fields = response.get_json()["error"]["fields"]
        assert any(key.split(".")[0] == "consent_evidence" for key in fields), evidence
    assert row_counts() == before


def test_registration_by_an_officer_needs_evidence_and_cannot_go_public(
    client, bearer, db, row_counts
):
    officer = UserFactory(embassy=True)
    body = {"full_name": "Lý Thị Hoa", "country": "FR", "consent_listed": True}
    before = row_counts()

    missing = client.post("/api/v1/people", json=body, headers=bearer(officer))
    public = client.post(
        "/api/v1/people",
        json={**body, "consent_evidence": EVIDENCE, "visibility": {"profile": "public"}},
        headers=bearer(officer),
    )

    assert missing.status_code == public.status_code == 422
    assert "consent_evidence" in missing.get_json()["error"]["fields"]
    assert set(public.get_json()["error"]["fields"]) == {"visibility.profile"}
    assert row_counts() == before
    created = client.post(
        "/api/v1/people", json={**body, "consent_evidence": EVIDENCE}, headers=bearer(officer)
    )
    assert created.status_code == 201, created.get_json()
    person = db.session.get(Person, created.get_json()["id"])
    assert person.consent_listed and person.visibility_profile == "officials"


def test_an_official_may_lower_visibility_and_withdraw_consent_without_evidence(client, bearer, db):
    person = PersonFactory(visibility_profile="public", consent_contact=True, provenance="mission")
    officer = UserFactory(embassy=True)

    response = client.patch(
        f"/api/v1/people/{person.id}",
        json={"consent_contact": False, "visibility": {"profile": "officials"}},
        headers=bearer(officer),
    )

    assert response.status_code == 200, response.get_json()
    db.session.refresh(person)
    assert person.visibility_profile == "officials" and person.consent_contact is False


def test_officials_cannot_change_the_consent_of_a_claimed_profile(client, bearer, db):
    person = PersonFactory(consent_listed=True)
    UserFactory(person=person)

    admin = client.patch(
        f"/api/v1/people/{person.id}",
        json={"consent_listed": False, "consent_evidence": EVIDENCE},
        headers=bearer(UserFactory(admin=True)),
    )
    embassy = client.patch(
        f"/api/v1/people/{person.id}",
        json={"consent_listed": False},
        headers=bearer(UserFactory(embassy=True)),
    )

    assert admin.status_code == 422
    assert set(admin.get_json()["error"]["fields"]) == {"consent_listed"}
    assert embassy.status_code == 403
    db.session.refresh(person)
    assert person.consent_listed is True


def test_the_member_gives_consent_and_goes_public_without_evidence(client, bearer, db):
    person = PersonFactory(consent_contact=False, visibility_contact="private")
    member = UserFactory(person=person)

    response = client.patch(
        f"/api/v1/people/{person.id}",
        json={"consent_contact": True, "visibility": {"contact": "public"}},
        headers=bearer(member),
    )

    assert response.status_code == 200, response.get_json()
    record = db.session.scalar(sa.select(ConsentRecord).where(ConsentRecord.person_id == person.id))
    assert (record.purpose, record.granted, record.source) == ("contact", True, "member")


def test_consent_evidence_is_documented_as_write_only(client):
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["Person"]
    evidence = schema["properties"]["consent_evidence"]
    assert evidence["writeOnly"] is True
    assert evidence["properties"]["source"]["enum"] == [
        "paper",
        "email",
        "in_person",
        "online_form",
    ]
