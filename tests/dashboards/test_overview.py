"""The central overview's figures against the known directory of conftest.py."""

from __future__ import annotations

import re
from datetime import timedelta

from directory.dashboards import overview, services
from tests.dashboards.conftest import EXPECTED_OVERVIEW


def test_the_overview_figures_match_the_known_directory(overview_world):
    assert overview.overview_stats(overview_world.cast.admin) == EXPECTED_OVERVIEW


def test_people_by_country_field_and_province(overview_world):
    figures = overview.people(overview_world.cast.admin)
    # Huế's person with no country and the Canadian with no hometown count in the total.
    assert figures.total == 16
    assert list(figures.by_country) == ["FR", "US", "AU", "CA", "DE", "JP", "VN"]
    assert figures.countries_of["hue"] == {"US": 3, "AU": 1}
    assert figures.countries_of["da-nang"] == {"FR": 5, "DE": 1, "JP": 1, "US": 1}


def test_provinces_without_representatives_name_the_uncovered_countries(overview_world):
    found = overview.provinces_without_representatives(overview_world.cast.admin)
    assert [(u.slug, u.people, u.main, u.uncovered) for u in found] == [
        ("da-nang", 8, {"FR": 5, "DE": 1, "JP": 1}, {"JP": 1}),
        ("hue", 5, {"US": 3, "AU": 1}, {"AU": 1}),
    ]


def test_fields_without_matches_count_contactable_people(overview_world):
    gaps = overview.fields_without_matches(overview_world.cast.admin)
    assert [(g.code, g.needs, g.contactable) for g in gaps] == [
        ("green-hydrogen", 1, 0),
        ("hospitality", 2, 1),
        ("tourism", 1, 2),
    ]


def test_initiatives_by_province_with_the_overdue(overview_world):
    rows = overview.initiatives_by_province(overview_world.cast.admin)
    assert [(r.key, r.total, r.overdue) for r in rows] == [
        ("central", 2, 1),
        ("da-nang", 5, 1),
        ("ha-noi", 1, 1),
    ]
    assert rows[0].central and not rows[1].central


def test_match_counts_per_need(overview_world):
    from directory.needs.models import Need

    needs = {n.title: n for n in _db_needs(Need)}
    counts = services.match_counts(overview_world.cast.officer, needs.values())
    by_title = {title: counts[need.id] for title, need in needs.items()}
    assert by_title == {
        "Đào tạo thiết kế vi mạch": 9,  # every semiconductors profile but the anonymised one
        "Điện gió": 0,  # names no field
        "Cảng biển": 0,
        "Du lịch di sản": 0,
        # Tourism or hospitality: the one tagged with both counts once; the member with no
        # kind counts (the matcher does not ask for one).
        "Du lịch cộng đồng": 2,
        "Khách sạn xanh": 1,
        "Hydro xanh": 0,
        "Robot công nghiệp": 0,
    }


def _db_needs(model):
    import sqlalchemy as sa

    from directory.extensions import db

    return db.session.scalars(sa.select(model)).all()


# --- the page: the same figures as the API and the lists they link to -------------------------


def test_the_overview_page_equals_the_api_and_the_search(overview_world, login, sync):
    from html import unescape

    from tests.dashboards.test_figures import TABLE_LINK, figures, search_total

    sync()
    client = login(overview_world.cast.admin)
    page = client.get("/dashboard/overview")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    api = client.get("/api/v1/stats/overview").get_json()
    shown = figures(html)
    assert [value for _h, _t, value in shown.values()] == [16, 7, 3, 0]  # no business here
    profiles_href, profiles_tip, _v = shown["Hồ sơ"]
    assert profiles_tip and search_total(client, profiles_href) == 16
    # Every chart row is a search showing the same number, and the API's.
    rows = [(unescape(m["href"]), int(m["value"])) for m in TABLE_LINK.finditer(html)]
    assert len(rows) == 7 + 6 + 3
    for href, value in rows:
        assert search_total(client, href) == value, href
    assert [v for _h, v in rows] == [
        *api["people_by_country"].values(),
        *api["people_by_field"].values(),
        *api["people_by_province"].values(),
    ]
    # The other tables: every slug and code of the API, each table with its CSV link.
    for slug in api["provinces_without_representatives"]:
        assert f'href="/dashboard/province/{slug}"' in html
    for code in api["fields_without_matches"]:
        assert f'href="/needs?field={code}&amp;status=open"' in html
    for table in ("by-country", "by-field", "by-province", "initiatives"):
        assert f'href="/dashboard/overview/{table}.csv"' in html
    assert 'href="/initiatives?province=central&amp;state=received"' in html
    content = html.split('<main id="main"')[1].split("</main>")[0]
    assert "<script" not in content  # the charts need no script (the header's menu has its own)
    assert len(re.findall(r'<svg class="chart-bars"', html)) == 3


def test_the_overview_counts_what_the_search_counts_for_the_admin(overview_world):
    """Unlisted profiles count for the admin (who finds them), anonymised ones never."""
    figures = overview.people(overview_world.cast.admin)
    assert figures.by_country["FR"] == 6  # the unlisted profile included, the anonymised not


def test_a_need_s_matches_are_the_matcher_s_contactable_tagged_candidates(overview_world, sync):
    from directory.needs.matching import candidates
    from directory.needs.models import Need

    sync()
    officer = overview_world.cast.officer
    for need in _db_needs(Need):
        if need.province_slug != "da-nang" or need.status != "open":
            continue
        found, _total = candidates(need, officer)
        tagged = {
            c.id
            for c in found
            if c.kind == "person" and c.contactable and set(c.profile.fields) & set(need.fields)
        }
        assert services.match_counts(officer, [need])[need.id] == len(tagged), need.title


def test_each_chart_says_the_period_it_covers(overview_world, login, db):
    from directory.initiatives.services import today

    admin = overview_world.cast.admin
    day = today().strftime("%d/%m/%Y")
    html = login(admin).get("/dashboard/overview").get_data(as_text=True)
    assert html.count(f"Hồ sơ hiện có, tính đến {day}") == 3
    assert f"Mọi sáng kiến đã nhận, tính đến {day}" in html
    admin.locale = "en"
    db.session.commit()
    html = login(admin).get("/dashboard/overview").get_data(as_text=True)
    assert html.count(f"Current profiles, as of {day}") == 3
    province = login(admin).get("/dashboard/province/da-nang").get_data(as_text=True)
    assert province.count(f"Current profiles, as of {day}") == 2
    # 90 days, today included: the first is 89 days before today (days in Vietnam).
    start = (today() - timedelta(days=89)).strftime("%d/%m/%Y")
    period = re.search(r'<span class="figure-period">([^<]*)</span>', province)
    assert period and period.group(1) == f"{start} – {day}", "the new profiles' period"


def test_the_initiative_figures_equal_the_inbox_they_open(overview_world, login):
    """Each number of the initiatives table opens the inbox filtered by body and state (or
    overdue), which lists as many."""
    from html import unescape

    client = login(overview_world.cast.admin)
    html = client.get("/dashboard/overview").get_data(as_text=True)
    start = html.index('id="table-initiatives"')
    links = re.findall(
        r'<a href="(/initiatives\?province=[^"]+)" title="[^"]+">(\d+)</a>', html[start:]
    )
    assert len(links) == 3 * 10  # three bodies: eight states, overdue, total
    for href, value in links:
        inbox = client.get(unescape(href)).get_data(as_text=True)
        shown = re.search(r'<p class="meta">(\d+) ', inbox)
        assert int(shown.group(1) if shown else 0) == int(value), href
