"""Businesses among a need's matches, on BOTH engines: recalled for investment, trade promotion
and technology transfer needs only, ranked beside people by the documented scoring (the
business table of ``directory/needs/matching.py``), with their reasons in both languages, and
marked contactable only when their contact person can be asked."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from directory.core.models import utcnow
from directory.extensions import db
from directory.needs.models import Need
from tests.businesses.conftest import link, make_business
from tests.factories import PersonFactory, UserFactory
from tests.search.conftest import app, meili_server, sync  # noqa: F401, F811 - the engines' fixtures


@pytest.fixture(params=["sqlite", "meilisearch"])
def backend_name(request):
    return request.param


def _need(officer, **values) -> Need:
    data = {
        "province_slug": "da-nang",
        "title": "Trung tâm logistics cảng Liên Chiểu",
        "type": "investment",
        "fields": ["transportation"],
        "countries": ["DE"],
        "deadline": date.today() + timedelta(days=60),
        "audience": "officials",
        "created_by_id": officer.id,
    }
    data.update(values)
    need = Need(**data)
    db.session.add(need)
    db.session.commit()
    return need


def _interest(kind, provinces=(), sectors=()):
    return {
        "kind": kind,
        "sectors": list(sectors),
        "provinces": list(provinces),
        "products": [],
        "ticket_band": "1m_10m" if kind == "investment" else None,
    }


@pytest.fixture
def world(db, sync):  # noqa: F811
    officer = UserFactory(province_officer=True)
    contact = PersonFactory(full_name="Trần Văn Hải", country="DE", fields=[])
    UserFactory(role="member", person_id=contact.id)
    w = SimpleNamespace(
        officer=officer,
        hansa=make_business(
            name="Hansa Logistik Việt GmbH",
            country="DE",
            sectors=["transportation"],
            size_band="medium",
            presence_in_vietnam=[{"kind": "joint_venture", "province": "da-nang"}],
            interests=[_interest("investment", ["da-nang"])],
            verified_at=utcnow(),
        ),
        rhein=make_business(
            name="Rhein Cargo GmbH",
            country="DE",
            sectors=["transportation"],
            size_band="small",
            interests=[_interest("investment", ["hai-phong"])],
        ),
        elbe=make_business(
            name="Elbe Handel GmbH",
            country="DE",
            sectors=["transportation"],
            size_band="micro",
            # An import interest does not fit an investment need.
            interests=[_interest("import", ["da-nang"])],
        ),
        pho=make_business(
            name="Phở Sài Gòn SARL",
            country="FR",
            operates_in=["DE"],
            sectors=["hospitality"],
            presence_in_vietnam=[{"kind": "subsidiary", "province": "ha-noi"}],
            interests=[_interest("investment", ["da-nang"], ["transportation"])],
        ),
        farm=make_business(name="Ferme Mekong", country="FR", sectors=["agriculture"]),
        expert=PersonFactory(
            full_name="Lê Quang Vinh",
            fields=["transportation"],
            country="DE",
            hometown_province="da-nang",
            hometown_as_given="Đà Nẵng",
            languages=["vi", "de"],
            consent_listed=True,
            consent_contact=True,
        ),
        contact=contact,
    )
    link(w.hansa, contact, "contact_person")
    sync()
    return w


def _matches(client, login, need, officer, language="vi"):
    login(officer)
    response = client.get(
        f"/api/v1/needs/{need.id}/matches?per_page=100", headers={"Accept-Language": language}
    )
    assert response.status_code == 200, response.json
    return response.json["items"]


def test_businesses_rank_beside_people_by_the_documented_scoring(client, login, world):
    need = _need(world.officer)
    items = _matches(client, login, need, world.officer)
    assert [(i["kind"], i["name"]) for i in items] == [
        # sector, Germany, interest in Đà Nẵng, joint venture there, medium, verified, recent
        ("business", "Hansa Logistik Việt GmbH"),
        # field, Germany, hometown, German, recent
        ("person", "Lê Quang Vinh"),
        # sector, Germany, recent (the import interest does not fit an investment need)
        ("business", "Elbe Handel GmbH"),
        ("business", "Rhein Cargo GmbH"),
        # looks for transport, operates in Germany, interested in Đà Nẵng, present in Hà Nội
        ("business", "Phở Sài Gòn SARL"),
    ]
    assert [i["score"] for i in items] == [1449, 1359, 1209, 1209, 869]
    hansa = items[0]
    assert [r["code"] for r in hansa["reasons"]] == [
        "sector",
        "country",
        "province_interest",
        "presence",
        "size",
        "verified",
        "recent",
    ]
    assert [r["label"] for r in hansa["reasons"]] == [
        "Ngành: Giao thông vận tải",
        "Đăng ký tại Đức (quốc gia mục tiêu)",
        "Quan tâm đến Đà Nẵng: Đầu tư vào Việt Nam",
        "Hiện diện tại Đà Nẵng: Liên doanh",
        "Vừa (50–249 lao động)",
        "Đã xác minh",
        "Hồ sơ mới cập nhật",
    ]
    pho = items[-1]
    assert [r["code"] for r in pho["reasons"]][:4] == [
        "sector",
        "country",
        "province_interest",
        "presence",
    ]


def test_the_business_reasons_in_english(client, login, world):
    need = _need(world.officer)
    world.officer.locale = "en"
    db.session.commit()
    by_name = {i["name"]: i for i in _matches(client, login, need, world.officer, "en")}
    assert [r["label"] for r in by_name["Hansa Logistik Việt GmbH"]["reasons"]][:5] == [
        "Sector: Transport",
        "Registered in Germany (target country)",
        "Interested in Da Nang: Investment in Vietnam",
        "Present in Da Nang: Joint venture",
        "Medium (50–249 employees)",
    ]
    assert [r["label"] for r in by_name["Phở Sài Gòn SARL"]["reasons"]][:4] == [
        "Looks for Transport",
        "Operates in Germany (target country)",
        "Interested in Da Nang: Investment in Vietnam",
        "Present in Vietnam: Subsidiary in Hanoi",
    ]


def test_contactable_only_through_an_askable_contact_person(client, login, world):
    need = _need(world.officer)
    by_name = {i["name"]: i for i in _matches(client, login, need, world.officer)}
    assert by_name["Hansa Logistik Việt GmbH"]["contactable"] is True
    assert by_name["Rhein Cargo GmbH"]["contactable"] is False  # nobody linked
    world.contact.contact_requests_enabled = False
    db.session.commit()
    by_name = {i["name"]: i for i in _matches(client, login, need, world.officer)}
    assert by_name["Hansa Logistik Việt GmbH"]["contactable"] is False


def test_other_need_types_rank_no_businesses(client, login, world):
    for kind in ("expertise", "training"):
        need = _need(world.officer, type=kind, title=f"Need {kind}")
        kinds = {i["kind"] for i in _matches(client, login, need, world.officer)}
        assert kinds == {"person"}, kind


@pytest.mark.parametrize("kind", ["trade_promotion", "technology_transfer"])
def test_the_fitting_interests_follow_the_need_type(client, login, world, kind):
    need = _need(world.officer, type=kind, title=f"Need {kind}")
    by_name = {i["name"]: i for i in _matches(client, login, need, world.officer)}
    elbe = [r["code"] for r in by_name["Elbe Handel GmbH"]["reasons"]]
    hansa = [r["code"] for r in by_name["Hansa Logistik Việt GmbH"]["reasons"]]
    # Elbe's import interest in Đà Nẵng fits a trade promotion; Hansa's investment fits neither.
    assert ("province_interest" in elbe) is (kind == "trade_promotion")
    assert "province_interest" not in hansa


def test_the_match_page_shows_businesses_with_the_person_cards(client, login, world):
    need = _need(world.officer)
    login(world.officer)
    page = client.get(f"/needs/{need.id}").get_data(as_text=True)  # the officer's Vietnamese
    assert f'href="/businesses/{world.hansa.id}"' in page
    assert "Hiện diện tại Đà Nẵng: Liên doanh" in page
    assert f'href="/businesses/{world.hansa.id}/contact-request?need={need.id}"' in page
    # Rhein Cargo has nobody to answer for it: not contactable, with the reason.
    assert "Không thể liên hệ:" in page and "không có người liên hệ" in page
