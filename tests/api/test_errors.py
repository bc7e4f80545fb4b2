"""Every error under /api is a 4xx in the contract's shape, in the caller's language, and writes nothing."""

from __future__ import annotations

import pytest

from directory.accounts.tokens import create_token, revoke_token
from tests.factories import PersonFactory, UserFactory

EN = {"Accept-Language": "en"}


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"code", "message", "fields"}
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["fields"], dict)
    if code is not None:
        assert error["code"] == code
    return error


@pytest.fixture
def officer_headers(bearer):
    return bearer(UserFactory(embassy=True), **EN)


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        (b"{", "application/json", 400, "invalid_json"),
        (b"not json at all", "application/json", 400, "invalid_json"),
        (b"\xff\xfe\x00{", "application/json", 400, "invalid_json"),
        (b"[" * 50_000, "application/json", 400, "invalid_json"),
        (b'{"full_name": NaN}', "application/json", 400, "invalid_json"),
        (b"[]", "application/json", 400, "invalid_json"),
        (b'"a string"', "application/json", 400, "invalid_json"),
        (b"null", "application/json", 400, "invalid_json"),
        (b"", "application/json", 400, "invalid_json"),
        (b'{"full_name": "x"}', "text/plain", 415, "unsupported_media_type"),
        (b"full_name=x", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
    ],
)
def test_bodies_that_are_not_a_json_object_are_refused(
    client, officer_headers, row_counts, body, content_type, status, code
):
    before = row_counts()

    response = client.post(
        "/api/v1/people", data=body, content_type=content_type, headers=officer_headers
    )

    assert_error(response, status, code)
    assert row_counts() == before


@pytest.mark.parametrize(
    ("payload", "bad_keys"),
    [
        ({"full_name": "A", "country": "FR", "fields": 5}, {"fields"}),
        ({"full_name": "A", "country": "FR", "birth_year": "abc"}, {"birth_year"}),
        ({"full_name": "A", "country": "FR", "birth_year": 1990.5}, {"birth_year"}),
        ({"full_name": 5, "country": "FR"}, {"full_name"}),
        ({"full_name": "A", "country": ["FR"]}, {"country"}),
        ({"full_name": "A", "country": "FR", "consent_listed": "maybe"}, {"consent_listed"}),
        ({"full_name": "A", "country": "FR", "visibility": "public"}, {"visibility"}),
        ({"full_name": "A", "country": "FR", "visibility": {"contact": 3}}, {"visibility.contact"}),
        ({"full_name": "A", "country": "FR", "kinds": [["expert"]]}, {"kinds"}),
        ({"full_name": "A" * 100_000, "country": "FR"}, {"full_name"}),
        ({"full_name": "A", "country": "FR", "bio": "x" * 1_000_000}, {"bio"}),
        ({"full_name": "A", "country": "FR", "favourite_colour": "red"}, {"favourite_colour"}),
        ({"full_name": "A", "country": "FR", "id": "chosen"}, {"id"}),
        ({"full_name": "A\x00B", "country": "FR"}, {"full_name"}),
        ({"full_name": "A", "country": "FR", "skills": [[[[[[[[[["deep"]]]]]]]]]]}, {"skills"}),
    ],
)
def test_wrong_types_and_unknown_keys_are_422_with_fields(
    client, officer_headers, row_counts, payload, bad_keys
):
    before = row_counts()

    response = client.post("/api/v1/people", json=payload, headers=officer_headers)

    error = assert_error(response, 422, "invalid")
    assert set(error["fields"]) == bad_keys
    assert row_counts() == before


def test_lone_surrogates_are_refused(client, officer_headers, row_counts):
    before = row_counts()

    response = client.post(
        "/api/v1/people",
        data=b'{"full_name": "A\\ud800", "country": "FR"}',
        content_type="application/json",
        headers=officer_headers,
    )

    assert set(assert_error(response, 422)["fields"]) == {"full_name"}
    assert row_counts() == before


def test_a_body_over_the_size_limit_is_413(make_app, bearer):
    app = make_app(MAX_CONTENT_LENGTH=1000)
    client = app.test_client()
    with app.app_context():
        headers = bearer(UserFactory(embassy=True))
        response = client.post(
            "/api/v1/people", json={"full_name": "x" * 2000, "country": "FR"}, headers=headers
        )

    assert_error(response, 413)


