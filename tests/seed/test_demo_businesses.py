"""The demo's businesses (``seed/businesses.py``): about forty across the demo countries,
registered through the businesses' services; a handful interested in investing in Đà Nẵng, one
with a joint venture there; demo entrepreneurs linked (accepted) and shown on their profiles;
every one in the search index after the seed.

The 300-person seed runs once for this module (read-only checks).
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from directory import create_app
from directory.accounts.models import User
from directory.audit import AuditEvent
from directory.businesses.models import Business, BusinessPerson
from directory.extensions import db
from directory.reference.fields import shipped_fields
from tests.conftest import IsolatedClient, _reset_database, sign_in_client
from tests.conftest import test_config as base_config


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """One default ``seed-demo`` run; the app context stays pushed."""
    app = create_app(base_config(str(tmp_path_factory.mktemp("businesses-instance"))))
    app.test_client_class = IsolatedClient
    with app.app_context():
        _reset_database(app)
        result = app.test_cli_runner().invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output
        assert "Businesses: 40 diaspora businesses registered." in result.output
        yield app
        db.session.remove()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def officer_client(app):
    officer = db.session.scalar(sa.select(User).where(User.email == "danang@demo.kieubao.vn"))
    # The demo officials are enrolled: the second step uses their documented secret.
    return sign_in_client(app.test_client(), officer)


def _businesses() -> list[Business]:
    return db.session.scalars(sa.select(Business).order_by(Business.name)).all()


def test_about_forty_businesses_across_the_demo_countries(app):
    businesses = _businesses()
    assert len(businesses) == 40
    assert len({b.country for b in businesses}) >= 8
    sectors = {f["code"] for f in shipped_fields() if f["group"] == "sector"}
    assert all(b.sectors and set(b.sectors) <= sectors for b in businesses)
    assert all(b.website and ".example.com" in b.website for b in businesses)
    assert all(b.size_band and b.founded_year and b.cities for b in businesses)
    # Vietnamese names with their diacritics; some with an international brand.
    assert sum(any(ord(c) > 127 for c in b.name) for b in businesses) >= 20
    assert sum(bool(b.other_names) for b in businesses) >= 5
    # Most listed, some verified by the mission that registered them.
    listed = sum(b.consent_listed for b in businesses)
    assert 28 <= listed < 40
    verified = [b for b in businesses if b.verified]
    assert verified
    assert all(b.verified_by_mission_id == b.provenance_mission_id for b in verified)
    assert all(b.verified_by_mission_id is not None for b in verified)


def test_every_business_was_registered_through_the_services(app):
    created = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "business.create")
    )
    assert created == 40


def test_a_handful_look_to_invest_in_da_nang_and_one_has_a_joint_venture(app):
    interested = [
        b
        for b in _businesses()
        if any(
            i["kind"] == "investment" and "da-nang" in (i.get("provinces") or [])
            for i in b.interests
        )
    ]
    assert 5 <= len(interested) <= 8
    assert all(i.get("ticket_band") and i.get("sectors") for b in interested for i in b.interests)
    ventures = [
        b
        for b in _businesses()
        if {"kind": "joint_venture", "province": "da-nang"} in b.presence_in_vietnam
    ]
    assert [b.name for b in ventures] == ["Rồng Xanh Logistik GmbH"]
    assert ventures[0].country == "DE"


def test_entrepreneurs_are_linked_and_shown_on_their_profiles(app, officer_client):
    links = db.session.scalars(sa.select(BusinessPerson)).all()
    assert len(links) >= 5
    assert all(link.accepted for link in links)
    assert {link.role for link in links} == {"owner", "founder", "executive", "contact_person"}
    for link in links:
        assert "entrepreneur" in link.person.kinds
        page = officer_client.get(f"/people/{link.person_id}")
        assert page.status_code == 200
        assert link.business.name in page.get_data(as_text=True)


def test_every_business_is_in_the_search_index(app, officer_client):
    response = officer_client.get("/api/v1/search", query_string={"kind": "business"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["total"] == 40
    danang = officer_client.get(
        "/api/v1/search",
        query_string={"kind": "business", "interest_province": "da-nang", "country": "DE"},
    ).get_json()
    names = {hit["name"] for hit in danang["hits"]}
    assert {"Rồng Xanh Logistik GmbH", "Vận tải Mekong Spedition GmbH"} <= names


def test_the_da_nang_dashboard_counts_the_demo_businesses(app, officer_client):
    stats = officer_client.get("/api/v1/stats/province/da-nang").get_json()
    assert (stats["businesses_interested"], stats["businesses_present"]) == (6, 1)
    assert sum(stats["businesses_by_country"].values()) >= 40
    assert stats["businesses_by_country"]["DE"] >= 3
    page = officer_client.get("/dashboard/province/da-nang").get_data(as_text=True)
    assert 'href="/search?kind=business&amp;interest_province=da-nang"' in page


def test_logistics_businesses_in_germany_interested_in_da_nang_come_first(app, officer_client):
    found = officer_client.get(
        "/api/v1/search",
        query_string={"q": "logistics", "kind": "business", "country": "DE"},
    ).get_json()
    names = [hit["name"] for hit in found["hits"]]
    assert names and names[0] == "Rồng Xanh Logistik GmbH", names


def test_the_joint_venture_is_asked_through_its_contact_person(app):
    from directory.businesses.queries import contact_person
    from directory.contacts.queries import business_ask_states

    officer = db.session.scalar(sa.select(User).where(User.email == "danang@demo.kieubao.vn"))
    venture = db.session.scalar(sa.select(Business).where(Business.name.like("Rồng Xanh%")))
    person = contact_person(venture)
    assert person is not None and person.user is not None
    assert [link.role for link in venture.accepted_links] == ["contact_person"]
    state = business_ask_states(officer, [venture])[venture.id]
    assert state.can_ask, state
