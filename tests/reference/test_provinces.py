"""The 34 provincial units and the 63 legacy names a hometown may be written in."""

import pytest
import sqlalchemy as sa

from directory.reference.provinces import (
    all_provinces,
    legacy_slug_names,
    province_by_slug,
    resolve_province,
    without_unit_words,
)
from search_index.normalize import fold

PROVINCES = all_provinces()
LEGACY = [(name, p.slug) for p in PROVINCES for name in p.legacy_names]


def test_there_are_34_units_with_63_legacy_names():
    assert len(PROVINCES) == 34
    assert len({p.slug for p in PROVINCES}) == 34
    assert len(LEGACY) == 63
    assert len({name for name, _ in LEGACY}) == 63


def test_six_cities_and_28_provinces():
    kinds = [p.kind for p in PROVINCES]
    assert kinds.count("city") == 6
    assert kinds.count("province") == 28


@pytest.mark.parametrize(("name", "slug"), LEGACY)
def test_every_legacy_name_resolves_with_or_without_diacritics(name, slug):
    assert resolve_province(name) == slug
    assert resolve_province(fold(name)) == slug
    assert resolve_province(name.upper()) == slug


@pytest.mark.parametrize(("name", "slug"), LEGACY)
def test_administrative_prefixes_are_ignored(name, slug):
    assert resolve_province(f"Tỉnh {name}") == slug
    assert resolve_province(f"Thành phố {name}") == slug
    assert resolve_province(f"tinh {fold(name)}") == slug


@pytest.mark.parametrize("info", PROVINCES, ids=lambda p: p.slug)
def test_every_slug_and_current_name_resolves(info):
    assert resolve_province(info.slug) == info.slug
    assert resolve_province(info.name_vi) == info.slug
    assert resolve_province(info.name_en) == info.slug
    assert resolve_province(fold(info.name_vi)) == info.slug


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Yên Bái", "lao-cai"),
        ("yen bai", "lao-cai"),
        ("Tỉnh Yên Bái", "lao-cai"),
        ("Quảng Nam", "da-nang"),
        ("QUANG NAM", "da-nang"),
        ("Thừa Thiên Huế", "hue"),
        ("Thừa Thiên - Huế", "hue"),
        ("Bà Rịa - Vũng Tàu", "ho-chi-minh"),
        ("Bà Rịa – Vũng Tàu", "ho-chi-minh"),
        ("Ba Ria Vung Tau", "ho-chi-minh"),
        ("TP.HCM", "ho-chi-minh"),
        ("TP. Hồ Chí Minh", "ho-chi-minh"),
        ("Sài Gòn", "ho-chi-minh"),
        ("Ho Chi Minh City", "ho-chi-minh"),
        ("Hanoi", "ha-noi"),
        ("Hà Tây", "ha-noi"),
        ("Hòa Bình", "phu-tho"),
        ("Hoà Bình", "phu-tho"),
        ("Thanh Hoá", "thanh-hoa"),
        ("Đắk Nông", "lam-dong"),
        ("Dak Lak", "dak-lak"),
        ("Kon Tum", "quang-ngai"),
        ("Kontum", "quang-ngai"),
        ("VN-27", "da-nang"),
    ],
)
def test_common_wordings_resolve(text, slug):
    assert resolve_province(text) == slug


