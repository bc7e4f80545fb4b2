"""/api/v1/businesses: shapes, rules, every bad input (nothing written), links, verification.

Runs on PostgreSQL too: TEST_DB=postgres TEST_DATABASE_URL=... (see the README).
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from directory.audit import AuditEvent
from directory.businesses.models import Business, BusinessPerson
from directory.extensions import db
from tests.businesses.conftest import make_business

KEYS = {
    "id",
    "name",
    "other_names",
    "legal_form",
    "country",
    "operates_in",
    "cities",
    "sectors",
    "size_band",
    "founded_year",
    "website",
    "email",
    "phone",
    "description",
    "presence_in_vietnam",
    "interests",
    "people",
    "consent_listed",
    "visibility",
    "verified",
    "created_at",
    "updated_at",
}
BODY = {
    "name": "Công ty Cà phê Tây Nguyên SAS",
    "other_names": ["Highland Beans"],
    "legal_form": "SAS",
    "country": "FR",
    "operates_in": ["FR", "Bỉ"],
    "cities": ["Lyon"],
    "sectors": ["Chế biến nông sản và thực phẩm", "Import and export"],
    "size_band": "small",
    "founded_year": 2012,
    "website": "https://www.taynguyen-coffee.fr",
    "email": "contact@taynguyen-coffee.fr",
    "phone": "04 72 00 00 00",
    "description": "Nhập khẩu và rang cà phê Việt Nam.",
    "presence_in_vietnam": [{"kind": "representative_office", "province": "Đắk Lắk"}],
    "interests": [
        {
            "kind": "investment",
            "sectors": ["food-processing"],
            "provinces": ["Đà Nẵng"],
            "ticket_band": "1m_10m",
        },
        {"kind": "import", "products": ["cà phê nhân", "hạt tiêu"]},
    ],
}


def test_an_embassy_registers_a_business_in_its_countries(client, cast, bearer):
    response = client.post("/api/v1/businesses", json=BODY, headers=bearer(cast.embassy))
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert set(data) == KEYS
    assert data["name"] == "Công ty Cà phê Tây Nguyên SAS"
    assert data["sectors"] == ["food-processing", "import-export"]  # labels in, codes out
    assert data["operates_in"] == ["FR", "BE"]
    assert data["phone"] == "+33472000000"
    assert data["presence_in_vietnam"] == [{"kind": "representative_office", "province": "dak-lak"}]
    assert data["interests"][0]["provinces"] == ["da-nang"]
    assert data["interests"][1] == {
        "kind": "import",
        "sectors": [],
        "provinces": [],
        "products": ["cà phê nhân", "hạt tiêu"],
        "ticket_band": None,
    }
    assert data["consent_listed"] is False and data["verified"] is False
    assert data["visibility"] == {"profile": "officials", "contact": "officials"}
    assert response.headers["Location"].endswith(f"/api/v1/businesses/{data['id']}")
    business = db.session.get(Business, data["id"])
    assert business.provenance_mission_id == cast.paris.id
    assert business.website_domain == "taynguyen-coffee.fr"
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "business.create"))
    assert event.object_id == business.id and event.actor_id == cast.embassy.id


def test_only_embassies_and_the_admin_register(client, cast, bearer):
    assert client.post("/api/v1/businesses", json=BODY).status_code == 401
    for actor in ("owner", "officer"):
        response = client.post("/api/v1/businesses", json=BODY, headers=bearer(cast[actor]))
        assert response.status_code == 403, actor
    response = client.post(
        "/api/v1/businesses",
        json={**BODY, "country": "DE", "operates_in": []},
        headers=bearer(cast.embassy),
    )
    assert response.status_code == 422
    assert "country" in response.get_json()["error"]["fields"]
    response = client.post("/api/v1/businesses", json=BODY, headers=bearer(cast.admin))
    assert response.status_code == 201


BAD = [
    ("sectors", {"sectors": ["basket weaving on the moon"]}),
    ("sectors", {"sectors": ["semiconductors"]}),  # a research theme, not a business sector
    ("sectors", {"sectors": []}),
    ("country", {"country": "Atlantis"}),
    ("operates_in", {"operates_in": ["FR", "Narnia"]}),
    ("presence_in_vietnam", {"presence_in_vietnam": [{"kind": "castle", "province": "Huế"}]}),
    (
        "presence_in_vietnam",
        {"presence_in_vietnam": [{"kind": "subsidiary", "province": "Gotham"}]},
    ),
    ("presence_in_vietnam", {"presence_in_vietnam": [{"kind": "subsidiary"}]}),
    ("interests", {"interests": [{"kind": "investment", "provinces": ["Gotham"]}]}),
    ("interests", {"interests": [{"kind": "tourism"}]}),
    ("interests", {"interests": [{"kind": "import", "sectors": ["moon mining"]}]}),
    ("interests", {"interests": [{"kind": "export", "ticket_band": "1m_10m"}]}),
    ("website", {"website": "ftp://files.example.org"}),
    ("website", {"website": "javascript:alert(1)"}),
    ("founded_year", {"founded_year": date.today().year + 1}),
    ("founded_year", {"founded_year": "soon"}),
    ("size_band", {"size_band": "huge"}),
    ("email", {"email": "not an address"}),
    ("name", {"name": "   "}),
    ("visibility", {"visibility": {"profile": "everyone"}}),
    ("id", {"id": "abc"}),
    ("colour", {"colour": "red"}),
]


@pytest.mark.parametrize(("key", "change"), BAD, ids=[f"{k}-{i}" for i, (k, _c) in enumerate(BAD)])
def test_bad_input_is_refused_whole(client, cast, bearer, row_counts, key, change):
    headers = bearer(cast.embassy)
    before = row_counts()
    response = client.post("/api/v1/businesses", json={**BODY, **change}, headers=headers)
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "invalid" and key in error["fields"]
    assert row_counts() == before


def test_bad_input_on_a_change_writes_nothing(client, cast, bearer, row_counts):
    business = make_business(name="Hansa Logistik", country="DE", founded_year=2001)
    headers = bearer(cast.other_embassy)
    before = row_counts()
    response = client.patch(
        f"/api/v1/businesses/{business.id}",
        json={"name": "Hansa Logistik Việt", "founded_year": 3000},
        headers=headers,
    )
    assert response.status_code == 422
    assert row_counts() == before
    db.session.expire_all()
    assert business.name == "Hansa Logistik"


def test_an_english_or_vietnamese_label_is_accepted_for_sectors(client, cast, bearer):
    body = {"name": "Sông Hàn Logistics", "country": "France", "sectors": ["Giao thông vận tải"]}
    response = client.post("/api/v1/businesses", json=body, headers=bearer(cast.embassy))
    assert response.get_json()["sectors"] == ["transportation"]
    body = {"name": "Mekong Freight", "country": "FR", "sectors": ["shipping", "Transport"]}
    response = client.post("/api/v1/businesses", json=body, headers=bearer(cast.embassy))
    assert response.get_json()["sectors"] == ["transportation"]


def test_a_duplicate_needs_confirmation(client, cast, bearer, row_counts):
    existing = make_business(name="Phở Việt SARL", country="FR", website="https://pho-viet.fr/")
    headers = bearer(cast.embassy)
    before = row_counts()
    # The same name, folded (case, diacritics, punctuation), in the same country.
    body = {"name": "PHO VIET, SARL", "country": "FR", "sectors": ["hospitality"]}
    response = client.post("/api/v1/businesses", json=body, headers=headers)
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "duplicate" and existing.id in error["fields"]["confirm_duplicate"]
    # The same website domain, under another name.
    other = {"name": "Saveurs du Mékong", "country": "FR", "sectors": ["hospitality"]}
    response = client.post(
        "/api/v1/businesses",
        json={**other, "website": "http://www.pho-viet.fr/menu"},
        headers=headers,
    )
    assert response.status_code == 409
    assert row_counts() == before
    # The same name in another country is another business.
    response = client.post("/api/v1/businesses", json={**body, "country": "MC"}, headers=headers)
    assert response.status_code == 201
    response = client.post(
        "/api/v1/businesses", json={**body, "confirm_duplicate": True}, headers=headers
    )
    assert response.status_code == 201
    event = db.session.scalar(
        sa.select(AuditEvent)
        .where(AuditEvent.action == "business.create")
        .order_by(AuditEvent.at.desc())
    )
    assert event.details["duplicate_confirmed"] is True


def test_renaming_onto_another_business_needs_confirmation(client, cast, bearer):
    make_business(name="Mekong Trading", country="FR")
    business = make_business(name="Mekong Trade", country="FR")
    headers = bearer(cast.embassy)
    url = f"/api/v1/businesses/{business.id}"
    assert client.patch(url, json={"name": "Mekong  trading"}, headers=headers).status_code == 409
    response = client.patch(
        url, json={"name": "Mekong  trading", "confirm_duplicate": True}, headers=headers
    )
    assert response.status_code == 200
    # Unchanged values are no duplicate of themselves.
    assert client.patch(url, json={"country": "FR"}, headers=headers).status_code == 200


def test_the_public_sees_listed_businesses_and_their_public_groups(client, businesses):
    listed = businesses["listed_fr"]
    response = client.get("/api/v1/businesses")
    assert [b["id"] for b in response.get_json()["items"]] == [listed.id]
    data = client.get(f"/api/v1/businesses/{listed.id}").get_json()
    assert "description" in data and "website" not in data and "phone" not in data
    # The owner's profile is listed: anyone sees the link.
    assert [p["person_id"] for p in data["people"]] == [businesses["link_owned"].person_id]
    unlisted = businesses["unlisted_de"]
    assert client.get(f"/api/v1/businesses/{unlisted.id}").status_code == 404


def test_officials_read_every_business(client, cast, businesses, bearer):
    response = client.get("/api/v1/businesses", headers=bearer(cast.officer))
    assert response.get_json()["total"] == 3
    response = client.get("/api/v1/businesses?country=France", headers=bearer(cast.officer))
    names = {b["name"] for b in response.get_json()["items"]}
    assert names == {"Phở Sài Gòn SARL", "Rhein Mekong AG"}  # registered or operating there
    response = client.get(
        "/api/v1/businesses?sector=Dịch vụ lưu trú và ăn uống", headers=bearer(cast.officer)
    )
    assert [b["name"] for b in response.get_json()["items"]] == ["Phở Sài Gòn SARL"]
    response = client.get("/api/v1/businesses?sector=Moon", headers=bearer(cast.officer))
    assert response.status_code == 400


def test_the_people_listed_are_accepted_links_the_caller_may_see(client, cast, businesses, bearer):
    listed = businesses["listed_fr"]
    data = client.get(f"/api/v1/businesses/{listed.id}", headers=bearer(cast.officer)).get_json()
    assert data["people"] == [{"person_id": cast.owned.id, "role": "owner", "since": None}]
    unlisted = businesses["unlisted_de"]
    data = client.get(f"/api/v1/businesses/{unlisted.id}", headers=bearer(cast.officer)).get_json()
    assert data["people"] == []  # three links, none accepted yet


def test_the_owner_manages_visibility_and_listing(client, cast, businesses, bearer):
    business = businesses["listed_fr"]
    url = f"/api/v1/businesses/{business.id}"
    change = {"visibility": {"contact": "public"}, "consent_listed": True, "cities": ["Paris"]}
    response = client.patch(url, json=change, headers=bearer(cast.owner))
    assert response.status_code == 200
    assert response.get_json()["visibility"] == {"profile": "public", "contact": "public"}
    assert "website" in client.get(url).get_json()  # anonymous now sees the contact group
    # The mission no longer edits a business its owner manages.
    response = client.patch(url, json={"cities": ["Lyon"]}, headers=bearer(cast.embassy))
    assert response.status_code == 403


def test_officials_never_make_a_business_public(client, cast, businesses, bearer):
    business = businesses["operating_fr"]
    url = f"/api/v1/businesses/{business.id}"
    headers = bearer(cast.embassy)
    for change in ({"consent_listed": True}, {"visibility": {"profile": "public"}}):
        response = client.patch(url, json=change, headers=headers)
        assert response.status_code == 422, change
    response = client.patch(url, json={"visibility": {"contact": "private"}}, headers=headers)
    assert response.status_code == 200
    response = client.post(
        "/api/v1/businesses", json={**BODY, "consent_listed": True}, headers=headers
    )
    assert response.status_code == 422


def test_verify(client, cast, businesses, bearer):
    business = businesses["operating_fr"]
    url = f"/api/v1/businesses/{business.id}/verify"
    assert client.post(url, headers=bearer(cast.officer)).status_code == 403
    response = client.post(url, headers=bearer(cast.embassy))
    assert response.status_code == 200 and response.get_json()["verified"] is True
    db.session.expire_all()
    assert business.verified_by_mission_id == cast.paris.id and business.verified_at is not None
    assert (
        db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == "business.verify")
        ).actor_id
        == cast.embassy.id
    )


def test_delete(client, cast, businesses, bearer):
    business = businesses["unlisted_de"]
    url = f"/api/v1/businesses/{business.id}"
    assert client.delete(url, headers=bearer(cast.embassy)).status_code == 403
    assert client.delete(url, headers=bearer(cast.other_embassy)).status_code == 204
    assert db.session.get(Business, business.id) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BusinessPerson)) == 1


def test_linking_people(client, cast, businesses, bearer, row_counts):
    business = businesses["operating_fr"]
    url = f"/api/v1/businesses/{business.id}/people"
    headers = bearer(cast.embassy)
    # The Paris mission registered this unclaimed profile: the link is accepted at once.
    body = {"person_id": cast.unclaimed.id, "role": "executive", "since": "2019-03-01"}
    response = client.post(url, json=body, headers=headers)
    assert response.status_code == 201
    assert response.get_json() == {
        "person_id": cast.unclaimed.id,
        "role": "executive",
        "since": "2019-03-01",
        "accepted": True,
    }
    # A claimed profile: the link waits for its member.
    response = client.post(url, json={"person_id": cast.owned.id, "role": "owner"}, headers=headers)
    assert response.status_code == 201 and response.get_json()["accepted"] is False
    data = client.get(f"/api/v1/businesses/{business.id}", headers=headers).get_json()
    assert [p["person_id"] for p in data["people"]] == [cast.unclaimed.id]
    # Again: nothing new.
    assert client.post(url, json=body, headers=headers).status_code == 200
    # Remove.
    response = client.delete(
        url, json={"person_id": cast.unclaimed.id, "role": "executive"}, headers=headers
    )
    assert response.status_code == 204
    response = client.delete(url, json={"person_id": cast.unclaimed.id}, headers=headers)
    assert response.status_code == 404
    before = row_counts()
    for bad in (
        {"person_id": "nobody", "role": "owner"},
        {"person_id": cast.owned.id, "role": "chairman"},
        {"person_id": cast.owned.id, "role": "owner", "since": "2999-01-01"},
    ):
        response = client.post(url, json=bad, headers=headers)
        assert response.status_code == 422, bad
    assert row_counts() == before


def test_a_member_may_not_link_a_person_they_may_not_see(
    client, cast, businesses, bearer, row_counts
):
    business = businesses["listed_fr"]  # managed by the owner
    url = f"/api/v1/businesses/{business.id}/people"
    before = row_counts()
    # The unclaimed profile is not listed: a member does not see it.
    response = client.post(
        url, json={"person_id": cast.unclaimed.id, "role": "executive"}, headers=bearer(cast.owner)
    )
    assert response.status_code == 422
    assert "person_id" in response.get_json()["error"]["fields"]
    assert row_counts() == before
    # Another member may not link anyone.
    response = client.post(
        url, json={"person_id": cast.owned.id, "role": "founder"}, headers=bearer(cast.member)
    )
    assert response.status_code == 403


def test_openapi_describes_the_business_routes(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    paths = spec["paths"]
    assert set(paths["/api/v1/businesses"]) == {"get", "post"}
    assert set(paths["/api/v1/businesses/{id}"]) == {"get", "patch", "delete"}
    assert "post" in paths["/api/v1/businesses/{id}/verify"]
    assert set(paths["/api/v1/businesses/{id}/people"]) == {"post", "delete"}
    assert "Business" in spec["components"]["schemas"]
