"""Dated names: a unit's kind and names change by a data migration, and old wordings keep working."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from directory.extensions import db
from directory.people.models import Person
from directory.people.search import person_document
from directory.reference import provinces
from directory.reference.loader import sync_reference_data
from directory.reference.models import Province, ProvinceName
from directory.reference.provinces import (
    parse_reference,
    province_by_slug,
    resolve_province,
    vietnam_today,
)
from directory.search.documents import Context
from directory.search.outbox import SearchOutbox
from directory.search.sync import drain
from tests.factories import PersonFactory
from tests.reference.changes import clear_reference_caches, run_data_migration, ship_name


@pytest.fixture
def shipped_change(app, monkeypatch):
    """``ship(slug, ...)``: release a dated name; the shipped data comes back afterwards."""

    def ship(*args, **kwargs):
        ship_name(monkeypatch, *args, **kwargs)

    yield ship
    monkeypatch.undo()
    clear_reference_caches()


def _document(person_id: str) -> dict:
    db.session.expire_all()
    return person_document(db.session.get(Person, person_id), Context.load(db.session))


def _pending(entity_id: str) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(SearchOutbox)
        .where(SearchOutbox.entity_id == entity_id, SearchOutbox.done_at.is_(None))
    )


# --- the shipped history -------------------------------------------------------------------


def test_hue_was_thua_thien_hue_province_until_it_became_a_city_in_2025():
    before = province_by_slug("hue", on=date(2024, 12, 31))
    after = province_by_slug("hue", on=date(2025, 1, 1))
    assert (before.name_vi, before.name_en, before.kind) == (
        "Thừa Thiên Huế",
        "Thua Thien Hue",
        "province",
    )
    assert (after.name_vi, after.kind) == ("Huế", "city")
    assert after.former_names == ("Thừa Thiên Huế",)
    assert after.names[1].basis == "Nghị quyết 175/2024/QH15"


def test_the_merged_units_take_their_names_on_1_july_2025():
    lao_cai = province_by_slug("lao-cai")
    assert [(n.name_vi, n.valid_from, n.valid_to) for n in lao_cai.names] == [
        ("Lào Cai", date(2025, 7, 1), None)
    ]
    assert lao_cai.legacy_names == ("Lào Cai", "Yên Bái")


def test_every_unit_has_exactly_one_name_valid_today():
    today = vietnam_today()
    for p in provinces.all_provinces():
        assert sum(n.valid_on(today) for n in p.names) == 1, p.slug


def test_the_database_holds_the_dated_names_and_derives_today_s_name(db):
    hue = db.session.get(Province, "hue")
    assert (hue.name_vi, hue.name_en, hue.kind) == ("Huế", "Hue", "city")
    assert [n.name_vi for n in sorted(hue.names, key=lambda n: n.valid_from or date.min)] == [
        "Thừa Thiên Huế",
        "Huế",
    ]
    assert hue.name_on(date(2024, 6, 1)).name_vi == "Thừa Thiên Huế"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProvinceName)) == 35


def test_loading_the_shipped_data_twice_changes_nothing(db):
    before = db.session.execute(
        sa.select(ProvinceName.id, ProvinceName.name_vi, ProvinceName.valid_to).order_by(
            ProvinceName.id
        )
    ).all()

    assert sync_reference_data() == []

    after = db.session.execute(
        sa.select(ProvinceName.id, ProvinceName.name_vi, ProvinceName.valid_to).order_by(
            ProvinceName.id
        )
    ).all()
    assert before == after


# --- the next change is a data migration ---------------------------------------------------------


def test_a_rename_shipped_as_a_data_migration_keeps_the_old_wording(shipped_change, client):
    # Before the change: one person wrote the unit's name, another a legacy unit's name.
    wrote_name = PersonFactory(hometown_province="gia-lai", hometown_as_given="Gia Lai").id
    wrote_legacy = PersonFactory(hometown_province="gia-lai", hometown_as_given="Bình Định").id
    assert "cao nguyen" not in _document(wrote_legacy)["place_0"]

    shipped_change(
        "gia-lai", "Cao Nguyên Mới", "New Highland", "city", date(2026, 1, 1), "Nghị quyết thử"
    )
    run_data_migration()

    # The old wording resolves, the new one too.
    assert resolve_province("Gia Lai") == "gia-lai"
    assert resolve_province("Tỉnh Gia Lai") == "gia-lai"
    assert resolve_province("Thành phố Cao Nguyên Mới") == "gia-lai"
    assert resolve_province("new highland city") == "gia-lai"
    # The migration queued the unit's documents; rebuilt, they carry both names.
    assert _pending(wrote_legacy) == 1
    for person in (wrote_name, wrote_legacy):
        place = _document(person)["place_0"]
        assert "gia lai" in place and "cao nguyen moi" in place and "new highland" in place
    # The API lists the current name and kind, the old name among the earlier ones.
    unit = next(p for p in client.get("/api/v1/provinces").get_json() if p["slug"] == "gia-lai")
    assert (unit["name_vi"], unit["name_en"], unit["kind"]) == (
        "Cao Nguyên Mới",
        "New Highland",
        "city",
    )
    assert unit["legacy_names"] == ["Gia Lai", "Bình Định"]
    assert unit["names"] == [
        {
            "name_vi": "Gia Lai",
            "name_en": "Gia Lai",
            "kind": "province",
            "valid_from": "2025-07-01",
            "valid_to": "2026-01-01",
            "basis": "Nghị quyết 202/2025/QH15",
        },
        {
            "name_vi": "Cao Nguyên Mới",
            "name_en": "New Highland",
            "kind": "city",
            "valid_from": "2026-01-01",
            "valid_to": None,
            "basis": "Nghị quyết thử",
        },
    ]


def test_reference_sync_loads_a_shipped_change_once(shipped_change, runner):
    PersonFactory(hometown_province="gia-lai", hometown_as_given="Gia Lai")
    shipped_change("gia-lai", "Cao Nguyên Mới", "New Highland", "city", date(2026, 1, 1))

    first = runner.invoke(args=["reference", "sync"])
    again = runner.invoke(args=["reference", "sync"])

    assert first.exit_code == again.exit_code == 0
    assert "search documents queued for gia-lai" in first.output
    assert again.output == "reference data in sync\n"
    assert db.session.get(Province, "gia-lai").name_vi == "Cao Nguyên Mới"


def test_running_the_data_migration_again_changes_nothing(shipped_change, app):
    person = PersonFactory(hometown_province="gia-lai", hometown_as_given="Gia Lai").id
    shipped_change("gia-lai", "Cao Nguyên Mới", "New Highland", "city", date(2026, 1, 1))
    run_data_migration()
    assert drain(app) == (1, 0)  # the worker rebuilds the queued document
    names = db.session.execute(sa.select(ProvinceName.id, ProvinceName.valid_to)).all()

    run_data_migration()

    assert _pending(person) == 0
    assert db.session.execute(sa.select(ProvinceName.id, ProvinceName.valid_to)).all() == names


def test_a_new_kind_under_the_same_name_needs_no_reindexing(shipped_change, client):
    person = PersonFactory(hometown_province="dong-nai", hometown_as_given="Biên Hòa, Đồng Nai").id
    assert _pending(person) == 0

    shipped_change("dong-nai", "Đồng Nai", "Dong Nai", "city", date(2026, 1, 1))
    run_data_migration()

    assert _pending(person) == 0
    unit = next(p for p in client.get("/api/v1/provinces").get_json() if p["slug"] == "dong-nai")
    assert (unit["name_vi"], unit["kind"]) == ("Đồng Nai", "city")
    assert unit["legacy_names"] == ["Đồng Nai", "Bình Phước"]
    assert [n["kind"] for n in unit["names"]] == ["province", "city"]
    assert resolve_province("Tỉnh Đồng Nai") == resolve_province("TP Đồng Nai") == "dong-nai"


def test_a_change_shipped_ahead_of_its_date_applies_from_that_date(
    shipped_change, client, monkeypatch
):
    effective = vietnam_today() + timedelta(days=30)
    shipped_change("gia-lai", "Cao Nguyên Mới", "New Highland", "city", effective)
    run_data_migration()

    def names_today():
        unit = next(p for p in client.get("/api/v1/provinces").get_json() if p["slug"] == "gia-lai")
        info = province_by_slug("gia-lai")
        return unit["name_vi"], unit["kind"], unit["legacy_names"], info.name_vi, info.former_names

    assert names_today() == ("Gia Lai", "province", ["Gia Lai", "Bình Định"], "Gia Lai", ())
    monkeypatch.setattr(provinces, "vietnam_today", lambda: effective)
    assert names_today() == (
        "Cao Nguyên Mới",
        "city",
        ["Gia Lai", "Bình Định"],
        "Cao Nguyên Mới",
        ("Gia Lai",),
    )
    # Both wordings resolve on either side of the date.
    assert resolve_province("Gia Lai") == resolve_province("Cao Nguyên Mới") == "gia-lai"


# --- the data files are checked -------------------------------------------------------------

UNITS = "slug,legacy_names_vi,legacy_iso_codes\na,A,VN-01\nb,B,VN-02\n"
HEADER = "slug,name_vi,name_en,kind,valid_from,valid_to,basis\n"


def test_consistent_files_parse():
    parsed = parse_reference(
        UNITS,
        HEADER + "a,A,A,province,,2025-07-01,\na,Anew,Anew,city,2025-07-01,,\nb,B,B,province,,,\n",
    )
    assert [n.name_vi for n in parsed["a"][1]] == ["A", "Anew"]


@pytest.mark.parametrize(
    ("names", "problem"),
    [
        ("a,A,A,province,,,\n", "b has no name"),
        ("a,A,A,province,,,\nb,B,B,province,,,\nc,C,C,province,,,\n", "unknown unit"),
        ("a,A,A,town,,,\nb,B,B,province,,,\n", "kind must be one of"),
        ("a,A,A,province,,2025-07-01,\nb,B,B,province,,,\n", "must stay open"),
        (
            "a,A,A,province,,2025-06-01,\na,X,X,city,2025-07-01,,\nb,B,B,province,,,\n",
            "must end the day",
        ),
        (
            "a,A,A,province,,,\na,X,X,city,2025-07-01,,\nb,B,B,province,,,\n",
            "must end the day",
        ),
        ("a,A,A,province,2025-13-01,,\nb,B,B,province,,,\n", "is not a date"),
        ("a,A,,province,,,\nb,B,B,province,,,\n", "both languages"),
    ],
)
def test_inconsistent_files_are_refused(names, problem):
    with pytest.raises(ValueError, match=problem):
        parse_reference(UNITS, HEADER + names)


def test_a_wording_that_would_name_two_units_is_refused(shipped_change):
    # Renaming Gia Lai "Quảng Nam" would make "Quảng Nam" (now part of Đà Nẵng) ambiguous.
    shipped_change("gia-lai", "Quảng Nam", "Quang Nam", "province", date(2026, 1, 1))
    with pytest.raises(ValueError, match="names both"):
        resolve_province("Gia Lai")
