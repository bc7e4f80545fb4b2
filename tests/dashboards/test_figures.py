"""Each dashboard figure against the known directory of conftest.py; the page, the API and the
lists the figures link to agree for the same viewer."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlsplit

import pytest

from directory.dashboards import services
from tests.dashboards.conftest import EXPECTED_PROVINCE

FIGURE = re.compile(
    r'<a class="figure[^"]*" href="(?P<href>[^"]*)" title="(?P<title>[^"]*)">\s*'
    r'<span class="figure-value">(?P<value>\d+)</span>\s*'
    r'<span class="figure-label">(?P<label>[^<]*)</span>'
)
TABLE_LINK = re.compile(
    r'<a href="(?P<href>[^"]*)" title="(?P<title>[^"]*)">[^<]*</a></th>'
    r'<td class="num">(?P<value>\d+)</td>'
)


def figures(html: str) -> dict[str, tuple[str, str, int]]:
    """label -> (link, tooltip, value) of every counter on a dashboard page."""
    return {
        unescape(m["label"]): (unescape(m["href"]), unescape(m["title"]), int(m["value"]))
        for m in FIGURE.finditer(html)
    }


def search_total(client, href: str) -> int:
    """The total of the search list a figure links to (the same query through the API)."""
    parts = urlsplit(href)
    assert parts.path == "/search", href
    response = client.get(f"/api/v1/search?{parts.query}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()["total"]


# --- the read functions ----------------------------------------------------------------------


def test_the_province_figures_match_the_known_directory(world):
    officer = world.cast.officer
    assert services.province_stats(officer, "da-nang") == EXPECTED_PROVINCE
    # The API's dictionaries are ordered largest first.
    assert list(services.diaspora(officer, "da-nang").by_country) == ["FR", "DE", "JP", "US"]


def test_what_waits_for_the_officer(world):
    waiting = services.waiting(world.cast.officer, "da-nang")
    assert (waiting.initiatives_overdue, waiting.assigned, waiting.under_review) == (1, 1, 1)
    assert waiting.received == 1  # the overdue one: still to triage
    assert waiting.contact_requests_sent == 1  # the approver's request is not the officer's
    assert waiting.nominations == {"draft": 1, "awaiting_approval": 1}
    assert waiting.total == 7


def test_open_needs_carry_their_matches_and_interested_members(world):
    total, needs = services.open_needs(world.cast.officer, "da-nang")
    assert total == 2
    # Matches: the contactable people tagged with a field of the need (the anonymised
    # profile is out, the member with no kind in); a need naming no field has none.
    assert sorted((row.need.title, row.matches, row.interested) for row in needs) == [
        ("Điện gió", 0, 0),
        ("Đào tạo thiết kế vi mạch", 9, 2),
    ]


def test_representatives_ending_soon(world):
    reps = services.representatives(world.cast.officer, "da-nang")
    assert reps.active == 2
    assert [(n.country, n.state) for n in reps.ending] == [("FR", "active")]


def test_counts_only_whom_the_viewer_may_see(world):
    """A visitor's reach (listed profiles only) leaves the unlisted profile out; the same
    function counts it for the officer."""
    officer_view = services.diaspora(world.cast.officer, "da-nang")
    public_view = services.diaspora(None, "da-nang")
    assert officer_view.total == 8
    assert public_view.total == 7
    assert public_view.by_country["FR"] == officer_view.by_country["FR"] - 1


def test_the_admin_sees_the_same_province_figures(world):
    assert services.province_stats(world.cast.admin, "da-nang") == EXPECTED_PROVINCE


def test_the_mission_figures(world):
    figures = services.mission_figures(world.cast.embassy)
    assert figures.states == {
        (True, True): 1,
        (True, False): 1,
        (False, True): 2,
        (False, False): 3,
    }
    assert figures.total == 7
    assert figures.by_country == {"FR": 7}
    assert figures.invitations_pending == 1
    assert figures.imports_in_progress == 2
    assert figures.nominations_waiting == 1
    berlin = services.mission_figures(world.cast.other_embassy)
    assert (berlin.total, berlin.imports_in_progress, berlin.nominations_waiting) == (1, 1, 0)


# --- the pages, the API and the lists agree -------------------------------------------------


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_the_province_page_equals_the_api_and_the_lists(app, world, login, sync, locale):
    from directory.contacts.services import requests_for
    from directory.initiatives.queries import list_initiatives
    from directory.needs.queries import needs_query
    from directory.representatives.services import list_nominations

    sync()
    officer = world.cast.officer
    officer.locale = locale
    client = login(officer)
    page = client.get("/dashboard/province/da-nang")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    shown = figures(html)
    api = client.get("/api/v1/stats/province/da-nang").get_json()
    assert api == EXPECTED_PROVINCE
    values = [value for _href, _title, value in shown.values()]
    # Waiting, needs, representatives, diaspora, businesses: in the page's order.
    # Businesses (none here): by country, interested in the province, present in it (the
    # last now links to the search's presence_province filter).
    assert values == [1, 1, 1, 1, 1, 1, 1, 2, 2, 1, 8, 3, 7, 0, 0, 0]
    assert values[-5] == api["people_verified"] and values[-4] == api["people_new_90d"]
    assert values[7] == api["needs_open"] and values[0] == api["initiatives_overdue"]
    assert values[1] == api["initiatives_by_state"]["received"]
    assert values[8] == api["representatives_active"]
    assert values[9] == api["representatives_ending_90d"]
    assert values[5] + values[6] == api["nominations_pending"]
    for href, title, value in shown.values():
        assert title, href  # every counter says what it counts
        path = urlsplit(href).path
        if path == "/search":
            assert search_total(client, href) == value, href
    # Each chart row equals the search it links to, and the API.
    rows = {unescape(m["href"]): int(m["value"]) for m in TABLE_LINK.finditer(html)}
    assert len(rows) == 6
    for href, value in rows.items():
        assert search_total(client, href) == value, href
    assert sorted(rows.values()) == sorted(
        [*api["people_by_country"].values(), *api["people_by_field"].values()]
    )
    # The other lists, through the read functions their pages use.
    assert list_initiatives(officer, overdue=True)[1] == values[0]
    assert list_initiatives(officer, state="received")[1] == values[1]
    assert list_initiatives(officer, assignee="me", state="assigned")[1] == values[2]
    assert list_initiatives(officer, assignee="me", state="under_review")[1] == values[3]
    assert services.count(requests_for(officer, state="pending")) == values[4]
    assert list_nominations(officer, state="draft")[1] == values[5]
    assert list_nominations(officer, state="awaiting_approval")[1] == values[6]
    assert services.count(needs_query(officer, {"province": "da-nang", "status": "open"})) == 2
    assert list_nominations(officer, state="active")[1] == values[8]


def test_the_page_links_and_charts(world, login, sync):
    sync()
    html = login(world.cast.officer).get("/dashboard/province/da-nang").get_data(as_text=True)
    assert "<svg" in html and 'class="chart-table"' in html
    content = html.split('<main id="main"')[1].split("</main>")[0]
    assert "<script" not in content  # the charts need no script (the header's menu has its own)
    assert "Đà Nẵng" in html  # the province keeps its diacritics
    assert "/initiatives?overdue=1" in html


def test_the_mission_page_equals_the_mission_lists(world, login):
    from directory.people.queries import mission_people

    embassy = world.cast.embassy
    client = login(embassy)
    response = client.get("/dashboard/mission")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    shown = figures(html)
    assert [v for _h, _t, v in shown.values()] == [1, 2, 1, 7]
    for verified, claimed, expected in [
        ("yes", "yes", 1),
        ("yes", "no", 1),
        ("no", "yes", 2),
        ("no", "no", 3),
    ]:
        link = f"/mission/people?verified={verified}&amp;claimed={claimed}"
        assert re.search(re.escape(link) + r'"\s*title="[^"]+">' + str(expected) + "<", html)
        count = services.count(
            mission_people(embassy, verified=verified == "yes", claimed=claimed == "yes")
        )
        assert count == expected
