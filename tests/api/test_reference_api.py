"""/api/v1/fields and /api/v1/provinces: the reference data, straight from the database."""

from __future__ import annotations

import sqlalchemy as sa

from directory.reference.models import Field


def test_fields_are_the_active_taxonomy_in_both_languages(client, db):
    retired = db.session.scalars(sa.select(Field).order_by(Field.code)).first()
    retired.active = False
    db.session.commit()
    active = db.session.scalar(
        sa.select(sa.func.count()).select_from(Field).where(Field.active.is_(True))
    )

    response = client.get("/api/v1/fields")

    assert response.status_code == 200
    fields = response.get_json()
    assert len(fields) == active
    assert retired.code not in {f["code"] for f in fields}
    for item in fields:
        assert set(item) == {"code", "label_vi", "label_en", "synonyms"}
        assert item["label_vi"] and item["label_en"]
        assert isinstance(item["synonyms"], list)
    semiconductors = next(f for f in fields if f["code"] == "semiconductors")
    assert semiconductors["label_vi"] == "Bán dẫn"


def test_provinces_are_the_34_units_with_their_legacy_names(client):
    response = client.get("/api/v1/provinces")

    assert response.status_code == 200
    provinces = {p["slug"]: p for p in response.get_json()}
    assert len(provinces) == 34
    lao_cai = provinces["lao-cai"]
    assert {"slug", "name_vi", "name_en", "legacy_names"} <= set(lao_cai)
    assert lao_cai["name_vi"] == "Lào Cai"
    assert "Yên Bái" in lao_cai["legacy_names"]
    assert "Quảng Nam" in provinces["da-nang"]["legacy_names"]


def test_provinces_carry_their_kind_and_dated_names(client):
    provinces = {p["slug"]: p for p in client.get("/api/v1/provinces").get_json()}

    hue = provinces["hue"]
    assert (hue["name_vi"], hue["kind"]) == ("Huế", "city")
    assert hue["legacy_names"] == ["Thừa Thiên Huế"]
    assert [(n["name_vi"], n["kind"], n["valid_from"], n["valid_to"]) for n in hue["names"]] == [
        ("Thừa Thiên Huế", "province", None, "2025-01-01"),
        ("Huế", "city", "2025-01-01", None),
    ]
    assert sorted(p["kind"] for p in provinces.values()).count("city") == 6


def test_reference_data_needs_no_token_and_ignores_the_session_language(client):
    vi = client.get("/api/v1/provinces").get_json()
    en = client.get("/api/v1/provinces", headers={"Accept-Language": "en"}).get_json()

    assert vi == en
