"""/api/v1/people: the contract's Person resource, under the same rules as the web pages."""

from __future__ import annotations

import sqlalchemy as sa

from directory.audit import AuditEvent
from directory.people.models import Person
from tests.factories import MissionFactory, PersonFactory, UserFactory


def _events(db, action):
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)).all()


# --- reading --------------------------------------------------------------------------------


def test_anonymous_list_shows_only_listed_profiles_and_their_public_fields(client):
    listed = PersonFactory(consent_listed=True, visibility_contact="private")
    PersonFactory(consent_listed=False)

    response = client.get("/api/v1/people")

    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] == 1 and body["page"] == 1 and body["per_page"] == 20
    (item,) = body["items"]
    assert item["id"] == listed.id
    assert item["full_name"] == listed.full_name
    assert "phone" not in item and "email" not in item
    assert "consent_listed" not in item and "visibility" not in item


def test_officials_list_unlisted_profiles_but_never_anonymised_ones(client, bearer, db):
    officer = UserFactory(province_officer=True)
    PersonFactory(consent_listed=True)
    PersonFactory(consent_listed=False)
    gone = PersonFactory(consent_listed=True)
    gone.anonymised_at = gone.created_at
    db.session.commit()

    body = client.get("/api/v1/people", headers=bearer(officer)).get_json()

    assert body["total"] == 2
    assert gone.id not in {item["id"] for item in body["items"]}


def test_list_is_paginated_and_filtered_by_country(client):
    for _ in range(3):
        PersonFactory(country="FR")
    PersonFactory(country="DE")

    page2 = client.get("/api/v1/people?country=FR&per_page=2&page=2").get_json()
    by_name = client.get("/api/v1/people?country=Pháp").get_json()

    assert (page2["total"], page2["page"], page2["per_page"], len(page2["items"])) == (3, 2, 2, 1)
    assert by_name["total"] == 3
    assert all(item["country"] == "FR" for item in by_name["items"])


def test_unknown_country_filter_is_a_400_naming_the_parameter(client):
    response = client.get("/api/v1/people?country=Atlantis", headers={"Accept-Language": "en"})

    assert response.status_code == 400
    assert response.get_json()["error"]["fields"] == {"country": "Unknown country."}


def test_a_hidden_profile_answers_exactly_like_a_missing_one(client):
    hidden = PersonFactory(consent_listed=False)

    missing = client.get("/api/v1/people/doesnotexist")
    unlisted = client.get(f"/api/v1/people/{hidden.id}")

    assert missing.status_code == unlisted.status_code == 404
    assert missing.get_json() == unlisted.get_json()
    assert missing.get_json()["error"]["code"] == "not_found"


def test_province_officer_does_not_see_a_private_phone_number(client, bearer):
    person = PersonFactory(visibility_contact="private", phone="+33612345678")
    officer = UserFactory(province_officer=True)

    data = client.get(f"/api/v1/people/{person.id}", headers=bearer(officer)).get_json()

    assert data["full_name"] == person.full_name
    assert "phone" not in data and "email" not in data


def test_registering_mission_sees_private_contact_and_the_view_is_audited(client, bearer, db):
    officer = UserFactory(embassy=True)
    person = PersonFactory(
        visibility_contact="private", provenance="mission", provenance_mission_id=officer.mission_id
    )

    data = client.get(f"/api/v1/people/{person.id}", headers=bearer(officer)).get_json()

    assert data["phone"] == "+33612345678"
    (event,) = _events(db, "person.contact_view")
    assert (event.actor_id, event.object_id) == (officer.id, person.id)


def test_member_sees_own_privacy_settings(client, bearer):
    person = PersonFactory(consent_listed=False)
    member = UserFactory(person=person)

    data = client.get(f"/api/v1/people/{person.id}", headers=bearer(member)).get_json()

    assert data["consent_listed"] is False
    assert data["visibility"] == {"contact": "private", "profile": "public"}


# --- creating -------------------------------------------------------------------------------


