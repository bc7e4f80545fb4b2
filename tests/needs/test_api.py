"""/api/v1/needs: shapes, rules, errors (nothing written), and the province's privacy."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from directory.accounts.tokens import create_token
from directory.extensions import db
from tests.factories import PersonFactory

NEED_KEYS = {
    "id",
    "province",
    "title",
    "description",
    "type",
    "fields",
    "countries",
    "milestones",
    "deadline",
    "audience",
    "status",
    "interest_count",
    "created_at",
    "updated_at",
}
BODY = {
    "title": "Chip design training partnership, 2027 roadmap",
    "type": "training",
    "fields": ["semiconductors", "Giáo dục và đào tạo"],
    "countries": ["FR", "US"],
    "milestones": [{"title": "First cohort", "due": "2027-01-15"}],
    "deadline": (date.today() + timedelta(days=30)).isoformat(),
    "audience": "public",
}


@pytest.fixture
def bearer(db):
    def make(user, **headers) -> dict:
        _token, raw = create_token(user)
        db.session.commit()
        return {"Authorization": f"Bearer {raw}", **headers}

    return make


def _rows() -> dict[str, int]:
    db.session.expire_all()
    names = ("needs", "need_interests", "need_shortlist", "audit_events")
    return {
        name: db.session.scalar(sa.text(f"SELECT count(*) FROM {name}"))  # noqa: S608
        for name in names
    }


def test_an_officer_publishes_and_reads_a_need(client, team, bearer):
    response = client.post("/api/v1/needs", json=BODY, headers=bearer(team.officer))
    assert response.status_code == 201, response.json
    data = response.json
    assert set(data) == NEED_KEYS
    assert data["province"] == "da-nang"
    assert data["fields"] == ["semiconductors", "education-training"]
    assert data["interest_count"] == 0
    assert response.headers["Location"].endswith(f"/api/v1/needs/{data['id']}")
    assert client.get(f"/api/v1/needs/{data['id']}").json["title"] == BODY["title"]


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"fields": ["not a field"]}, "fields"),
        ({"countries": ["ZZ"]}, "countries"),
        ({"type": "charity"}, "type"),
        ({"title": ""}, "title"),
        ({"deadline": "2001-01-01"}, "deadline"),
        ({"fields": "semiconductors", "title": 5}, "title"),
        ({"id": "x"}, "id"),
    ],
)
def test_bad_input_is_a_422_naming_the_key_and_writes_nothing(client, team, bearer, change, key):
    headers = bearer(team.officer)
    before = _rows()
    response = client.post("/api/v1/needs", json={**BODY, **change}, headers=headers)
    assert response.status_code == 422
    assert key in response.json["error"]["fields"]
    assert _rows() == before


def test_only_province_officers_and_the_admin_publish(client, team, bearer):
    assert client.post("/api/v1/needs", json=BODY).status_code == 401
    for user in (team.member, team.embassy):
        response = client.post("/api/v1/needs", json=BODY, headers=bearer(user))
        assert response.status_code == 403
        assert response.json["error"]["code"] == "forbidden"


def test_the_list_is_a_collection_with_filters(client, team, make_need, bearer):
    make_need()
    make_need(audience="officials")
    make_need(province_slug="hue", countries=["JP"], type="investment")
    anonymous = client.get("/api/v1/needs").json
    assert set(anonymous) == {"items", "total", "page", "per_page"}
    assert anonymous["total"] == 2
    assert client.get("/api/v1/needs", headers=bearer(team.officer)).json["total"] == 3
    assert client.get("/api/v1/needs?country=Nhật Bản").json["total"] == 1
    assert client.get("/api/v1/needs?field=Bán dẫn&province=Đà Nẵng").json["total"] == 1
    assert client.get("/api/v1/needs?type=investment").json["total"] == 1
    for bad in ("field=nope", "country=Atlantis", "type=gift", "status=done", "page=0"):
        response = client.get(f"/api/v1/needs?{bad}")
        assert response.status_code == 400
        assert bad.split("=")[0] in response.json["error"]["fields"]


def test_an_officials_need_is_invisible_to_another_province(client, team, make_need, bearer):
    need = make_need(audience="officials")
    person = PersonFactory()
    hue = bearer(team.hue)
    for method, path, body in (
        ("get", f"/api/v1/needs/{need.id}", None),
        ("get", f"/api/v1/needs/{need.id}/matches", None),
        ("get", f"/api/v1/needs/{need.id}/shortlist", None),
        ("patch", f"/api/v1/needs/{need.id}", {"title": "x"}),
        ("post", f"/api/v1/needs/{need.id}/shortlist", {"person_id": person.id}),
        ("delete", f"/api/v1/needs/{need.id}/shortlist/{person.id}", None),
    ):
        response = getattr(client, method)(path, json=body, headers=hue)
        assert response.status_code == 404, (method, path)
    assert client.get(f"/api/v1/needs/{need.id}").status_code == 404
    assert client.get(f"/api/v1/needs/{need.id}", headers=bearer(team.embassy)).status_code == 200


def test_a_public_needs_matches_and_shortlist_are_the_provinces(client, team, make_need, bearer):
    need = make_need()
    for user in (None, team.member, team.hue, team.embassy):
        headers = bearer(user) if user else {}
        for path in ("matches", "shortlist"):
            response = client.get(f"/api/v1/needs/{need.id}/{path}", headers=headers)
            assert response.status_code == (401 if user is None else 403), (user, path)


def test_officers_change_a_need_and_only_the_approver_closes_it(client, team, make_need, bearer):
    need = make_need()
    officer = bearer(team.officer)
    response = client.patch(
        f"/api/v1/needs/{need.id}", json={"status": "in_progress"}, headers=officer
    )
    assert response.status_code == 200 and response.json["status"] == "in_progress"
    before = _rows()
    response = client.patch(f"/api/v1/needs/{need.id}", json={"status": "closed"}, headers=officer)
    assert response.status_code == 403
    assert _rows() == before
    approver = bearer(team.approver)
    assert (
        client.patch(f"/api/v1/needs/{need.id}", json={"status": "closed"}, headers=approver).json[
            "status"
        ]
        == "closed"
    )
    response = client.patch(f"/api/v1/needs/{need.id}", json={"title": "Later"}, headers=approver)
    assert response.status_code == 409 and response.json["error"]["code"] == "closed"
    assert (
        client.patch(
            f"/api/v1/needs/{need.id}", json={"title": "x"}, headers=bearer(team.hue)
        ).status_code
        == 403
    )


def test_a_member_expresses_and_withdraws_interest(client, team, make_need, bearer, mail_outbox):
    need = make_need()
    member = bearer(team.member)
    path = f"/api/v1/needs/{need.id}/interest"
    response = client.post(path, json={"message": "Sẵn sàng hỗ trợ"}, headers=member)
    assert response.status_code == 201 and response.json["message"] == "Sẵn sàng hỗ trợ"
    assert len(mail_outbox()) == 2
    assert client.get(f"/api/v1/needs/{need.id}").json["interest_count"] == 1
    again = client.post(path, json={"message": "again"}, headers=member)
    assert again.status_code == 409 and again.json["error"]["code"] == "already_interested"
    assert client.post(path, json={"message": "x"}, headers=bearer(team.officer)).status_code == 403
    assert client.post(path, json={"note": "x"}, headers=member).status_code == 422
    assert client.delete(path, headers=member).status_code == 204
    assert client.delete(path, headers=member).status_code == 409
    assert client.get(f"/api/v1/needs/{need.id}").json["interest_count"] == 0


def test_the_shortlist_through_the_api(client, team, make_need, bearer):
    need = make_need()
    nhan = PersonFactory(full_name="Võ Thành Nhân")
    refused = PersonFactory(full_name="Trần Văn Tú", consent_contact=False)
    officer, approver = bearer(team.officer), bearer(team.approver)
    path = f"/api/v1/needs/{need.id}/shortlist"
    response = client.post(
        path, json={"person_id": nhan.id, "note": "Ứng viên số một"}, headers=officer
    )
    assert response.status_code == 201
    assert response.json["name"] == "Võ Thành Nhân" and response.json["note"] == "Ứng viên số một"
    response = client.post(path, json={"person_id": nhan.id, "note": "Đã gọi"}, headers=approver)
    assert response.status_code == 200
    before = _rows()
    for body in (
        {"person_id": refused.id},
        {"person_id": "0" * 16},
        {"note": "x"},
        {"person_id": 5},
    ):
        response = client.post(path, json=body, headers=officer)
        assert response.status_code == 422, body
        assert "person_id" in response.json["error"]["fields"]
    assert _rows() == before
    listing = client.get(path, headers=approver).json
    assert listing["total"] == 1 and listing["items"][0]["note"] == "Đã gọi"
    assert client.delete(f"{path}/{nhan.id}", headers=officer).status_code == 204
    assert client.delete(f"{path}/{nhan.id}", headers=officer).status_code == 404


def test_matches_come_with_their_shape(client, team, make_need, bearer):
    need = make_need()
    PersonFactory(full_name="Võ Thành Nhân", hometown_as_given="Quảng Nam")
    response = client.get(f"/api/v1/needs/{need.id}/matches", headers=bearer(team.officer))
    assert response.status_code == 200
    data = response.json
    assert set(data) == {"items", "total", "page", "per_page"}
    assert data["total"] == len(data["items"]) == 2  # and the team's member, of Paris
    item = next(i for i in data["items"] if i["name"] == "Võ Thành Nhân")
    assert {
        "kind",
        "id",
        "name",
        "score",
        "reasons",
        "shortlisted",
        "interested",
        "contactable",
    } <= set(item)
    assert {r["code"] for r in item["reasons"]} >= {"field", "country", "hometown", "language"}


def test_needs_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/needs"])
    assert {"get", "patch"} <= set(paths["/api/v1/needs/{id}"])
    assert "get" in paths["/api/v1/needs/{id}/matches"]
    assert {"post", "delete"} <= set(paths["/api/v1/needs/{id}/interest"])
    assert "post" in paths["/api/v1/needs/{id}/shortlist"]
    assert "delete" in paths["/api/v1/needs/{id}/shortlist/{person_id}"]
