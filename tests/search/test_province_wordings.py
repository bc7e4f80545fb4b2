"""Hometowns in free-text search, on both engines: administrative words and dated names."""

from __future__ import annotations

from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from directory.search.services import parse_search_args, run_search
from tests.factories import PersonFactory
from tests.reference.changes import clear_reference_caches, run_data_migration, ship_name
from tests.search.data import build_directory


@pytest.fixture(params=["sqlite", "meilisearch"])
def backend_name(request):
    return request.param


@pytest.fixture
def d(app, sync):
    data = build_directory()
    sync()
    return data


def found(**args) -> set[str]:
    return {h["id"] for h in run_search(parse_search_args(MultiDict(args)), None).hits}


@pytest.mark.parametrize("q", ["Huế", "Thành phố Huế", "TP Huế", "TP. Huế", "Hue City"])
def test_hue_under_any_administrative_wording_finds_the_people_of_hue(d, q):
    # Nam wrote "Thừa Thiên Huế"; his document carries Huế's names, not the words "Thành phố".
    assert d.nam.id in found(q=q)


def test_the_former_name_of_hue_finds_whoever_wrote_its_current_name(d, sync):
    wrote_hue = PersonFactory(hometown_province="hue", hometown_as_given="Huế", country="FR")
    sync()
    assert {d.nam.id, wrote_hue.id} <= found(q="Thừa Thiên Huế")
    assert {d.nam.id, wrote_hue.id} <= found(q="Tỉnh Thừa Thiên Huế")


def test_a_province_with_its_administrative_word_is_still_a_phrase_of_the_province(d):
    assert found(q="Thành phố Đà Nẵng") == found(q="Đà Nẵng")
    assert d.lan.id in found(q="Tỉnh Yên Bái")
    assert d.quan.id not in found(q="Tỉnh Yên Bái")  # Lào Cai, but he did not write Yên Bái


@pytest.fixture
def renamed(app, monkeypatch):
    yield lambda *args: ship_name(monkeypatch, *args)
    monkeypatch.undo()
    clear_reference_caches()


def test_after_a_rename_both_the_old_and_the_new_name_find_the_unit_s_people(sync, renamed):
    wrote_legacy = PersonFactory(
        hometown_province="gia-lai", hometown_as_given="Bình Định", country="FR"
    ).id
    sync()

    renamed("gia-lai", "Cao Nguyên Mới", "New Highland", "city", date(2026, 1, 1))
    run_data_migration()
    sync()  # the worker applies the documents the migration queued

    assert wrote_legacy in found(q="Cao Nguyên Mới")
    assert wrote_legacy in found(q="Thành phố Cao Nguyên Mới")
    assert wrote_legacy in found(q="Gia Lai")
    assert wrote_legacy in found(province="Gia Lai")
