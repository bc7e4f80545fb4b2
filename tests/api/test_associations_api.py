"""/api/v1/associations: registered by missions and by the members who lead them."""

from __future__ import annotations

from directory.associations.models import Association
from tests.factories import (
    AssociationFactory,
    MembershipFactory,
    MissionFactory,
    PersonFactory,
    UserFactory,
)

EN = {"Accept-Language": "en"}


def test_anyone_lists_associations_paginated_and_filtered(client):
    AssociationFactory(country="FR", province_slug="da-nang", name="Hội đồng hương Đà Nẵng")
    AssociationFactory(country="DE", kind="professional", province_slug=None, name="Hội trí thức")
    AssociationFactory(country="FR", kind="business", province_slug=None, name="Hội doanh nhân")

    everything = client.get("/api/v1/associations").get_json()
    french = client.get("/api/v1/associations?country=France&per_page=1").get_json()
    hometown = client.get("/api/v1/associations?province=Quảng Nam&kind=hometown").get_json()

    assert everything["total"] == 3
    assert (french["total"], french["per_page"], len(french["items"])) == (2, 1, 1)
    assert [a["name"] for a in hometown["items"]] == ["Hội đồng hương Đà Nẵng"]


def test_bad_filters_are_400_naming_the_parameter(client):
    response = client.get("/api/v1/associations?kind=castle&province=Atlantis", headers=EN)

    assert response.status_code == 400
    assert set(response.get_json()["error"]["fields"]) == {"kind"}


def test_an_association_shows_only_the_members_the_caller_may_see(client, bearer):
    association = AssociationFactory()
    listed = MembershipFactory(
        association=association, person=PersonFactory(consent_listed=True), role="president"
    )
    MembershipFactory(association=association, person=PersonFactory(consent_listed=False))

    public = client.get(f"/api/v1/associations/{association.id}").get_json()
    official = client.get(
        f"/api/v1/associations/{association.id}",
        headers=bearer(UserFactory(province_officer=True)),
    ).get_json()

    assert [m["person_id"] for m in public["members"]] == [listed.person_id]
    assert public["members"][0]["role"] == "president"
    assert len(official["members"]) == 2


def test_unknown_association_is_404(client):
    response = client.get("/api/v1/associations/missing")

    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_embassy_officer_registers_a_hometown_association_in_the_mission(client, bearer, db):
    officer = UserFactory(embassy=True)

    response = client.post(
        "/api/v1/associations",
        json={
            "name": "Hội đồng hương Yên Bái tại Pháp",
            "kind": "hometown",
            "province": "Yên Bái",
            "country": "FR",
            "founded_year": 2005,
        },
        headers=bearer(officer),
    )

    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/associations/{data['id']}")
    assert data["province"] == "lao-cai"
    association = db.session.get(Association, data["id"])
    assert association.provenance_mission_id == officer.mission_id


def test_officer_cannot_register_outside_the_mission_and_nothing_is_written(
    client, bearer, row_counts
):
    officer = UserFactory(embassy=True)  # FR
    before = row_counts()

    response = client.post(
        "/api/v1/associations",
        json={"name": "Hội người Việt tại Berlin", "kind": "professional", "country": "DE"},
        headers=bearer(officer),
    )

    assert response.status_code == 403
    assert row_counts() == before


def test_member_who_registers_an_association_becomes_its_president(client, bearer, db):
    person = PersonFactory()
    member = UserFactory(person=person)

    response = client.post(
        "/api/v1/associations",
        json={"name": "Hội kỹ sư trẻ", "kind": "professional", "country": "FR"},
        headers=bearer(member),
    )

    assert response.status_code == 201, response.get_json()
    (membership,) = db.session.get(Association, response.get_json()["id"]).memberships
    assert (membership.person_id, membership.role) == (person.id, "president")


def test_member_without_profile_and_province_officer_cannot_register(client, bearer):
    for user in (UserFactory(), UserFactory(province_officer=True)):
        response = client.post(
            "/api/v1/associations",
            json={"name": "Hội", "kind": "business", "country": "FR"},
            headers=bearer(user),
        )
        assert response.status_code == 403


def test_hometown_association_without_province_is_422(client, bearer):
    response = client.post(
        "/api/v1/associations",
        json={"name": "Hội đồng hương", "kind": "hometown", "country": "FR"},
        headers=bearer(UserFactory(embassy=True), **EN),
    )

    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"province"}


def test_wrong_types_in_an_association_are_422(client, bearer):
    response = client.post(
        "/api/v1/associations",
        json={"name": ["x"], "kind": "business", "country": "FR", "member_count": "many"},
        headers=bearer(UserFactory(embassy=True), **EN),
    )

    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {
        "name": "Enter text.",
        "member_count": "Enter a whole number.",
    }


def test_leader_and_covering_officer_edit_others_may_not(client, bearer, db):
    association = AssociationFactory(country="FR", city="Paris")
    leader = UserFactory(person=PersonFactory())
    MembershipFactory(association=association, person=leader.person, role="president")
    officer = UserFactory(embassy=True)
    germany = UserFactory(role="embassy", mission=MissionFactory(countries=["DE"]))

    by_leader = client.patch(
        f"/api/v1/associations/{association.id}", json={"city": "Lyon"}, headers=bearer(leader)
    )
    by_officer = client.patch(
        f"/api/v1/associations/{association.id}",
        json={"member_count": 120},
        headers=bearer(officer),
    )
    by_outsider = client.patch(
        f"/api/v1/associations/{association.id}", json={"city": "Nice"}, headers=bearer(germany)
    )
    by_member = client.patch(
        f"/api/v1/associations/{association.id}",
        json={"city": "Nice"},
        headers=bearer(UserFactory(person=PersonFactory())),
    )

    assert (by_leader.status_code, by_officer.status_code) == (200, 200)
    assert (by_outsider.status_code, by_member.status_code) == (403, 403)
    db.session.refresh(association)
    assert (association.city, association.member_count) == ("Lyon", 120)


def test_members_are_read_only_through_patch(client, bearer):
    association = AssociationFactory(country="FR")

    response = client.patch(
        f"/api/v1/associations/{association.id}",
        json={"members": []},
        headers=bearer(UserFactory(admin=True)),
    )

    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"members"}