def test_embassy_officer_registers_a_person_in_the_missions_country(client, bearer, db):
    officer = UserFactory(embassy=True)

    response = client.post(
        "/api/v1/people",
        json={
            "full_name": "  Nguyễn   Thị Minh Khai ",
            "country": "France",
            "hometown_province": "Quang Nam",
            "fields": ["Bán dẫn"],
            "phone": "06 12 34 56 78",
        },
        headers=bearer(officer),
    )

    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/people/{data['id']}")
    assert data["full_name"] == "Nguyễn Thị Minh Khai"
    assert data["country"] == "FR"
    assert data["hometown_province"] == "da-nang"
    assert data["hometown_as_given"] == "Quang Nam"
    assert data["fields"] == ["semiconductors"]
    assert data["phone"] == "+33612345678"
    person = db.session.get(Person, data["id"])
    assert (person.provenance, person.provenance_mission_id) == ("mission", officer.mission_id)
    assert person.user is None


def test_embassy_officer_cannot_register_outside_the_mission(client, bearer, row_counts):
    officer = UserFactory(embassy=True)  # mission covers FR
    before = row_counts()

    response = client.post(
        "/api/v1/people", json={"full_name": "Lê Văn Tám", "country": "DE"}, headers=bearer(officer)
    )

    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
    assert row_counts() == before


def test_member_without_profile_creates_their_own(client, bearer, db):
    member = UserFactory()

    response = client.post(
        "/api/v1/people",
        json={"full_name": "Trần Văn Bình", "country": "DE", "consent_listed": True},
        headers=bearer(member),
    )

    assert response.status_code == 201, response.get_json()
    db.session.refresh(member)
    assert member.person_id == response.get_json()["id"]
    assert member.person.provenance == "self"
    assert response.get_json()["consent_listed"] is True


def test_member_with_a_profile_or_a_province_officer_cannot_create_people(client, bearer):
    member = UserFactory(person=PersonFactory())
    officer = UserFactory(province_officer=True)

    for user in (member, officer):
        response = client.post(
            "/api/v1/people", json={"full_name": "X", "country": "FR"}, headers=bearer(user)
        )
        assert response.status_code == 403


def test_writes_need_a_token_even_with_a_session_cookie(client, login, row_counts):
    login(UserFactory(admin=True))
    before = row_counts()

    response = client.post("/api/v1/people", json={"full_name": "A", "country": "FR"})

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert row_counts() == before


def test_invalid_person_is_a_422_listing_every_bad_field(client, bearer, row_counts):
    officer = UserFactory(embassy=True)
    before = row_counts()

    response = client.post(
        "/api/v1/people",
        json={"full_name": "", "country": "FR", "email": "not-an-email", "birth_year": 1800},
        headers=bearer(officer, **{"Accept-Language": "en"}),
    )

    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert set(fields) == {"full_name", "email", "birth_year"}
    assert fields["full_name"] == "This field is required."
    assert row_counts() == before


# --- changing -------------------------------------------------------------------------------


def test_member_updates_own_profile_and_hides_the_phone(client, bearer, db):
    person = PersonFactory(visibility_contact="officials")
    member = UserFactory(person=person)

    response = client.patch(
        f"/api/v1/people/{person.id}",
        json={"title": "Giáo sư", "visibility": {"contact": "private"}},
        headers=bearer(member),
    )

    assert response.status_code == 200, response.get_json()
    assert response.get_json()["title"] == "Giáo sư"
    db.session.refresh(person)
    assert person.visibility_contact == "private"
    officer = UserFactory(province_officer=True)
    seen = client.get(f"/api/v1/people/{person.id}", headers=bearer(officer)).get_json()
    assert "phone" not in seen


def test_officer_for_france_cannot_edit_or_verify_someone_in_germany(client, bearer, db):
    officer = UserFactory(embassy=True)  # FR
    person = PersonFactory(country="DE", provenance="mission")

    edit = client.patch(f"/api/v1/people/{person.id}", json={"title": "X"}, headers=bearer(officer))
    verify = client.post(f"/api/v1/people/{person.id}/verify", headers=bearer(officer))

    assert (edit.status_code, verify.status_code) == (403, 403)
    db.session.refresh(person)
    assert person.title == "Kỹ sư" and person.verified_at is None


def test_officer_verifies_a_profile_in_the_missions_country(client, bearer, db):
    officer = UserFactory(embassy=True)
    person = PersonFactory(country="FR")

    response = client.post(f"/api/v1/people/{person.id}/verify", headers=bearer(officer))

    assert response.status_code == 200
    assert response.get_json()["verified"] is True
    db.session.refresh(person)
    assert person.verified_by_mission_id == officer.mission_id
    assert len(_events(db, "person.verify")) == 1


