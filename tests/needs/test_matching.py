"""The order and the reasons of a need's matches on a known small directory, on BOTH engines."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from directory.core.models import utcnow
from directory.extensions import db
from directory.needs.models import Need, NeedInterest, ShortlistEntry
from directory.representatives.models import Nomination
from tests.factories import AssociationFactory, MissionFactory, PersonFactory, UserFactory
from tests.search.conftest import app, meili_server, sync  # noqa: F401, F811 - the engines' fixtures


@pytest.fixture(params=["sqlite", "meilisearch"])
def backend_name(request):
    return request.param


def _person(**values):
    """A listed profile that agreed to be contacted, with nothing beyond what the test gives."""
    base = {
        "fields": [],
        "title": None,
        "organization": None,
        "bio": None,
        "skills": [],
        "languages": ["vi"],
        "hometown_province": "ha-noi",
        "hometown_as_given": "Hà Nội",
        "visibility_profile": "public",
    }
    base.update(values)
    return PersonFactory(**base)


@pytest.fixture
def directory(db, sync):  # noqa: F811
    mission = MissionFactory(code="FR-PAR", countries=["FR"])
    people = {
        "nhan": _person(
            full_name="Võ Thành Nhân",
            fields=["semiconductors"],
            country="FR",
            city="Grenoble",
            hometown_province="da-nang",
            hometown_as_given="Quảng Nam",
            languages=["vi", "fr"],
            organization="STMicroelectronics",
            verified_at=utcnow(),
            verified_by_mission_id=mission.id,
        ),
        "ngoc": _person(
            full_name="Bùi Thị Ngọc",
            fields=["semiconductors"],
            country="US",
            city="San Jose",
            hometown_province="hue",
            hometown_as_given="Thừa Thiên Huế",
            languages=["vi", "en"],
        ),
        "mai": _person(
            full_name="Trần Thị Mai",
            fields=["education-training"],
            country="US",
            city="Boston",
            hometown_province="hue",
            hometown_as_given="Huế",
        ),
        "minh": _person(
            full_name="Hoàng Đức Minh",
            fields=["semiconductors"],
            country="FR",
            city="Toulouse",
            contact_requests_enabled=False,
        ),
        "hung": _person(
            full_name="Phạm Văn Hùng",
            fields=["semiconductors", "education-training"],
            country="DE",
            city="Dresden",
            hometown_province="da-nang",
            hometown_as_given="Đà Nẵng",
            languages=["vi", "de"],
            verified_at=utcnow(),
            verified_by_mission_id=mission.id,
        ),
        "lan": _person(
            full_name="Nguyễn Thị Lan",
            country="FR",
            city="Lyon",
            title="Chuyên gia thiết kế vi mạch",
            languages=["vi", "fr"],
        ),
        # Not candidates: no consent to be contacted; nothing in common with the need.
        "khoa": _person(
            full_name="Đỗ Minh Khoa",
            fields=["semiconductors"],
            country="FR",
            consent_contact=False,
        ),
        "tam": _person(full_name="Lý Thanh Tâm", fields=["logistics"], country="JP"),
    }
    association = AssociationFactory(
        name="Hội đồng hương Quảng Nam – Đà Nẵng tại Pháp", province_slug="da-nang", country="FR"
    )
    officer = UserFactory(province_officer=True)
    need = Need(
        province_slug="da-nang",
        title="Chip design training partnership, 2027 roadmap",
        type="training",
        fields=["semiconductors", "education-training"],
        countries=["FR", "US"],
        deadline=date.today() + timedelta(days=60),
        audience="public",
        created_by_id=officer.id,
    )
    db.session.add(need)
    db.session.add(
        Nomination(
            province_slug="hue",
            person_id=people["ngoc"].id,
            country="US",
            rationale="Đại diện của Huế tại Hoa Kỳ",
            state="active",
            term_start=date.today() - timedelta(days=10),
            term_end=date.today() + timedelta(days=700),
        )
    )
    db.session.commit()
    mai_user = UserFactory(role="member", person_id=people["mai"].id)
    db.session.add(NeedInterest(need_id=need.id, person_id=mai_user.person_id, message="Quan tâm"))
    db.session.add(ShortlistEntry(need_id=need.id, person_id=people["hung"].id, note="Dresden"))
    db.session.commit()
    sync()
    return need, officer, people, association


def _matches(client, login, need, officer, language="vi"):
    login(officer)
    response = client.get(
        f"/api/v1/needs/{need.id}/matches?per_page=100", headers={"Accept-Language": language}
    )
    assert response.status_code == 200, response.json
    return response.json["items"]


def test_the_order_follows_the_documented_scoring(client, login, directory):
    need, officer, people, association = directory
    items = _matches(client, login, need, officer)
    names = [item["name"] for item in items]
    assert names == [
        "Võ Thành Nhân",  # field, France, hometown (as Quảng Nam), French, verified
        "Bùi Thị Ngọc",  # field, United States, English
        "Trần Thị Mai",  # field, United States, interest
        "Hoàng Đức Minh",  # field, France
        "Phạm Văn Hùng",  # two fields, but Germany: hometown, verified
        "Nguyễn Thị Lan",  # names chip design in her title, France, French
        association.name,  # a hometown association of Đà Nẵng in France
    ]
    scores = [item["score"] for item in items]
    assert scores == [1379, 1259, 1219, 1209, 1129, 759, 309]


def test_the_reasons_in_vietnamese_and_english(client, login, directory):
    need, officer, people, _association = directory
    first = _matches(client, login, need, officer)[0]
    assert first["id"] == people["nhan"].id and first["kind"] == "person"
    assert [r["code"] for r in first["reasons"]] == [
        "field",
        "country",
        "hometown",
        "language",
        "verified",
        "recent",
    ]
    assert " · ".join(r["label"] for r in first["reasons"]) == (
        "Lĩnh vực: Bán dẫn · Sống tại Pháp (quốc gia mục tiêu) · Quê Đà Nẵng (ghi là Quảng Nam)"
        " · Nói tiếng Pháp · Đã xác minh · Hồ sơ mới cập nhật"
    )
    officer.locale = "en"  # the viewer's language: their account's choice
    db.session.commit()
    english = _matches(client, login, need, officer, "en")[0]
    assert [r["label"] for r in english["reasons"]] == [
        "Field: Semiconductors",
        "Lives in France (target country)",
        "Hometown Da Nang (given as Quảng Nam)",
        "Speaks French",
        "Verified",
        "Profile updated recently",
    ]


def test_the_marks_and_the_other_reasons(client, login, directory):
    need, officer, people, association = directory
    by_name = {item["name"]: item for item in _matches(client, login, need, officer)}
    assert set(by_name) & {"Đỗ Minh Khoa", "Lý Thanh Tâm"} == set()
    ngoc = by_name["Bùi Thị Ngọc"]
    assert ngoc["represents"] == ["hue"] and ngoc["contactable"]
    mai = by_name["Trần Thị Mai"]
    assert mai["interested"] and not mai["shortlisted"]
    assert [r["label"] for r in mai["reasons"]][:3] == [
        "Lĩnh vực: Giáo dục và đào tạo",
        "Sống tại Hoa Kỳ (quốc gia mục tiêu)",
        "Đã bày tỏ quan tâm",
    ]
    assert by_name["Hoàng Đức Minh"]["contactable"] is False
    hung = by_name["Phạm Văn Hùng"]
    assert hung["shortlisted"]
    assert hung["reasons"][0]["label"] == "Lĩnh vực: Bán dẫn, Giáo dục và đào tạo"
    assert hung["reasons"][1] == {"code": "hometown", "label": "Quê Đà Nẵng"}
    lan = by_name["Nguyễn Thị Lan"]
    assert lan["reasons"][0] == {"code": "field", "label": "Hồ sơ có nhắc đến Bán dẫn"}
    club = by_name[association.name]
    assert club["kind"] == "association" and club["contactable"] is False
    assert [r["label"] for r in club["reasons"]][:2] == [
        "Hoạt động tại Pháp (quốc gia mục tiêu)",
        "Hội đồng hương Đà Nẵng",
    ]


def test_withdrawing_consent_to_be_contacted_leaves_the_list(client, login, directory, sync):  # noqa: F811
    need, officer, people, _association = directory
    people["nhan"].consent_contact = False
    db.session.commit()
    names = [item["name"] for item in _matches(client, login, need, officer)]
    assert "Võ Thành Nhân" not in names and names[0] == "Bùi Thị Ngọc"
    sync()
    assert "Võ Thành Nhân" not in [item["name"] for item in _matches(client, login, need, officer)]
