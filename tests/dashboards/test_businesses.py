"""The businesses on the dashboards: counted in SQL as the viewer sees them (the SQL twin of
"business.view"), and each figure equal to the search it links to.

The world of ``conftest.py`` plus five businesses (``business_world``), worked out:

- Rồng Xanh Logistik (DE, listed): transport and import-export; invests in Đà Nẵng, joint
  venture there.
- Phần mềm Sao Mai (FR, operates in DE, listed): ICT; invests in Đà Nẵng and Huế.
- Hải sản Cửu Long (JP, unlisted): seafood export; exports from Đà Nẵng (an interest of another
  kind), subsidiary in Huế. The member is linked to it (accepted).
- Vận tải Mekong (US, listed): transport; representative office in Đà Nẵng, no interest.
- Du lịch Hương Giang (AU, listed): hospitality; training in Huế.
"""

from __future__ import annotations

from html import unescape

import pytest
import sqlalchemy as sa

from directory import policy
from directory.businesses.models import Business
from directory.dashboards import overview, services
from directory.extensions import db
from directory.policy.businesses import business_view_clause
from tests.businesses.conftest import link, make_business
from tests.dashboards.test_figures import TABLE_LINK, figures, search_total

OFFICER_COUNTRIES = {"DE": 2, "AU": 1, "FR": 1, "JP": 1, "US": 1}
OFFICER_SECTORS = {
    "transportation": 2,
    "hospitality": 1,
    "ict": 1,
    "import-export": 1,
    "seafood-export": 1,
}


@pytest.fixture
def business_world(world):
    def invest(*provinces, kind="investment"):
        entry = {"kind": kind, "sectors": [], "provinces": list(provinces), "products": []}
        entry["ticket_band"] = "1m_10m" if kind == "investment" else None
        return entry

    found = {
        "logistik": make_business(
            name="Rồng Xanh Logistik GmbH",
            country="DE",
            sectors=["transportation", "import-export"],
            interests=[invest("da-nang")],
            presence_in_vietnam=[{"kind": "joint_venture", "province": "da-nang"}],
            consent_listed=True,
        ),
        "software": make_business(
            name="Phần mềm Sao Mai SAS",
            country="FR",
            operates_in=["DE"],
            sectors=["ict"],
            interests=[invest("da-nang", "hue")],
            consent_listed=True,
        ),
        "seafood": make_business(
            name="Hải sản Cửu Long K.K.",
            country="JP",
            sectors=["seafood-export"],
            interests=[invest("da-nang", kind="export")],
            presence_in_vietnam=[{"kind": "subsidiary", "province": "hue"}],
        ),
        "transport": make_business(
            name="Vận tải Mekong LLC",
            country="US",
            sectors=["transportation"],
            presence_in_vietnam=[{"kind": "representative_office", "province": "da-nang"}],
            consent_listed=True,
        ),
        "tourism": make_business(
            name="Du lịch Hương Giang Pty Ltd",
            country="AU",
            sectors=["hospitality"],
            interests=[invest("hue", kind="training")],
            consent_listed=True,
        ),
    }
    link(found["seafood"], world.cast.member_person, role="executive")
    world.businesses = found
    return world


def test_the_province_counts_the_businesses_the_officer_sees(business_world):
    stats = services.province_stats(business_world.cast.officer, "da-nang")
    assert stats["businesses_by_country"] == OFFICER_COUNTRIES
    assert list(stats["businesses_by_country"])[0] == "DE"  # largest first
    assert stats["businesses_by_sector"] == OFFICER_SECTORS
    # Interest of any kind naming Đà Nẵng; presence in Đà Nẵng (Huế's are not counted).
    assert (stats["businesses_interested"], stats["businesses_present"]) == (3, 2)
    hue = services.business_counts(business_world.cast.officer, "hue")
    assert (hue.interested, hue.present) == (2, 1)


def test_the_counts_follow_what_the_viewer_may_see(business_world):
    public = services.business_counts(None, "da-nang")
    assert public.total == 4  # the unlisted one is out
    assert "JP" not in public.by_country and "seafood-export" not in public.by_sector
    assert (public.interested, public.present) == (2, 2)
    # The member linked to the unlisted business sees it.
    member = services.business_counts(business_world.cast.member, "da-nang")
    assert (member.total, member.interested) == (5, 3)


def test_the_sql_twin_agrees_with_the_rule(business_world):
    cast = business_world.cast
    everyone = db.session.scalars(sa.select(Business)).all()
    for user in (None, cast.officer, cast.admin, cast.embassy, cast.member, cast.owner):
        listed = set(db.session.scalars(sa.select(Business.id).where(business_view_clause(user))))
        expected = {b.id for b in everyone if policy.can(user, "business.view", b)}
        assert listed == expected, user


def test_the_overview_counts_businesses_by_country_and_sector(business_world):
    stats = overview.overview_stats(business_world.cast.admin)
    assert stats["businesses_by_country"] == OFFICER_COUNTRIES
    assert stats["businesses_by_sector"] == OFFICER_SECTORS


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_each_province_business_figure_equals_its_search(business_world, login, sync, locale):
    sync()
    officer = business_world.cast.officer
    officer.locale = locale
    db.session.commit()
    client = login(officer)
    html = client.get("/dashboard/province/da-nang").get_data(as_text=True)
    api = client.get("/api/v1/stats/province/da-nang").get_json()
    business_figures = [
        (href, value) for href, _t, value in figures(html).values() if "kind=business" in href
    ]
    assert business_figures == [
        ("/search?kind=business", 5),
        ("/search?kind=business&interest_province=da-nang", api["businesses_interested"]),
        ("/search?kind=business&presence_province=da-nang", api["businesses_present"]),
    ]
    for href, value in business_figures:
        assert search_total(client, href) == value, href
    rows = [
        (unescape(m["href"]), int(m["value"]))
        for m in TABLE_LINK.finditer(html)
        if "kind=business" in m["href"]
    ]
    assert [v for _h, v in rows] == [
        *api["businesses_by_country"].values(),
        *api["businesses_by_sector"].values(),
    ]
    for href, value in rows:
        assert search_total(client, href) == value, href
    for table in ("businesses-by-country", "businesses-by-sector"):
        assert f'href="/dashboard/province/da-nang/{table}.csv"' in html


def test_each_overview_business_figure_equals_its_search(business_world, login, sync):
    sync()
    client = login(business_world.cast.admin)
    html = client.get("/dashboard/overview").get_data(as_text=True)
    api = client.get("/api/v1/stats/overview").get_json()
    shown = [(h, v) for h, _t, v in figures(html).values() if "kind=business" in h]
    assert shown == [("/search?kind=business", 5)]
    assert search_total(client, shown[0][0]) == 5
    rows = [
        (unescape(m["href"]), int(m["value"]))
        for m in TABLE_LINK.finditer(html)
        if "kind=business" in m["href"]
    ]
    assert [v for _h, v in rows] == [
        *api["businesses_by_country"].values(),
        *api["businesses_by_sector"].values(),
    ]
    for href, value in rows:
        assert search_total(client, href) == value, href
    csv = client.get("/dashboard/overview/businesses-by-sector.csv")
    assert csv.status_code == 200
    assert "transportation" in csv.get_data(as_text=True)