def test_patch_of_an_invisible_profile_is_404_and_of_someone_elses_is_403(client, bearer):
    member = UserFactory(person=PersonFactory())
    unlisted = PersonFactory(consent_listed=False)
    listed = PersonFactory(consent_listed=True)

    hidden = client.patch(f"/api/v1/people/{unlisted.id}", json={}, headers=bearer(member))
    other = client.patch(f"/api/v1/people/{listed.id}", json={}, headers=bearer(member))

    assert (hidden.status_code, other.status_code) == (404, 403)


def test_patch_with_invalid_values_changes_nothing(client, bearer, db):
    person = PersonFactory()
    member = UserFactory(person=person)
    before = client.get(f"/api/v1/people/{person.id}", headers=bearer(member)).get_json()

    response = client.patch(
        f"/api/v1/people/{person.id}",
        json={"title": "Mới", "kinds": ["astronaut"], "unknown_key": 1},
        headers=bearer(member),
    )

    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"kinds", "unknown_key"}
    db.session.expire_all()
    assert client.get(f"/api/v1/people/{person.id}", headers=bearer(member)).get_json() == before


# --- deleting -------------------------------------------------------------------------------


def test_member_deletes_their_account_and_the_profile_is_anonymised(client, bearer, db):
    person = PersonFactory(full_name="Phạm Văn Đồng", email="dong@example.net")
    member = UserFactory(person=person)
    headers = bearer(member)

    response = client.delete(f"/api/v1/people/{person.id}", headers=headers)

    assert response.status_code == 204
    db.session.expire_all()
    person = db.session.get(Person, person.id)
    assert person.anonymised_at is not None
    assert person.email is None and "Phạm" not in person.full_name
    assert client.get(f"/api/v1/people/{person.id}").status_code == 404
    assert client.get("/api/v1/people", headers=headers).status_code == 401  # token is gone


def test_nobody_else_but_the_admin_may_delete_a_profile(client, bearer, db):
    person = PersonFactory(country="FR")
    for user in (UserFactory(embassy=True), UserFactory(province_officer=True), UserFactory()):
        response = client.delete(f"/api/v1/people/{person.id}", headers=bearer(user))
        assert response.status_code == 403
    db.session.refresh(person)
    assert person.anonymised_at is None


def test_admin_anonymises_a_claimed_profile_and_closes_its_account(client, bearer, db):
    admin = UserFactory(admin=True)
    person = PersonFactory(full_name="Võ Thị Sáu", phone="+33600000000")
    member = UserFactory(person=person)
    member_headers = bearer(member)

    response = client.delete(f"/api/v1/people/{person.id}", headers=bearer(admin))

    assert response.status_code == 204
    db.session.expire_all()
    person = db.session.get(Person, person.id)
    assert person.anonymised_at is not None
    assert person.phone is None and "Võ" not in person.full_name
    assert db.session.get(type(member), member.id).is_active is False
    assert client.get("/api/v1/people", headers=member_headers).status_code == 401
    (event,) = _events(db, "person.delete")
    assert (event.actor_id, event.object_id) == (admin.id, person.id)


def test_admin_anonymises_an_unclaimed_profile(client, bearer, db):
    person = PersonFactory(provenance="mission")

    response = client.delete(f"/api/v1/people/{person.id}", headers=bearer(UserFactory(admin=True)))

    assert response.status_code == 204
    db.session.refresh(person)
    assert person.anonymised_at is not None and person.email is None


# --- the listing query and the policy agree ---------------------------------------------------


def test_listing_clause_agrees_with_the_view_rule_for_every_role(db):
    from directory import policy
    from directory.policy.people import person_view_clause

    own = PersonFactory(consent_listed=False)
    people = [
        own,
        PersonFactory(consent_listed=True),
        PersonFactory(consent_listed=False),
        PersonFactory(consent_listed=True, anonymised_at=own.created_at),
    ]
    mission = MissionFactory(countries=["DE"])
    users = [
        None,
        UserFactory(),
        UserFactory(person=own),
        UserFactory(embassy=True),
        UserFactory(role="embassy", mission=mission),
        UserFactory(province_officer=True),
        UserFactory(admin=True),
        UserFactory(admin=True, is_active_flag=False),
    ]
    for user in users:
        listed = set(db.session.scalars(sa.select(Person.id).where(person_view_clause(user))).all())
        allowed = {p.id for p in people if policy.can(user, "person.view", p)}
        assert listed == allowed, user
