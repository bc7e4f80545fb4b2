"""The header menu offers each role the pages it may use (asked of the policy)."""

import pytest


def nav_of(client):
    html = client.get("/needs").get_data(as_text=True)
    return html.split('class="main-nav"')[1].split("</nav>")[0]


@pytest.mark.parametrize(
    ("who", "nominations", "exports"),
    [
        ("owner", False, False),
        ("embassy", True, True),
        ("officer", True, True),
        ("approver", True, True),
        ("admin", True, True),
    ],
)
def test_nominations_and_exports_are_in_the_menu_of_those_who_use_them(
    client, cast, login, who, nominations, exports
):
    login(getattr(cast, who))
    nav = nav_of(client)
    assert ('href="/nominations"' in nav) is nominations
    assert ('href="/imports/exports"' in nav) is exports


def test_anonymous_visitors_see_neither(client, cast):
    nav = nav_of(client)
    assert 'href="/nominations"' not in nav and 'href="/imports/exports"' not in nav
