"""Who reaches the dashboards and the stats API; where officials land after signing in."""

from __future__ import annotations

import pytest

from directory.accounts.passwords import hash_password
from tests.dashboards.conftest import EXPECTED_PROVINCE


def test_the_stats_api_for_the_province_and_the_admin(world, client):
    from directory.accounts.services import create_api_token

    for user in (world.cast.officer, world.cast.approver, world.cast.admin):
        _token, raw = create_api_token(user, "dashboard")
        response = client.get(
            "/api/v1/stats/province/da-nang", headers={"Authorization": f"Bearer {raw}"}
        )
        assert response.status_code == 200
        assert response.get_json() == EXPECTED_PROVINCE
        # In the response's own order: largest first.
        assert list(response.get_json()["people_by_country"]) == ["FR", "DE", "JP", "US"]


@pytest.mark.parametrize("actor", ["other_officer", "embassy", "member", "owner"])
def test_the_stats_api_refuses_others(world, login, actor):
    response = login(world.cast[actor]).get("/api/v1/stats/province/da-nang")
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"


def test_the_stats_api_unknown_province_and_anonymous(world, client, login):
    assert client.get("/api/v1/stats/province/da-nang").status_code == 401
    response = login(world.cast.officer).get("/api/v1/stats/province/atlantis")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_the_stats_route_is_in_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/stats/province/{slug}"]["get"]
    assert set(operation["responses"]) >= {"200", "401", "403", "404"}
    schema = document["components"]["schemas"]["ProvinceStats"]
    assert set(schema["required"]) == set(EXPECTED_PROVINCE)


@pytest.mark.parametrize(
    ("actor", "path", "status"),
    [
        ("officer", "/dashboard/province/da-nang", 200),
        ("admin", "/dashboard/province/da-nang", 200),
        ("other_officer", "/dashboard/province/da-nang", 403),
        ("embassy", "/dashboard/province/da-nang", 403),
        ("member", "/dashboard/province/da-nang", 403),
        ("officer", "/dashboard/province/atlantis", 404),
        ("embassy", "/dashboard/mission", 200),
        ("officer", "/dashboard/mission", 403),
        ("admin", "/dashboard/mission", 403),
        ("member", "/dashboard", 404),
        ("admin", "/dashboard/overview", 200),
        ("officer", "/dashboard/overview", 403),
        ("approver", "/dashboard/overview", 403),
        ("embassy", "/dashboard/overview", 403),
        ("member", "/dashboard/overview", 403),
        ("owner", "/dashboard/overview", 403),
    ],
)
def test_who_sees_which_page(world, login, actor, path, status):
    assert login(world.cast[actor]).get(path).status_code == status


@pytest.mark.parametrize(
    "path",
    [
        "/dashboard/province/da-nang",
        "/dashboard/overview",
        "/dashboard/overview/by-country.csv",
        "/dashboard/province/da-nang/by-country.csv",
        "/dashboard/mission/states.csv",
    ],
)
def test_a_visitor_is_asked_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_the_admin_dashboard_link_leads_to_the_overview(cast, login):
    response = login(cast.admin).get("/dashboard")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/dashboard/overview")
    page = login(cast.admin).get("/dashboard/overview").get_data(as_text=True)
    assert 'href="/dashboard"' in page  # the header's "Dashboard" link


@pytest.mark.parametrize(
    ("actor", "landing"),
    [
        ("officer", "/dashboard/province/da-nang"),
        ("embassy", "/dashboard/mission"),
        ("admin", "/dashboard/overview"),
        ("owner", "/people/me"),
    ],
)
def test_officials_land_on_their_dashboard_after_signing_in(db, cast, client, actor, landing):
    import pyotp

    from tests.conftest import next_totp_code

    user = cast[actor]
    user.password_hash = hash_password("a-long-enough-passphrase")
    if actor != "owner":
        user.totp_secret = pyotp.random_base32()  # officials sign in with two factors
    db.session.commit()
    response = client.post(
        "/login", data={"email": user.email, "password": "a-long-enough-passphrase"}
    )
    assert response.status_code == 302
    if actor != "owner":
        assert response.headers["Location"].endswith("/login/code")
        response = client.post("/login/code", data={"code": next_totp_code(user)})
        assert response.status_code == 302
    assert response.headers["Location"].endswith(landing)
    assert client.get("/dashboard").status_code in (302, 404)


# --- the overview's API -----------------------------------------------------------------------


def test_the_overview_api_for_the_admin(overview_world, client):
    from directory.accounts.services import create_api_token
    from tests.dashboards.conftest import EXPECTED_OVERVIEW

    _token, raw = create_api_token(overview_world.cast.admin, "overview")
    response = client.get("/api/v1/stats/overview", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    data = response.get_json()
    assert data == EXPECTED_OVERVIEW
    assert list(data) == list(EXPECTED_OVERVIEW)  # exactly these keys
    assert list(data["people_by_country"]) == ["FR", "US", "AU", "CA", "DE", "JP", "VN"]
    assert list(data["initiatives_by_province"])[0] == "central"


@pytest.mark.parametrize(
    "actor", ["officer", "approver", "other_officer", "embassy", "member", "owner", "nominee"]
)
def test_the_overview_api_refuses_everyone_but_the_admin(world, login, actor):
    response = login(world.cast[actor]).get("/api/v1/stats/overview")
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"


def test_the_overview_api_asks_for_a_token(client):
    response = client.get("/api/v1/stats/overview")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_the_overview_route_is_in_the_openapi_document(client):
    from tests.dashboards.conftest import EXPECTED_OVERVIEW

    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/stats/overview"]["get"]
    assert set(operation["responses"]) >= {"200", "401", "403"}
    schema = document["components"]["schemas"]["OverviewStats"]
    assert set(schema["required"]) == set(schema["properties"]) == set(EXPECTED_OVERVIEW)
