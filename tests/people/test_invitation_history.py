"""After "invitation sent", the profile shows when, how often and by whom; the button changes."""

import pytest

from tests.factories import UserFactory


@pytest.fixture
def english(client):
    with client.session_transaction() as sess:
        sess["lang"] = "en"


def test_the_profile_shows_each_invitation_and_offers_to_send_again(client, cast, login, english):
    login(cast.embassy)
    url = f"/people/{cast.unclaimed.id}"
    html = client.get(url).get_data(as_text=True)
    assert "Send claim invitation" in html and "invitation-history" not in html
    assert client.post(f"{url}/invite").status_code == 302
    html = client.get(url).get_data(as_text=True)
    assert "Send the invitation again" in html and "Send claim invitation" not in html
    assert "Claim invitation sent once" in html
    history = html.split("invitation-history")[1].split("</section>")[0]
    assert cast.embassy.email in history and cast.unclaimed.email in history
    client.post(f"{url}/invite")
    html = client.get(url).get_data(as_text=True)
    assert "Claim invitation sent 2 times" in html
    assert html.split("invitation-history")[1].split("</section>")[0].count("<li>") == 2


def test_the_history_is_in_vietnamese_on_a_vietnamese_page(client, cast, login):
    login(cast.embassy)
    url = f"/people/{cast.unclaimed.id}"
    client.post(f"{url}/invite")
    html = client.get(url).get_data(as_text=True)
    assert "Gửi lại lời mời" in html and "Đã gửi lời mời nhận hồ sơ 1 lần" in html


def test_those_who_may_not_invite_do_not_see_the_history(client, cast, login):
    login(cast.embassy)
    client.post(f"/people/{cast.unclaimed.id}/invite")
    login(UserFactory(province_officer=True))
    html = client.get(f"/people/{cast.unclaimed.id}").get_data(as_text=True)
    assert "invitation-history" not in html
