"""/api/v1/saved-searches: the caller's own saved searches."""

from __future__ import annotations

import sqlalchemy as sa

from directory.savedsearch import services
from directory.savedsearch.models import SavedSearch
from tests.factories import UserFactory

EN = {"Accept-Language": "en"}


def _names(db, user) -> list[str]:
    db.session.expire_all()
    return sorted(
        db.session.scalars(sa.select(SavedSearch.name).where(SavedSearch.user_id == user.id))
    )


def test_post_saves_the_query_canonical_and_get_lists_only_ones_own(client, bearer, db):
    member, other = UserFactory(), UserFactory()
    services.save_search(other, "Theirs", {"q": "lan"})

    created = client.post(
        "/api/v1/saved-searches",
        json={
            "name": "Chips in France",
            "query": {"q": "vi mạch", "field": ["Bán dẫn"], "country": "Pháp", "sort": "name"},
        },
        headers=bearer(member),
    )
    listed = client.get("/api/v1/saved-searches", headers=bearer(member))

    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["name"] == "Chips in France"
    assert body["query"] == {
        "q": "vi mạch",
        "field": ["semiconductors"],
        "country": ["FR"],
        "sort": "name",
    }
    assert body["last_opened_at"] is None and body["created_at"]
    page = listed.get_json()
    assert (page["total"], page["page"]) == (1, 1)
    assert [item["id"] for item in page["items"]] == [body["id"]]


def test_bad_names_and_parameters_are_422_naming_them_and_nothing_is_written(
    client, bearer, db, row_counts
):
    member = UserFactory()
    services.save_search(member, "Mine", {})
    services.save_search(member, "Của tôi", {})
    before = row_counts()
    cases = [
        ({"name": "", "query": {}}, "name"),
        ({"name": "MINE"}, "name"),
        ({"name": " CỦA   TÔI "}, "name"),
        ({"name": "\u0007"}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": 5}, "name"),
        ({"name": "A", "query": {"country": "Atlantis"}}, "query.country"),
        ({"name": "A", "query": {"page": "2"}}, "query.page"),
        ({"name": "A", "query": {"kind": [1]}}, "query.kind"),
        ({"name": "A", "query": ["q"]}, "query"),
        ({"name": "A", "id": "x"}, "id"),
    ]
    for body, field in cases:
        response = client.post("/api/v1/saved-searches", json=body, headers=bearer(member, **EN))
        assert response.status_code == 422, (body, response.get_json())
        assert field in response.get_json()["error"]["fields"], (body, response.get_json())
    assert row_counts() == before


def test_delete_removes_ones_own_and_answers_404_for_anothers(client, bearer, db):
    member, other = UserFactory(), UserFactory()
    mine = services.save_search(member, "Mine", {"q": "a"})
    theirs = services.save_search(other, "Theirs", {"q": "b"})
    admin = UserFactory(role="admin")

    foreign = client.delete(f"/api/v1/saved-searches/{theirs.id}", headers=bearer(member))
    by_admin = client.delete(f"/api/v1/saved-searches/{theirs.id}", headers=bearer(admin))
    missing = client.delete("/api/v1/saved-searches/nothere", headers=bearer(member))
    own = client.delete(f"/api/v1/saved-searches/{mine.id}", headers=bearer(member))

    assert foreign.status_code == by_admin.status_code == missing.status_code == 404
    assert foreign.get_json() == missing.get_json()
    assert own.status_code == 204
    assert _names(db, member) == [] and _names(db, other) == ["Theirs"]


def test_without_a_token_it_is_a_401(client):
    assert client.get("/api/v1/saved-searches").status_code == 401
    assert client.post("/api/v1/saved-searches", json={"name": "x"}).status_code == 401


def test_the_routes_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert set(paths["/api/v1/saved-searches"]) >= {"get", "post"}
    assert "delete" in paths["/api/v1/saved-searches/{id}"]
