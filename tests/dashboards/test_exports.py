"""The CSV downloads of the dashboards' tables: the viewer's language, codes beside labels,
UTF-8 with a BOM, the same figures as the page and the API, audited, authorized as the page."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from directory.audit import AuditEvent
from directory.dashboards import services
from directory.extensions import db
from tests.dashboards.conftest import EXPECTED_OVERVIEW, EXPECTED_PROVINCE


def download(client, path: str) -> list[list[str]]:
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")  # Excel reads the diacritics
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def counts(rows: list[list[str]], code: int = 0, value: int = -1) -> dict[str, int]:
    return {row[code]: int(row[value]) for row in rows[1:]}


def exports() -> list[AuditEvent]:
    return list(
        db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "dashboard.export"))
    )


# --- a province -------------------------------------------------------------------------------


def test_the_province_tables_in_vietnamese_equal_the_api(world, login):
    client = login(world.cast.officer)
    api = client.get("/api/v1/stats/province/da-nang").get_json()
    rows = download(client, "/dashboard/province/da-nang/by-country.csv")
    assert rows[0] == ["Mã quốc gia", "Quốc gia", "Số người"]
    assert rows[1] == ["FR", "Pháp", "5"]
    assert counts(rows) == api["people_by_country"] == EXPECTED_PROVINCE["people_by_country"]
    assert list(counts(rows)) == list(api["people_by_country"])  # the same order
    rows = download(client, "/dashboard/province/da-nang/by-field.csv")
    assert rows[1] == ["semiconductors", "Bán dẫn", "7"]
    assert counts(rows) == api["people_by_field"]
    events = exports()
    assert [(e.actor_id, e.object_id) for e in events] == [
        (world.cast.officer.id, "province:da-nang"),
        (world.cast.officer.id, "province:da-nang"),
    ]
    assert events[0].details == {
        "dashboard": "province",
        "province": "da-nang",
        "table": "by-country",
        "rows": 4,
    }


def test_the_province_tables_in_english(world, login):
    officer = world.cast.officer
    officer.locale = "en"
    db.session.commit()
    client = login(officer)
    rows = download(client, "/dashboard/province/da-nang/by-field.csv")
    assert rows[0] == ["Field code", "Field", "People"]
    assert rows[1] == ["semiconductors", "Semiconductors", "7"]
    rows = download(client, "/dashboard/province/da-nang/needs.csv")
    assert rows[0] == ["Need id", "Need", "Contactable matches", "Interested members"]
    _total, needs = services.open_needs(officer, "da-nang", limit=None)
    assert {row[0]: (row[1], int(row[2]), int(row[3])) for row in rows[1:]} == {
        n.need.id: (n.need.title, n.matches, n.interested) for n in needs
    }
    rows = download(client, "/dashboard/province/da-nang/representatives.csv")
    assert rows[0] == ["Representative", "Country code", "Country", "Region", "Term ends"]
    assert [row[1:3] for row in rows[1:]] == [["FR", "France"]]
    assert rows[1][0] == world.cast.nominee_person.full_name


def test_a_cell_is_never_a_formula(world, login):
    from directory.needs.models import Need

    db.session.add(
        Need(province_slug="da-nang", title="=HYPERLINK(1)", type="training", status="open")
    )
    db.session.commit()
    rows = download(login(world.cast.officer), "/dashboard/province/da-nang/needs.csv")
    assert "'=HYPERLINK(1)" in [row[1] for row in rows]


@pytest.mark.parametrize(
    ("actor", "path", "status"),
    [
        ("admin", "/dashboard/province/da-nang/needs.csv", 200),
        ("approver", "/dashboard/province/da-nang/by-country.csv", 200),
        ("other_officer", "/dashboard/province/da-nang/by-country.csv", 403),
        ("embassy", "/dashboard/province/da-nang/by-country.csv", 403),
        ("member", "/dashboard/province/da-nang/by-country.csv", 403),
        ("officer", "/dashboard/province/da-nang/nothing.csv", 404),
        ("officer", "/dashboard/province/atlantis/by-country.csv", 404),
        ("embassy", "/dashboard/mission/states.csv", 200),
        ("officer", "/dashboard/mission/states.csv", 403),
        ("admin", "/dashboard/mission/states.csv", 403),
        ("embassy", "/dashboard/mission/nothing.csv", 404),
        ("admin", "/dashboard/overview/initiatives.csv", 200),
        ("officer", "/dashboard/overview/initiatives.csv", 403),
        ("embassy", "/dashboard/overview/by-country.csv", 403),
        ("member", "/dashboard/overview/by-country.csv", 403),
        ("admin", "/dashboard/overview/nothing.csv", 404),
    ],
)
def test_who_downloads_which_table(world, login, actor, path, status):
    assert login(world.cast[actor]).get(path).status_code == status
    # A refused download writes nothing.
    assert len(exports()) == (1 if status == 200 else 0)


# --- a mission --------------------------------------------------------------------------------


def test_the_mission_tables(world, login):
    embassy = world.cast.embassy
    client = login(embassy)
    rows = download(client, "/dashboard/mission/states.csv")
    assert rows == [
        ["Xác minh", "Đã được chủ hồ sơ nhận", "Chưa được chủ hồ sơ nhận"],
        ["Đã xác minh", "1", "1"],
        ["Chưa xác minh", "2", "3"],
    ]
    rows = download(client, "/dashboard/mission/by-country.csv")
    assert counts(rows) == services.mission_figures(embassy).by_country == {"FR": 7}
    assert exports()[0].details == {
        "dashboard": "mission",
        "mission": "FR-PARIS",
        "table": "states",
        "rows": 2,
    }


# --- the overview -----------------------------------------------------------------------------


def test_the_overview_tables_equal_the_api(overview_world, login):
    admin = overview_world.cast.admin
    admin.locale = "en"
    db.session.commit()
    client = login(admin)
    api = client.get("/api/v1/stats/overview").get_json()
    assert api == EXPECTED_OVERVIEW
    for table, key in [
        ("by-country", "people_by_country"),
        ("by-field", "people_by_field"),
        ("by-province", "people_by_province"),
    ]:
        rows = download(client, f"/dashboard/overview/{table}.csv")
        assert counts(rows) == api[key], table
        assert list(counts(rows)) == list(api[key]), table
    rows = download(client, "/dashboard/overview/by-province.csv")
    assert rows[0] == ["Province code", "Province", "People"]
    assert rows[1] == ["da-nang", "Da Nang", "8"]

    rows = download(client, "/dashboard/overview/provinces-without-representatives.csv")
    assert rows == [
        [
            "Province code",
            "Province",
            "People from the province",
            "Country code",
            "Country without a representative",
            "People living there",
        ],
        ["da-nang", "Da Nang", "8", "JP", "Japan", "1"],
        ["hue", "Hue", "5", "AU", "Australia", "1"],
    ]
    assert (
        list(dict.fromkeys(row[0] for row in rows[1:])) == api["provinces_without_representatives"]
    )

    rows = download(client, "/dashboard/overview/fields-without-matches.csv")
    assert rows[0] == [
        "Field code",
        "Field",
        "Open needs",
        "Contactable people",
        "Experts and entrepreneurs",
    ]
    assert [row[0] for row in rows[1:]] == api["fields_without_matches"]
    assert rows[1:] == [
        ["green-hydrogen", "Green hydrogen", "1", "0", "0"],
        ["hospitality", "Accommodation and food services", "2", "1", "2"],
        ["tourism", "Tourism", "1", "2", "4"],
    ]

    rows = download(client, "/dashboard/overview/initiatives.csv")
    assert rows[0] == [
        "Province code",
        "Sent to",
        "Received",
        "Triaged",
        "Assigned",
        "Under review",
        "Answered",
        "Adopted",
        "Declined",
        "Withdrawn",
        "Overdue",
        "Total",
    ]
    assert rows[1][:2] == ["central", "The central body"]
    by_body = {row[0]: [int(v) for v in row[2:]] for row in rows[1:]}
    assert {key: values[:8] for key, values in by_body.items()} == {
        key: list(states.values()) for key, states in api["initiatives_by_province"].items()
    }
    assert {key: values[8:] for key, values in by_body.items()} == {
        "central": [1, 2],
        "da-nang": [1, 5],
        "ha-noi": [1, 1],
    }
    assert [e.details["table"] for e in exports()] == [
        "by-country",
        "by-field",
        "by-province",
        "by-province",
        "provinces-without-representatives",
        "fields-without-matches",
        "initiatives",
    ]
    assert {e.object_id for e in exports()} == {"overview"}
