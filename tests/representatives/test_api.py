"""/api/v1/nominations: the contract's shapes, the same rules as the pages, clear errors."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from directory.representatives.models import Nomination, NominationEvent


def _counts(db):
    db.session.expire_all()
    return (
        db.session.scalar(sa.select(sa.func.count(Nomination.id))),
        db.session.scalar(sa.select(sa.func.count(NominationEvent.id))),
    )


def _create(client, bearer, user, **body):
    return client.post("/api/v1/nominations", json=body, headers=bearer(user))


def test_a_province_officer_creates_a_draft(cast, client, bearer):
    response = _create(
        client,
        bearer,
        cast["officer"],
        person_id=cast.nominee_person.id,
        country="FR",
        rationale="Chuyên gia vi mạch",
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/nominations/{body['id']}")
    assert body["state"] == "draft"
    assert body["province"] == "da-nang"
    assert body["region"] is None
    assert body["term_start"] is None and body["term_end"] is None
    assert body["actions"] == ["submit", "withdraw"]
    [created] = body["history"]
    assert created["action"] == "create" and created["actor_id"] == cast["officer"].id
    assert {"action", "actor_id", "at", "comment"} <= set(created)


@pytest.mark.parametrize(
    ("role", "body", "status"),
    [
        ("embassy", {}, 403),
        ("member", {}, 403),
        ("officer", {"province": "ha-noi"}, 403),
        ("officer", {"country": "Atlantis"}, 422),
        ("officer", {"rationale": ""}, 422),
        ("officer", {"state": "active"}, 422),
        ("officer", {"person_id": 42}, 422),
        ("officer", {"term_end": "soon"}, 422),
    ],
)
def test_creation_refusals_write_nothing(cast, client, bearer, db, role, body, status):
    data = {"person_id": cast.nominee_person.id, "country": "FR", "rationale": "Lý do", **body}
    response = _create(client, bearer, cast[role], **data)
    assert response.status_code == status
    assert set(response.get_json()["error"]) == {"code", "message", "fields"}
    assert _counts(db) == (0, 0)


def test_anonymous_callers_need_a_token(client, db):
    assert client.get("/api/v1/nominations").status_code == 401
    assert client.post("/api/v1/nominations", json={}).status_code == 401


def test_the_list_holds_what_the_caller_may_see(cast, nomination_in, client, bearer):
    draft = nomination_in("draft")
    review = nomination_in("embassy_review")
    asked = nomination_in("awaiting_consent")
    nomination_in("draft", province_slug="ha-noi")

    def ids(role, query=""):
        body = client.get(f"/api/v1/nominations{query}", headers=bearer(cast[role])).get_json()
        return {item["id"] for item in body["items"]}, body["total"]

    assert ids("officer") == ({draft.id, review.id, asked.id}, 3)
    assert ids("embassy") == ({review.id, asked.id}, 2)
    assert ids("other_embassy") == (set(), 0)
    assert ids("nominee") == ({asked.id}, 1)
    assert ids("member") == (set(), 0)
    assert ids("admin")[1] == 4
    assert ids("officer", "?state=draft") == ({draft.id}, 1)
    assert ids("embassy", "?waiting=1") == ({review.id}, 1)
    page = client.get(
        "/api/v1/nominations?per_page=2&page=2", headers=bearer(cast["officer"])
    ).get_json()
    assert (len(page["items"]), page["total"], page["page"], page["per_page"]) == (1, 3, 2, 2)


def test_a_nomination_is_invisible_to_those_outside_it(cast, nomination_in, client, bearer):
    draft = nomination_in("draft")
    for role in ("other_officer", "embassy", "nominee", "member"):
        response = client.get(f"/api/v1/nominations/{draft.id}", headers=bearer(cast[role]))
        assert response.status_code == 404, role
    response = client.get(f"/api/v1/nominations/{draft.id}", headers=bearer(cast["officer"]))
    assert response.status_code == 200


def test_the_nominee_does_not_see_the_missions_vetting_note(cast, nomination_in, client, bearer):
    nomination = nomination_in("embassy_review")
    client.post(
        f"/api/v1/nominations/{nomination.id}/endorse",
        json={"comment": "Ghi chú nội bộ"},
        headers=bearer(cast["embassy"]),
    )
    mine = client.get(f"/api/v1/nominations/{nomination.id}", headers=bearer(cast["nominee"]))
    assert mine.get_json()["history"][-1]["comment"] is None
    theirs = client.get(f"/api/v1/nominations/{nomination.id}", headers=bearer(cast["officer"]))
    assert theirs.get_json()["history"][-1]["comment"] == "Ghi chú nội bộ"


@pytest.mark.parametrize(
    ("state", "action", "role", "status", "code"),
    [
        ("draft", "submit", "officer", 200, None),
        ("draft", "submit", "embassy", 403, "forbidden"),
        ("draft", "submit", "member", 403, "forbidden"),
        ("draft", "approve", "approver", 409, "invalid_state"),
        ("awaiting_consent", "accept", "nominee", 200, None),
        ("awaiting_consent", "accept", "officer", 403, "forbidden"),
        ("embassy_review", "object", "embassy", 422, "invalid"),
        ("active", "fly", "officer", 404, "unknown_action"),
        ("active", "expire", "admin", 404, "unknown_action"),
    ],
)
def test_steps_answer_with_the_new_state_or_a_clear_refusal(
    cast, nomination_in, client, bearer, db, state, action, role, status, code
):
    nomination = nomination_in(state)
    before = _counts(db)
    response = client.post(
        f"/api/v1/nominations/{nomination.id}/{action}",
        json={"comment": ""},
        headers=bearer(cast[role]),
    )
    assert response.status_code == status, response.get_json()
    body = response.get_json()
    if code is None:
        assert body["id"] == nomination.id and body["state"] != state
        assert body["history"][-1]["action"] == action
    else:
        assert body["error"]["code"] == code
        assert _counts(db) == before
        assert db.session.get(Nomination, nomination.id).state == state


def test_approval_through_the_api_takes_the_term(cast, nomination_in, client, bearer):
    nomination = nomination_in("awaiting_approval")
    response = client.post(
        f"/api/v1/nominations/{nomination.id}/approve",
        json={"comment": "Đồng ý", "term_start": "2099-01-01", "term_end": "2100-12-31"},
        headers=bearer(cast["approver"]),
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["state"], body["term_start"], body["term_end"]) == (
        "active",
        "2099-01-01",
        "2100-12-31",
    )


def test_a_step_needs_no_body_but_refuses_a_bad_one(cast, nomination_in, client, bearer):
    nomination = nomination_in("draft")
    headers = bearer(cast["officer"])
    bad = client.post(
        f"/api/v1/nominations/{nomination.id}/submit",
        data="{",
        headers={**headers, "Content-Type": "application/json"},
    )
    assert bad.status_code == 400
    wrong_key = client.post(
        f"/api/v1/nominations/{nomination.id}/submit",
        json={"term_end": "2030-01-01"},
        headers=headers,
    )
    assert wrong_key.status_code == 422
    ok = client.post(f"/api/v1/nominations/{nomination.id}/submit", headers=headers)
    assert ok.status_code == 200 and ok.get_json()["state"] == "embassy_review"


def test_steps_on_a_nomination_the_caller_cannot_see_are_403_without_detail(
    cast, nomination_in, client, bearer
):
    draft = nomination_in("draft")
    for role in ("embassy", "nominee", "other_officer"):
        response = client.post(
            f"/api/v1/nominations/{draft.id}/endorse", headers=bearer(cast[role])
        )
        assert response.status_code == 403, role
        assert "draft" not in response.get_json()["error"]["message"]


def test_unknown_ids_are_404(cast, client, bearer):
    headers = bearer(cast["admin"])
    assert client.get("/api/v1/nominations/nope", headers=headers).status_code == 404
    assert client.post("/api/v1/nominations/nope/submit", headers=headers).status_code == 404


def test_the_openapi_document_describes_the_routes(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "/api/v1/nominations/{id}/{action}" in paths
    assert "/api/v1/representatives" in paths


def test_the_openapi_document_describes_the_residence_fields(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    nomination = schemas["Nomination"]["properties"]
    assert nomination["residence_exception"]["type"] == "boolean"
    assert nomination["residence_country"]["readOnly"] is True
    history = nomination["history"]["items"]["properties"]
    assert history["residence_exception"]["type"] == "boolean"
    action = schemas["NominationAction"]["properties"]
    assert action["residence_acknowledged"]["type"] == "boolean"
    assert "endorse only" in action["residence_acknowledged"]["description"]
