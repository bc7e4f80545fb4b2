"""Business pages, in both languages: the list, a business, the form with its duplicate
warning, verification, linking a person and accepting the link from the profile."""

from __future__ import annotations

import re

import sqlalchemy as sa

from directory.businesses.models import Business, BusinessPerson
from directory.extensions import db
from tests.businesses.conftest import make_business

# Signed-in users see pages in their account's language (Vietnamese in these tests).


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_the_public_list_shows_listed_businesses_only(client, businesses):
    page = _text(client.get("/businesses"))
    assert "Phở Sài Gòn SARL" in page
    assert "Logistik Hansa" not in page and "Rhein Mekong" not in page
    assert client.get(f"/businesses/{businesses['unlisted_de'].id}").status_code == 404


def test_officials_see_every_business_and_filter(client, login, cast, businesses):
    login(cast.officer)
    page = _text(client.get("/businesses"))
    assert "Logistik Hansa Việt GmbH" in page and "Rhein Mekong AG" in page
    page = _text(client.get("/businesses?country=DE"))
    assert "Rhein Mekong AG" in page and "Phở Sài Gòn" not in page
    assert client.get("/businesses?sector=moon").status_code == 400


def test_the_detail_page_shows_the_groups_the_viewer_may_see(client, login, cast, businesses):
    business = businesses["listed_fr"]
    page = _text(client.get(f"/businesses/{business.id}", headers={"Accept-Language": "en"}))
    assert "Hoàng Minh Tuấn" in page  # the accepted owner, whose profile is listed
    assert "contact@pho-saigon.fr" not in page  # contact details are private
    login(cast.owner)
    page = _text(client.get(f"/businesses/{business.id}"))
    assert "contact@pho-saigon.fr" in page
    assert "Sửa thông tin doanh nghiệp" in page  # Vietnamese first; the owner edits


def test_the_header_offers_businesses_to_signed_in_users(client, login, cast):
    login(cast.member)
    page = _text(client.get("/businesses", headers={"Accept-Language": "en"}))
    assert 'href="/businesses"' in page


def _form(**values) -> dict:
    data = {
        "name": "Công ty Cà phê Tây Nguyên SAS",
        "country": "FR",
        "sectors": ["food-processing"],
        "size_band": "small",
        "founded_year": "2012",
        "website": "taynguyen-coffee.fr",
        "presence-0-kind": "representative_office",
        "presence-0-province": "dak-lak",
        "interests-0-kind": "investment",
        "interests-0-provinces": ["da-nang"],
        "interests-0-ticket_band": "1m_10m",
        "interests-1-kind": "export",
        "interests-1-products": "rượu vang, phô mai",
    }
    data.update(values)
    return data


def test_an_embassy_registers_a_business_from_the_form(client, login, cast):
    login(cast.embassy)
    form = client.get("/businesses/new")
    assert form.status_code == 200
    # Sectors, countries and provinces are boxes of checkboxes (no Ctrl-click), filtered by JS.
    page = _text(form)
    for name in ("sectors", "operates_in", "interests-0-provinces"):
        assert 'type="checkbox" value' in page and f'name="{name}"' in page, name
    assert "data-multipick" in page and "js/multipick.js" in page
    assert "Ctrl" not in page
    response = client.post("/businesses/new", data=_form())
    assert response.status_code == 302
    business = db.session.scalar(sa.select(Business))
    assert business.presence_in_vietnam == [
        {"kind": "representative_office", "province": "dak-lak"}
    ]
    assert [i["kind"] for i in business.interests] == ["investment", "export"]
    assert business.interests[1]["products"] == ["rượu vang", "phô mai"]
    assert business.website == "https://taynguyen-coffee.fr"


def test_the_form_warns_of_a_duplicate_before_saving(client, login, cast):
    existing = make_business(name="Phở Việt SARL", country="FR")
    login(cast.embassy)
    response = client.post(
        "/businesses/new",
        data=_form(name="PHO VIET SARL", website=""),
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 409
    page = _text(response)
    assert "có vẻ đã được đăng ký" in page
    assert f'href="/businesses/{existing.id}"' in page
    assert 'name="confirm_duplicate"' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Business)) == 1
    response = client.post(
        "/businesses/new", data=_form(name="PHO VIET SARL", website="", confirm_duplicate="y")
    )
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Business)) == 2


