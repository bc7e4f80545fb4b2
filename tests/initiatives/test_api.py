"""/api/v1/initiatives and /api/v1/me."""

from __future__ import annotations

import sqlalchemy as sa

from directory.api.openapi import build_document
from directory.initiatives.models import Initiative
from tests.initiatives.conftest import DATA


def test_me_names_the_caller(client, cast, bearer):
    response = client.get("/api/v1/me", headers=bearer(cast["approver"]))
    assert response.status_code == 200
    assert response.get_json() == {
        "id": cast["approver"].id,
        "email": "approver@danang.gov.vn",
        "role": "province",
        "province": "da-nang",
        "mission": None,
        "approver": True,
        "person_id": None,
    }
    me = client.get("/api/v1/me", headers=bearer(cast["embassy"])).get_json()
    assert me["mission"] == cast["embassy"].mission.code
    assert client.get("/api/v1/me").status_code == 401


def test_the_whole_way_through_the_api(client, cast, bearer, mail_outbox):
    member, officer = bearer(cast["member"]), bearer(cast["officer"])
    created = client.post("/api/v1/initiatives", json=DATA, headers=member)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["state"] == "received" and body["due_on"] and body["overdue"] is False
    assert "assignee_id" not in body and "notes" not in body
    assert body["actions"] == ["withdraw"]
    url = f"/api/v1/initiatives/{body['id']}"
    assert created.headers["Location"].endswith(url)

    def step(headers, action, payload=None):
        response = client.post(f"{url}/{action}", json=payload, headers=headers)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    step(officer, "triage")
    step(officer, "assign", {"assignee_id": cast["colleague"].id})
    colleague = bearer(cast["colleague"])
    step(colleague, "review")
    step(colleague, "note", {"text": "Ghi chú nội bộ"})
    answered = step(colleague, "answer", {"answer": "Tỉnh đồng ý."})
    assert answered["notes"][0]["text"] == "Ghi chú nội bộ"
    assert answered["assignee_id"] == cast["colleague"].id
    adopted = step(bearer(cast["approver"]), "adopt")
    assert adopted["state"] == "adopted"

    seen = client.get(url, headers=member).get_json()
    assert seen["answer"] == "Tỉnh đồng ý." and seen["state"] == "adopted"
    assert "notes" not in seen and "assignee_id" not in seen
    assert [h["action"] for h in seen["history"]] == [
        "submit",
        "triage",
        "assign",
        "review",
        "answer",
        "adopt",
    ]
    assert all("actor_id" not in h for h in seen["history"])
    assert "Ghi chú nội bộ" not in str(seen)
    assert len(mail_outbox()) == 2


def test_lists_show_what_the_caller_may_see(client, cast, bearer, initiative_in):
    mine = initiative_in("received")
    initiative_in("received", province_slug="ha-noi", submitter_id=cast["other_member"].id)
    late = initiative_in("assigned", due_on=initiative_in("triaged").due_on.replace(year=2020))
    listing = client.get("/api/v1/initiatives", headers=bearer(cast["officer"])).get_json()
    assert listing["total"] == 3 and listing["items"][0]["id"] == late.id
    overdue = client.get("/api/v1/initiatives?overdue=true", headers=bearer(cast["officer"]))
    assert [i["id"] for i in overdue.get_json()["items"]] == [late.id]
    own = client.get("/api/v1/initiatives?state=received", headers=bearer(cast["member"]))
    assert [i["id"] for i in own.get_json()["items"]] == [mine.id]
    assert (
        client.get("/api/v1/initiatives?state=nope", headers=bearer(cast["officer"])).status_code
        == 400
    )
    assert (
        client.get("/api/v1/initiatives?overdue=maybe", headers=bearer(cast["officer"])).status_code
        == 400
    )
    assert (
        client.get("/api/v1/initiatives?per_page=0", headers=bearer(cast["officer"])).status_code
        == 400
    )


def test_refusals_are_4xx_and_change_nothing(client, db, cast, bearer, initiative_in, trail):
    initiative = initiative_in("received")
    url = f"/api/v1/initiatives/{initiative.id}"
    before = trail(initiative)
    cases = [
        (bearer(cast["member"]), "triage", None, 403),
        (bearer(cast["officer"]), "adopt", None, 403),
        (bearer(cast["approver"]), "adopt", None, 409),
        (bearer(cast["officer"]), "forward", {"province": "Atlantis"}, 422),
        (bearer(cast["officer"]), "triage", {"answer": "x"}, 422),
        (bearer(cast["officer"]), "note", {"text": ""}, 422),
        (bearer(cast["officer"]), "explode", None, 404),
        (bearer(cast["other_officer"]), "triage", None, 404),
    ]
    for headers, action, payload, status in cases:
        response = client.post(f"{url}/{action}", json=payload, headers=headers)
        assert response.status_code == status, (action, response.get_json())
        assert set(response.get_json()["error"]) == {"code", "message", "fields"}
    assert trail(initiative) == before
    assert client.get(url, headers=bearer(cast["other_member"])).status_code == 404


def test_bad_submissions_are_422_with_fields(client, db, cast, bearer):
    member = bearer(cast["member"])
    for payload, field in (
        ({**DATA, "links": ["javascript:alert(1)"]}, "links"),
        ({**DATA, "title": 5}, "title"),
        ({**DATA, "state": "adopted"}, "state"),
        ({**DATA, "fields": []}, "fields"),
    ):
        response = client.post("/api/v1/initiatives", json=payload, headers=member)
        assert response.status_code == 422 and field in response.get_json()["error"]["fields"]
    officer = client.post("/api/v1/initiatives", json=DATA, headers=bearer(cast["officer"]))
    assert officer.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(Initiative.id))) == 0


def test_the_openapi_document_describes_the_routes(app):
    document = build_document(app)
    paths = document["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/initiatives"])
    assert "post" in paths["/api/v1/initiatives/{id}/{action}"]
    assert "get" in paths["/api/v1/me"]
    assert {"Initiative", "InitiativeAction", "Me"} <= set(document["components"]["schemas"])
