"""The bilingual field taxonomy: research fields, business sectors and priority themes."""

import re
from collections import Counter

import pytest

from directory.reference.fields import field_index, resolve_field, shipped_fields
from search_index.normalize import fold

FIELDS = shipped_fields()


def test_taxonomy_has_at_least_sixty_fields_in_three_groups():
    assert len(FIELDS) >= 60
    groups = Counter(f["group"] for f in FIELDS)
    assert set(groups) == {"research", "sector", "theme"}
    assert min(groups.values()) >= 15


def test_codes_are_unique_ascii_kebab_case():
    codes = [f["code"] for f in FIELDS]
    assert len(codes) == len(set(codes))
    for code in codes:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", code), code


def test_the_first_three_codes_are_kept():
    codes = {f["code"] for f in FIELDS}
    assert {"semiconductors", "artificial-intelligence", "renewable-energy"} <= codes


@pytest.mark.parametrize("entry", FIELDS, ids=lambda f: f["code"])
def test_every_entry_is_bilingual_with_synonyms(entry):
    assert set(entry) == {"code", "group", "label_vi", "label_en", "synonyms"}
    assert entry["label_vi"].strip() and entry["label_en"].strip()
    assert len(entry["synonyms"]) >= 2
    assert all(isinstance(s, str) and s.strip() for s in entry["synonyms"])


def test_vietnamese_labels_are_written_with_diacritics():
    with_diacritics = [f for f in FIELDS if fold(f["label_vi"]) != f["label_vi"].lower()]
    # A few labels are loan words ("Logistics…"); nearly all carry Vietnamese diacritics.
    assert len(with_diacritics) >= len(FIELDS) - 3


def test_no_name_leads_to_two_codes_once_folded():
    owner: dict[str, str] = {}
    clashes = []
    for f in FIELDS:
        for name in (f["code"], f["label_vi"], f["label_en"], *f["synonyms"]):
            key = fold(name)
            if owner.setdefault(key, f["code"]) != f["code"]:
                clashes.append((name, owner[key], f["code"]))
    assert clashes == []


@pytest.mark.parametrize(
    "code",
    [
        # research (OECD FORD)
        "mathematics",
        "computer-science",
        "physics",
        "chemistry",
        "biology",
        "earth-sciences",
        "environmental-science",
        "civil-engineering",
        "electrical-engineering",
        "mechanical-engineering",
        "chemical-engineering",
        "materials-engineering",
        "biotechnology",
        "nanotechnology",
        "clinical-medicine",
        "public-health",
        "pharmacy",
        "agronomy",
        "aquaculture",
        "economics",
        "law",
        "educational-sciences",
        "sociology",
        "history",
        "linguistics",
        # sectors (ISIC Rev.4 / VSIC)
        "manufacturing",
        "construction",
        "wholesale-retail",
        "transportation",
        "hospitality",
        "ict",
        "finance-banking",
        "insurance",
        "real-estate",
        "professional-services",
        "healthcare",
        "education-training",
        "arts-entertainment",
        "food-processing",
        "textiles-garments",
        "seafood-export",
        "energy",
        "mining",
        "e-commerce",
        # priority themes
        "high-tech-agriculture",
        "logistics",
        "tourism",
        "digital-transformation",
        "green-hydrogen",
        "fintech",
        "smart-cities",
        "climate-adaptation",
    ],
)
def test_taxonomy_covers(code):
    assert code in {f["code"] for f in FIELDS}


def test_database_holds_the_shipped_taxonomy(app):
    assert len(field_index()) >= sum(3 + len(f["synonyms"]) for f in FIELDS) * 0.9


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("bán dẫn", "semiconductors"),
        ("ban dan", "semiconductors"),
        ("Semiconductors", "semiconductors"),
        ("semiconductors", "semiconductors"),
        ("vi mạch", "semiconductors"),
        ("Trí tuệ nhân tạo", "artificial-intelligence"),
        ("AI", "artificial-intelligence"),
        ("NĂNG LƯỢNG TÁI TẠO", "renewable-energy"),
        ("điện gió", "renewable-energy"),
        ("Nuôi trồng thủy sản", "aquaculture"),
        ("Fintech", "fintech"),
        ("Chuyển đổi số", "digital-transformation"),
        ("Dệt may", "textiles-garments"),
        ("Logistics", "logistics"),
        ("  Công nghệ sinh học ", "biotechnology"),
    ],
)
def test_resolve_field_accepts_codes_labels_and_synonyms(app, text, code):
    assert resolve_field(text) == code


def test_resolve_field_uses_a_prepared_index(app):
    index = field_index()
    assert resolve_field("Hydro xanh", index) == "green-hydrogen"


@pytest.mark.parametrize("text", ["", "   ", None, "không có lĩnh vực này"])
def test_resolve_field_returns_none_for_unknown(app, text):
    assert resolve_field(text) is None


def test_resync_does_not_overwrite_an_edited_field(app, db):
    from directory.reference.loader import sync_reference_data
    from directory.reference.models import Field

    field = db.session.get(Field, "semiconductors")
    field.label_en = "Semiconductor industry"
    db.session.commit()
    sync_reference_data()
    assert db.session.get(Field, "semiconductors").label_en == "Semiconductor industry"


def test_the_index_follows_an_edit_of_the_taxonomy_at_once(app, db):
    """The folded index is remembered per taxonomy, never served stale after an edit."""
    from directory.reference.models import Field

    assert resolve_field("Vật liệu lượng tử") is None
    index = field_index()
    index["vat lieu luong tu"] = "semiconductors"  # a caller's copy: the next one is clean
    assert resolve_field("Vật liệu lượng tử") is None

    field = db.session.get(Field, "semiconductors")
    field.synonyms = [*field.synonyms, "Vật liệu lượng tử"]
    db.session.commit()
    assert resolve_field("vat lieu luong tu") == "semiconductors"

    field.active = False
    db.session.commit()
    assert resolve_field("bán dẫn") is None
    assert resolve_field("vat lieu luong tu") is None