def test_bad_input_on_the_form_is_shown_beside_its_field(client, login, cast):
    login(cast.embassy)
    response = client.post(
        "/businesses/new",
        data=_form(website="ftp://example.org", founded_year="2999"),
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    page = _text(response)
    assert "bắt đầu bằng http:// hoặc https://" in page
    assert "không được ở tương lai" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Business)) == 0


def test_the_owner_edits_the_page_and_its_visibility(client, login, cast, businesses):
    business = businesses["listed_fr"]
    login(cast.owner)
    page = _text(client.get(f"/businesses/{business.id}/edit"))
    assert 'name="visibility_contact"' in page
    data = _form(
        name=business.name,
        website=business.website,
        sectors=business.sectors,
        visibility_profile="public",
        visibility_contact="public",
        consent_listed="y",
    )
    response = client.post(f"/businesses/{business.id}/edit", data=data)
    assert response.status_code == 302, _text(response)
    db.session.expire_all()
    assert business.visibility_contact == "public" and business.size_band == "small"
    client.post("/logout")


def test_the_mission_edits_without_the_visibility_inputs(client, login, cast, businesses):
    business = businesses["operating_fr"]
    login(cast.embassy)
    page = _text(client.get(f"/businesses/{business.id}/edit"))
    assert 'name="visibility_contact"' not in page and 'name="consent_listed"' not in page
    login(cast.officer)
    assert client.get(f"/businesses/{business.id}/edit").status_code == 403


def test_verify_button(client, login, cast, businesses):
    business = businesses["operating_fr"]
    login(cast.embassy)
    page = _text(client.get(f"/businesses/{business.id}"))
    assert f'action="/businesses/{business.id}/verify"' in page
    assert client.post(f"/businesses/{business.id}/verify").status_code == 302
    db.session.expire_all()
    assert business.verified


def test_link_a_person_then_the_member_accepts_it_on_their_profile(client, login, cast, businesses):
    business = businesses["operating_fr"]
    login(cast.embassy)
    response = client.post(
        f"/businesses/{business.id}/people",
        data={"person_id": f"http://localhost/people/{cast.owned.id}", "role": "owner"},
    )
    assert response.status_code == 302
    link = db.session.scalar(
        sa.select(BusinessPerson).where(BusinessPerson.business_id == business.id)
    )
    assert link.person_id == cast.owned.id and not link.accepted
    login(cast.owner)
    page = _text(client.get(f"/people/{cast.owned.id}", headers={"Accept-Language": "en"}))
    assert "đang chờ chấp nhận" in page and "Rhein Mekong AG" in page
    page = _text(client.get("/people/me", headers={"Accept-Language": "en"}))
    assert f"/business-links/{link.id}/accept" in page
    response = client.post(f"/business-links/{link.id}/accept", data={"next": "mine"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/people/me")
    db.session.expire_all()
    assert link.accepted
    page = _text(client.get(f"/people/{cast.owned.id}"))
    assert f'href="/businesses/{business.id}"' in page
    # Now the owner manages it: the business page offers them its edit form.
    assert client.get(f"/businesses/{business.id}/edit").status_code == 200
    # Nobody else accepts for the member.
    other = BusinessPerson(business_id=business.id, person_id=cast.owned.id, role="founder")
    db.session.add(other)
    db.session.commit()
    login(cast.embassy)
    assert client.post(f"/business-links/{other.id}/accept").status_code == 403


def test_the_registering_mission_accepts_for_an_unclaimed_profile(client, login, cast, businesses):
    link = businesses["link_unclaimed"]
    login(cast.embassy)
    page = _text(client.get(f"/people/{cast.unclaimed.id}"))
    assert re.search(rf"/business-links/{link.id}/accept", page)
    assert client.post(f"/business-links/{link.id}/decline").status_code == 302
    assert db.session.get(BusinessPerson, link.id) is None