@pytest.mark.parametrize(
    "text",
    [
        "Thành phố Huế",
        "Thành Phố Huế",
        "TP Huế",
        "TP. Huế",
        "Tp.Huế",
        "T.P. Huế",
        "TPHuế",
        "Hue City",
        "City of Hue",
        "Thua Thien Hue Province",
        "Thành phố Thừa Thiên Huế",
        "Tỉnh Thừa Thiên - Huế",
        "TT Huế",
        "TT-Huế",
        "Tỉnh Huế",
    ],
)
def test_hue_resolves_under_every_administrative_wording(text):
    assert resolve_province(text) == "hue"


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Thủ đô Hà Nội", "ha-noi"),
        ("Hanoi Municipality", "ha-noi"),
        ("TP.HCM", "ho-chi-minh"),
        ("TPHCM", "ho-chi-minh"),
        ("Thành phố Hồ Chí Minh", "ho-chi-minh"),
        ("Ho Chi Minh City Municipality", "ho-chi-minh"),
        ("TPĐà Nẵng", "da-nang"),
        ("Thanh pho Da Nang", "da-nang"),
        ("Da Nang City", "da-nang"),
        ("Tỉnh Lào Cai", "lao-cai"),
        ("Thành phố Lào Cai", "lao-cai"),
        ("Lao Cai Province", "lao-cai"),
        ("Province of Yen Bai", "lao-cai"),
        ("BR-VT", "ho-chi-minh"),
        ("Tỉnh Thành phố Cần Thơ", "can-tho"),
    ],
)
def test_administrative_words_are_ignored_whatever_the_kind(text, slug):
    # "Tỉnh", "Thành phố", "TP", "Thủ đô", "Province", "City", "Municipality": never decisive.
    assert resolve_province(text) == slug


@pytest.mark.parametrize(
    ("query", "searched"),
    [
        ("Thành phố Huế", "hue"),
        ("TP. Huế", "hue"),
        ("Hue City", "hue"),
        ("Tỉnh Thừa Thiên Huế", "thua thien hue"),
        ("kỹ sư Thành phố Đà Nẵng", "ky su da nang"),
        ("TP Hồ Chí Minh bán dẫn", "ho chi minh ban dan"),
        ("Tỉnh Yên Bái", "yen bai"),
    ],
)
def test_search_queries_lose_the_administrative_words_next_to_a_province(query, searched):
    assert without_unit_words(query) == searched


@pytest.mark.parametrize(
    "query", ["Nguyễn Thanh Tùng", "Thanh Hóa", "Tỉnh", "Thành phố", "city", "", None]
)
def test_search_queries_keep_the_same_words_elsewhere(query):
    assert without_unit_words(query) == query


@pytest.mark.parametrize("text", ["", "  ", None, "Paris", "Tỉnh", "Quảng"])
def test_unknown_wordings_resolve_to_none(text):
    assert resolve_province(text) is None


def test_legacy_slug_names_lists_current_and_legacy_names():
    names = legacy_slug_names("lao-cai")
    assert "Lào Cai" in names and "Yên Bái" in names
    assert legacy_slug_names("hue") == ["Huế", "Hue", "Thừa Thiên Huế"]
    assert legacy_slug_names("atlantis") == []
    assert province_by_slug("da-nang").name_en == "Da Nang"


def test_database_holds_the_provinces(app, db):
    from directory.reference.models import Province

    rows = db.session.scalars(sa.select(Province)).all()
    assert len(rows) == 34
    hue = db.session.get(Province, "hue")
    assert hue.to_dict()["legacy_names"] == ["Thừa Thiên Huế"]
    assert hue.legacy_iso_codes == ["VN-26"]


@pytest.mark.parametrize(
    ("slug", "text", "expected"),
    [
        ("nghe-an", "Nghệ An", True),
        ("nghe-an", "Tỉnh Nghệ An", True),
        ("nghe-an", "nghe an province", True),
        ("da-nang", "Thành phố Đà Nẵng", True),
        ("da-nang", "Quảng Nam", False),  # a legacy unit: worth showing
        ("hue", "Thừa Thiên Huế", False),  # the unit's former name: worth showing
        ("nghe-an", "", False),
        ("no-such-unit", "Nghệ An", False),
    ],
)
def test_names_the_unit_today_ignores_accents_and_administrative_words(slug, text, expected):
    from directory.reference.provinces import names_the_unit_today

    assert names_the_unit_today(slug, text) is expected
