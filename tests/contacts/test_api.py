"""/api/v1/contact-requests: the contract's shapes, who sees what, and every refusal."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from directory.audit import AuditEvent

URL = "/api/v1/contact-requests"


@pytest.fixture
def post(client, bearer):
    def send(user, path=URL, body=None, **kwargs):
        return client.post(path, json=body, headers=bearer(user), **kwargs)

    return send


def _create(post, parties, person=None, by=None):
    response = post(
        by or parties.officer,
        body={
            "person_id": (person or parties.member_person).id,
            "message": "Sở KH&CN Đà Nẵng mời anh tư vấn.",
        },
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_create_read_accept_and_read_the_contact(parties, client, bearer, post, db):
    created = _create(post, parties)
    assert set(created) >= {
        "id",
        "person_id",
        "requester_id",
        "message",
        "state",
        "created_at",
        "expires_at",
    }
    assert created["state"] == "pending"
    assert created["person_id"] == parties.member_person.id
    assert created["requester_id"] == parties.officer.id
    assert created["requester"] == {
        "name": "Nguyễn Thị Lan",
        "role": "provincial officer",
        "where": "Da Nang",
    }
    assert "contact" not in created

    # The member sees it (who asks and why) and accepts, sharing email and website.
    seen = client.get(f"{URL}/{created['id']}", headers=bearer(parties.member)).get_json()
    assert seen["message"] == "Sở KH&CN Đà Nẵng mời anh tư vấn." and "contact" not in seen
    answered = post(
        parties.member, f"{URL}/{created['id']}/accept", {"share": ["email", "website"]}
    ).get_json()
    assert answered["state"] == "accepted" and answered["shared"] == ["email", "website"]
    assert "contact" not in answered

    # The official reads exactly those, each reading audited.
    for _ in range(2):
        mine = client.get(f"{URL}/{created['id']}", headers=bearer(parties.officer)).get_json()
        assert mine["contact"] == {
            "email": "nhan.vo@example.fr",
            "website": "https://nhan.example.fr",
        }
    views = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "contact_request.contact_view")
    ).all()
    assert len(views) == 2 and {v.actor_id for v in views} == {parties.officer.id}
    # The list never carries it (reading it is one audited GET).
    listed = client.get(URL, headers=bearer(parties.officer)).get_json()
    assert listed["total"] == 1 and "contact" not in listed["items"][0]
    # The admin sees the request but not the contact.
    admin = client.get(f"{URL}/{created['id']}", headers=bearer(parties.admin)).get_json()
    assert admin["state"] == "accepted" and "contact" not in admin


def test_decline_with_a_reason_and_withdraw_without_a_body(parties, client, bearer, post):
    first = _create(post, parties)
    response = post(parties.member, f"{URL}/{first['id']}/decline", {"reason": "Đang bận."})
    assert response.status_code == 200
    assert response.get_json()["reason"] == "Đang bận."
    declined = client.get(f"{URL}/{first['id']}", headers=bearer(parties.officer)).get_json()
    assert declined["state"] == "declined" and "contact" not in declined

    second = _create(post, parties)
    response = client.post(f"{URL}/{second['id']}/withdraw", headers=bearer(parties.officer))
    assert response.status_code == 200 and response.get_json()["state"] == "withdrawn"
    again = client.post(f"{URL}/{second['id']}/withdraw", headers=bearer(parties.officer))
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "invalid_state"


@pytest.mark.parametrize(
    ("target", "code"),
    [
        ("switched_off", "contact_requests_off"),
        ("unclaimed", "no_account"),
        ("no_consent", "not_contactable"),
        ("unlisted", "not_contactable"),
    ],
)
def test_people_who_cannot_be_asked_are_a_409_with_a_clear_message(
    parties, post, written, target, code
):
    before = written()
    response = post(
        parties.officer, body={"person_id": getattr(parties, target).id, "message": "Chào"}
    )
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == code
    assert error["message"].startswith("This person")
    assert written() == before


def test_the_switched_off_message_says_so(parties, post):
    response = post(parties.officer, body={"person_id": parties.switched_off.id, "message": "Chào"})
    assert "turned contact requests off" in response.get_json()["error"]["message"]


def test_bad_input_is_a_4xx_and_writes_nothing(parties, client, bearer, post, written):
    before = written()
    cases = [
        ({"person_id": parties.member_person.id}, 422, "message"),
        ({"person_id": parties.member_person.id, "message": ""}, 422, "message"),
        ({"person_id": parties.member_person.id, "message": 5}, 422, "message"),
        ({"person_id": "unknown", "message": "Chào"}, 422, "person_id"),
        ({"person_id": ["x"], "message": "Chào"}, 422, "person_id"),
        (
            {"person_id": parties.member_person.id, "message": "Chào", "state": "accepted"},
            422,
            "state",
        ),
        ({"person_id": parties.member_person.id, "message": "Chào", "need": "x"}, 422, "need"),
    ]
    for body, status, field in cases:
        response = post(parties.officer, body=body)
        assert response.status_code == status, (body, response.get_json())
        assert field in response.get_json()["error"]["fields"], body
    assert (
        post(
            parties.other_member, body={"person_id": parties.member_person.id, "message": "Hi"}
        ).status_code
        == 403
    )
    assert (
        client.post(URL, json={"person_id": parties.member_person.id, "message": "Hi"}).status_code
        == 401
    )
    not_json = client.post(URL, data="x", headers=bearer(parties.officer))
    assert not_json.status_code == 415
    assert written() == before


def test_a_second_pending_request_is_a_409(parties, post):
    _create(post, parties)
    response = post(
        parties.officer, body={"person_id": parties.member_person.id, "message": "Lần 2"}
    )
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "already_pending"


def test_the_daily_limit_is_a_429(parties, app, post):
    app.config["CONTACT_REQUESTS_PER_DAY"] = 1
    _create(post, parties)
    response = post(parties.officer, body={"person_id": parties.other_person.id, "message": "Chào"})
    assert response.status_code == 429
    error = response.get_json()["error"]
    assert error["code"] == "rate_limited"
    assert "1 contact requests in the last 24 hours" in error["message"]


def test_actions_by_the_wrong_party_or_unknown_are_refused(parties, client, bearer, post):
    created = _create(post, parties)
    path = f"{URL}/{created['id']}"
    assert post(parties.officer, f"{path}/accept", {"share": ["email"]}).status_code == 403
    assert post(parties.member, f"{path}/withdraw", {}).status_code == 403
    assert post(parties.member, f"{path}/approve", {}).status_code == 404
    assert post(parties.member, f"{path}/accept", {"share": ["fax"]}).status_code == 422
    assert post(parties.member, f"{path}/accept", {"reason": "x"}).status_code == 422
    assert post(parties.member, f"{path}/accept", {"share": "email"}).status_code == 422
    # Others do not learn that it exists.
    for outsider in (parties.embassy, parties.other_officer, parties.other_member):
        assert client.get(path, headers=bearer(outsider)).status_code == 404
        assert post(outsider, f"{path}/withdraw", {}).status_code == 404
    assert client.get(f"{URL}/{'x' * 100}", headers=bearer(parties.admin)).status_code == 404
    assert client.get(path, headers=bearer(parties.officer)).get_json()["state"] == "pending"


def test_lists_per_role_and_state_filter(parties, client, bearer, post):
    mine = _create(post, parties)
    theirs = _create(post, parties, person=parties.other_person, by=parties.embassy)

    def ids(user, **query):
        response = client.get(URL, headers=bearer(user), query_string=query)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        assert set(body) == {"items", "total", "page", "per_page"}
        return {item["id"] for item in body["items"]}

    assert ids(parties.officer) == {mine["id"]}
    assert ids(parties.member) == {mine["id"]}
    assert ids(parties.other_member) == {theirs["id"]}
    assert ids(parties.admin) == {mine["id"], theirs["id"]}
    assert ids(parties.other_officer) == set()
    assert ids(parties.admin, state="accepted") == set()
    bad = client.get(URL, headers=bearer(parties.admin), query_string={"state": "open"})
    assert bad.status_code == 400 and "state" in bad.get_json()["error"]["fields"]
    assert client.get(URL).status_code == 401


def test_the_profile_api_sets_the_members_switch(parties, client, bearer, db):
    path = f"/api/v1/people/{parties.member_person.id}"
    response = client.patch(
        path, json={"contact_requests_enabled": False}, headers=bearer(parties.member)
    )
    assert response.status_code == 200
    assert response.get_json()["contact_requests_enabled"] is False
    db.session.refresh(parties.member_person)
    assert parties.member_person.contact_requests_enabled is False
    # Nobody else changes it, the admin included.
    refused = client.patch(
        path, json={"contact_requests_enabled": True}, headers=bearer(parties.admin)
    )
    assert refused.status_code == 422
    assert "contact_requests_enabled" in refused.get_json()["error"]["fields"]
    db.session.refresh(parties.member_person)
    assert parties.member_person.contact_requests_enabled is False


def test_the_openapi_document_describes_the_routes(client):
    document = client.get("/api/v1/openapi.json").get_json()
    paths = document["paths"]
    assert set(paths["/api/v1/contact-requests"]) == {"get", "post"}
    assert "get" in paths["/api/v1/contact-requests/{id}"]
    assert "post" in paths["/api/v1/contact-requests/{id}/{action}"]
    schemas = document["components"]["schemas"]
    assert schemas["ContactRequest"]["properties"]["state"]["enum"] == [
        "pending",
        "accepted",
        "declined",
        "withdrawn",
        "expired",
    ]
    assert "contact_requests_enabled" in schemas["Person"]["properties"]