@pytest.mark.parametrize(
    ("query", "bad"),
    [
        ("page=0", {"page"}),
        ("page=abc", {"page"}),
        ("page=-1&per_page=0", {"page", "per_page"}),
        ("per_page=100000", {"per_page"}),
        ("per_page=1e3", {"per_page"}),
        ("page=99999999999999999999999", {"page"}),
    ],
)
def test_bad_pagination_is_a_400_naming_the_parameters(client, query, bad):
    error = assert_error(
        client.get(f"/api/v1/people?{query}", headers=EN), 400, "invalid_parameters"
    )
    assert set(error["fields"]) == bad


def test_a_page_past_the_end_is_empty_not_an_error(client):
    PersonFactory()

    body = client.get("/api/v1/people?page=50").get_json()

    assert body == {"items": [], "total": 1, "page": 50, "per_page": 20}


def test_unknown_routes_under_api_are_404_in_the_error_shape(client):
    for path in ("/api/v1/nothing-here", "/api/v2/people", "/api/", "/api/v1/people/x/y/z"):
        assert_error(client.get(path), 404, "not_found")


def test_wrong_method_is_405_in_the_error_shape(client, officer_headers):
    assert_error(client.put("/api/v1/people", json={}, headers=officer_headers), 405)
    assert_error(client.delete("/api/v1/fields", headers=officer_headers), 405)


def test_unsafe_methods_without_a_token_are_401(client, row_counts):
    person = PersonFactory()
    before = row_counts()

    assert_error(client.post("/api/v1/people", json={"full_name": "A"}), 401, "unauthorized")
    assert_error(client.patch(f"/api/v1/people/{person.id}", json={}), 401)
    assert_error(client.delete(f"/api/v1/people/{person.id}"), 401)
    assert_error(client.post(f"/api/v1/people/{person.id}/verify"), 401)
    assert row_counts() == before


@pytest.mark.parametrize(
    "header",
    [
        "Bearer kb_not-a-real-token",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer kb_" + "x" * 5000,
        "Bearer \u00e9\u00e9",
        "Token abc",
    ],
)
def test_bad_tokens_are_401_even_for_reads(client, header):
    error = assert_error(client.get("/api/v1/people", headers={"Authorization": header}), 401)
    assert error["code"] in ("unauthorized", "invalid_token")


def test_a_revoked_token_stops_working(client, db):
    user = UserFactory(embassy=True)
    token, raw = create_token(user)
    db.session.commit()
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/people", headers=headers).status_code == 200

    revoke_token(token)
    db.session.commit()

    assert_error(client.get("/api/v1/people", headers=headers), 401, "invalid_token")


def test_a_deactivated_users_token_stops_working(client, bearer, db):
    user = UserFactory(embassy=True)
    headers = bearer(user)
    user.is_active_flag = False
    db.session.commit()

    assert_error(client.get("/api/v1/people", headers=headers), 401, "invalid_token")


def test_messages_follow_accept_language_vietnamese_by_default(client):
    vi = assert_error(client.get("/api/v1/people/nope"), 404)
    en = assert_error(client.get("/api/v1/people/nope", headers=EN), 404)
    vi_explicit = assert_error(
        client.get("/api/v1/people/nope", headers={"Accept-Language": "vi"}), 404
    )

    assert en["message"] == "This record does not exist, or you may not see it."
    assert vi["message"] == vi_explicit["message"] != en["message"]
    assert "không" in vi["message"].lower()


def test_validation_messages_are_translated_too(client, bearer):
    headers = bearer(UserFactory(embassy=True))

    en = client.post("/api/v1/people", json={"full_name": 5}, headers={**headers, **EN}).get_json()[
        "error"
    ]
    vi = client.post("/api/v1/people", json={"full_name": 5}, headers=headers).get_json()["error"]

    assert en["fields"]["full_name"] == "Enter text."
    assert vi["fields"]["full_name"] != "Enter text."
    assert vi["message"] != en["message"] == "Some values are not valid."
