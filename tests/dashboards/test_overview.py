"""The central overview's figures against the known directory of conftest.py."""

from __future__ import annotations

from directory.dashboards import overview, services
from tests.dashboards.conftest import EXPECTED_OVERVIEW


def test_the_overview_figures_match_the_known_directory(overview_world):
    assert overview.overview_stats(overview_world.cast.admin) == EXPECTED_OVERVIEW


def test_people_by_country_field_and_province(overview_world):
    figures = overview.people(overview_world.cast.admin)
    # Huế's person with no country and the Canadian with no hometown count in the total.
    assert figures.total == 15
    assert list(figures.by_country) == ["FR", "US", "AU", "CA", "DE", "JP"]
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
