"""GET /api/v1/search: the contract's shape, errors, visibility, OpenAPI."""

from __future__ import annotations

import pytest

from tests.search.data import build_directory


@pytest.fixture
def d(app, sync):
    data = build_directory()
    sync()
    return data


def test_search_returns_the_contract_shape(client, d):
    response = client.get("/api/v1/search?q=ban+dan")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) >= {"hits", "total", "page", "per_page", "facets"}
    assert set(body["facets"]) >= {"kind", "field", "country", "province", "language"}
    assert body["page"] == 1 and body["per_page"] == 20
    hit = next(h for h in body["hits"] if h["id"] == d.dung.id)
    assert hit["full_name"] == "Nguyễn Văn Dũng"
    assert hit["type"] == "person"
    assert "email" not in hit  # private contact details are absent for the public
    assert body["facets"]["country"]["FR"] >= 1


def test_filters_repeat_in_the_query_string(client, d):
    body = client.get("/api/v1/search?country=FR&country=DE&kind=expert").get_json()
    assert {h["id"] for h in body["hits"]} == {d.dung.id, d.nam.id}
    assert body["total"] == 2


def test_filters_accept_names_in_either_language(client, d):
    body = client.get("/api/v1/search?country=Đức&field=Năng lượng tái tạo").get_json()
    assert [h["id"] for h in body["hits"]] == [d.lan.id]


@pytest.mark.parametrize(
    "query, field",
    [
        ("country=Atlantis", "country"),
        ("province=Gotham", "province"),
        ("kind=wizard", "kind"),
        ("field=nothing-like-this", "field"),
        ("language=klingonese", "language"),
        ("verified=maybe", "verified"),
        ("page=0", "page"),
        ("page=abc", "page"),
        ("per_page=1000", "per_page"),
        ("sort=random", "sort"),
    ],
)
def test_invalid_parameters_are_a_400_in_the_error_shape(client, d, query, field):
    response = client.get(f"/api/v1/search?{query}")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_parameters"
    assert field in error["fields"]


def test_a_bearer_token_searches_as_its_user(client, d):
    from directory.accounts.tokens import create_token
    from directory.extensions import db

    _record, token = create_token(d.users.province, "search")
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    body = client.get("/api/v1/search?q=Quasarlab", headers=headers).get_json()
    assert [h["id"] for h in body["hits"]] == [d.quan.id]
    assert client.get("/api/v1/search?q=Quasarlab").get_json()["total"] == 0


def test_search_engine_down_is_a_503_in_the_error_shape(app, client, d):
    from search_index.base import SearchUnavailable

    class Down:
        def search(self, query):
            raise SearchUnavailable("connection refused")

    app.extensions["search_backend"] = Down()
    response = client.get("/api/v1/search?q=dung")
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "search_unavailable"


def test_the_search_route_is_described_in_openapi(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/search"]["get"]
    params = {p["name"] for p in operation["parameters"]}
    assert {"q", "kind", "field", "country", "province", "language", "verified"} <= params
    assert {"page", "per_page"} <= params
