"""The association member picker: find a person by name instead of pasting a profile link.

With JavaScript the page queries the candidates endpoint as the user types; without it, the
same search is a GET form listing the matches with a "Choose" button each. Either way only the
people the user may see are offered (the policy's "person.view"), and the add-member POST is
the one it was, checked by the service.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from directory.associations import services
from directory.associations.models import Membership

BUSINESS = {"name": "Hội Doanh nhân trẻ tại Pháp", "kind": "business", "country": "FR"}


@pytest.fixture
def club(cast):
    """An association a member registered (and so presides)."""
    return services.create_association(BUSINESS, cast.member)


def candidates(client, club, q):
    response = client.get(f"/associations/{club.id}/members/candidates", query_string={"q": q})
    assert response.status_code == 200, response.status_code
    assert response.headers["Cache-Control"] == "no-store"
    return response.get_json()["people"]


def test_the_endpoint_finds_people_by_folded_name_in_any_order(client, login, cast, club):
    login(cast.member)
    [found] = candidates(client, club, "tuan hoang")  # Hoàng Minh Tuấn
    assert found == {
        "id": cast.owned.id,
        "full_name": "Hoàng Minh Tuấn",
        "city": "Paris",
        "country": "FR",
        "country_name": "Pháp",
    }
    assert [p["id"] for p in candidates(client, club, "HOÀNG MI")] == [cast.owned.id]
    assert candidates(client, club, "t") == []  # one letter lists nobody
    assert candidates(client, club, "%") == [] and candidates(client, club, "_a") == []


def test_the_endpoint_offers_only_the_people_the_user_may_see(client, login, cast, club):
    # Lê Minh Đức did not agree to be listed: a member does not find him, the mission does.
    login(cast.member)
    assert candidates(client, club, "duc") == []
    login(cast.embassy)
    assert [p["full_name"] for p in candidates(client, club, "le minh duc")] == ["Lê Minh Đức"]


def test_only_those_who_manage_the_members_may_search(client, login, cast, club):
    url = f"/associations/{club.id}/members/candidates?q=tuan"
    assert client.get(url).status_code in (302, 401)
    for someone in (cast.owner, cast.officer, cast.other_embassy):
        login(someone)
        assert client.get(url).status_code in (403, 404)


def test_without_javascript_the_search_lists_matches_with_a_choose_button(
    client, login, cast, club
):
    login(cast.member)
    html = client.get(f"/associations/{club.id}/members?q=tuan").get_data(as_text=True)
    assert 'name="person"' in html and f'value="{cast.owned.id}"' in html
    assert "Hoàng Minh Tuấn" in html and "Paris, Pháp" in html
    assert "Lê Minh Đức" not in client.get(f"/associations/{club.id}/members?q=duc").get_data(
        as_text=True
    )
    assert "Hãy gõ ít nhất hai chữ cái" in client.get(
        f"/associations/{club.id}/members?q=d"
    ).get_data(as_text=True)


def test_choosing_fills_the_add_form_and_posting_proposes_the_membership(
    client, login, db, cast, club
):
    login(cast.member)
    html = client.get(f"/associations/{club.id}/members?q=tuan&person={cast.owned.id}").get_data(
        as_text=True
    )
    assert "Đã chọn: Hoàng Minh Tuấn" in html
    assert f'id="person" name="person" type="hidden" value="{cast.owned.id}"' in html
    response = client.post(
        f"/associations/{club.id}/members",
        data={"person": cast.owned.id, "role": "treasurer"},
    )
    assert response.status_code == 302
    membership = db.session.scalar(
        sa.select(Membership).where(Membership.person_id == cast.owned.id)
    )
    assert membership.role == "treasurer" and membership.status == "proposed"


def test_a_person_the_user_may_not_see_is_neither_shown_nor_added(client, login, db, cast, club):
    login(cast.member)
    html = client.get(f"/associations/{club.id}/members?person={cast.unclaimed.id}").get_data(
        as_text=True
    )
    assert "Lê Minh Đức" not in html and "Chưa chọn ai" in html
    response = client.post(
        f"/associations/{club.id}/members", data={"person": cast.unclaimed.id, "role": "member"}
    )
    assert response.status_code == 422
    assert "Lê Minh Đức" not in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Membership.id))) == 1  # the president


def test_posting_without_choosing_says_what_to_do(client, login, db, cast, club):
    login(cast.member)
    response = client.post(f"/associations/{club.id}/members", data={"role": "member"})
    assert response.status_code == 422
    assert "Hãy tìm người đó theo tên rồi bấm “Chọn”." in response.get_data(as_text=True)
