"""Profile pages: what each viewer sees, forms, the member's own pages, the mission's list."""

import json
import re

import pytest
import sqlalchemy as sa

from directory.audit import AuditEvent
from directory.people.models import Person
from directory.search.outbox import SearchOutbox
from tests.factories import PersonFactory, UserFactory


def page(client, url, **kw):
    response = client.get(url, **kw)
    return response, response.get_data(as_text=True)


def audit_actions(db, action):
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)).all()


# --- detail -------------------------------------------------------------------------------


def test_anonymous_sees_the_public_parts_of_a_consenting_member(client, cast):
    response, html = page(client, f"/people/{cast.owned.id}")
    assert response.status_code == 200
    assert "Hoàng Minh Tuấn" in html and "CNRS" in html
    assert "+33612345678" not in html and cast.owned.email not in html


def test_anonymous_gets_404_for_a_member_who_did_not_consent(client, cast):
    assert client.get(f"/people/{cast.unclaimed.id}").status_code == 404


def test_unknown_and_guessed_ids_are_404(client, cast, login):
    login(cast.admin)
    for guess in ("1", "0000000000000001", "x" * 300, cast.owned.id[:-1] + "z"):
        assert client.get(f"/people/{guess}").status_code == 404


def test_a_province_officer_does_not_see_a_private_phone(client, cast, login, db):
    login(cast.officer)
    response, html = page(client, f"/people/{cast.owned.id}")
    assert response.status_code == 200
    assert "+33612345678" not in html
    assert audit_actions(db, "person.contact_view") == []


def test_an_officials_view_of_private_contact_details_is_audited(client, cast, login, db):
    login(cast.embassy)
    _, html = page(client, f"/people/{cast.unclaimed.id}")
    assert "+33687654321" in html
    [event] = audit_actions(db, "person.contact_view")
    assert event.actor_id == cast.embassy.id and event.object_id == cast.unclaimed.id


def test_the_page_shows_hometown_as_given_and_the_current_province(client, cast, db):
    cast.owned.hometown_as_given = "Quảng Nam"
    db.session.commit()
    _, html = page(client, f"/people/{cast.owned.id}", headers={"Accept-Language": "vi"})
    assert "Đà Nẵng" in html and "Quảng Nam" in html


def test_fields_are_labelled_in_the_current_language(client, cast):
    _, vi = page(client, f"/people/{cast.owned.id}", headers={"Accept-Language": "vi"})
    _, en = page(client, f"/people/{cast.owned.id}", headers={"Accept-Language": "en"})
    assert "Bán dẫn" in vi and "Semiconductors" in en


def test_actions_shown_follow_the_policy(client, cast, login):
    login(cast.embassy)
    _, html = page(client, f"/people/{cast.unclaimed.id}")
    assert f"/people/{cast.unclaimed.id}/edit" in html
    assert f"/people/{cast.unclaimed.id}/verify" in html
    assert f"/people/{cast.unclaimed.id}/invite" in html
    login(cast.other_embassy)
    _, html = page(client, f"/people/{cast.unclaimed.id}")
    assert "/edit" not in html and "/verify" not in html and "/invite" not in html


def test_the_detail_page_lists_associations(client, cast, db):
    from tests.factories import MembershipFactory

    membership = MembershipFactory(person=cast.owned, role="president")
    _, html = page(client, f"/people/{cast.owned.id}")
    assert membership.association.name in html


# --- verify / invite ----------------------------------------------------------------------


def test_the_embassy_verifies_from_the_page(client, cast, login, db):
    login(cast.embassy)
    response = client.post(f"/people/{cast.unclaimed.id}/verify")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Person, cast.unclaimed.id).verified


def test_an_embassy_for_france_cannot_verify_a_person_in_germany(client, cast, login, db):
    login(cast.embassy)
    assert client.post(f"/people/{cast.in_germany.id}/verify").status_code == 403
    db.session.expire_all()
    assert not db.session.get(Person, cast.in_germany.id).verified


def test_the_invitation_is_sent_by_email(client, cast, login, mail_outbox):
    login(cast.embassy)
    response = client.post(f"/people/{cast.unclaimed.id}/invite")
    assert response.status_code == 302
    messages = mail_outbox()
    assert [m["To"] for m in messages] == [cast.unclaimed.email]
    assert "/claim/" in messages[0].get_body(("plain",)).get_content()


# --- register / edit ----------------------------------------------------------------------


def test_the_register_form_offers_only_the_missions_countries(client, cast, login):
    login(cast.embassy)
    _, html = page(client, "/people/register")
    assert 'value="FR"' in html and 'value="MC"' in html and 'value="DE"' not in html


def test_the_register_form_starts_on_the_missions_main_country(client, cast, login, db):
    login(cast.embassy)
    _, html = page(client, "/people/register")
    assert re.search(r'<option selected value="FR">|<option value="FR" selected>', html), html
    assert not re.search(r'value="MC" selected|selected value="MC"', html)
    # A mission whose code names none of its countries, covering two: the officer chooses.
    cast.paris.code = "PARIS-2"
    db.session.commit()
    _, html = page(client, "/people/register")
    assert re.search(r'<option (selected )?value="">', html)
    assert " selected" not in html.split('name="country"')[1].split("</select>")[0]


def test_an_embassy_registers_a_person_through_the_form(client, cast, login, db):
    login(cast.embassy)
    response = client.post(
        "/people/register",
        data={
            "full_name": "Hoàng Văn Thái",
            "country": "FR",
            "fields": ["semiconductors"],
            "languages": ["vi", "fr"],
            "kinds": ["expert"],
            "hometown_province": "Yên Bái",
            "phone": "06 12 12 12 12",
            "consent_listed": "y",
            "consent_source": "in_person",
            "consent_date": "2026-01-10",
        },
    )
    assert response.status_code == 302
    person = db.session.scalar(sa.select(Person).where(Person.full_name == "Hoàng Văn Thái"))
    assert person.hometown_province == "lao-cai" and person.hometown_as_given == "Yên Bái"
    assert person.phone == "+33612121212" and person.provenance_mission_id == cast.paris.id


def test_members_and_province_officers_cannot_register(client, cast, login):
    for user in (cast.owner, cast.officer):
        login(user)
        assert client.get("/people/register").status_code == 403


def test_the_edit_form_lists_every_bad_field_and_writes_nothing(client, cast, login, db):
    login(cast.owner)
    before = cast.owned.updated_at
    queued = db.session.scalar(sa.select(sa.func.count()).select_from(SearchOutbox))
    response = client.post(
        f"/people/{cast.owned.id}/edit",
        data={
            "full_name": "Nguyễn Văn Dũng",
            "country": "FR",
            "email": "not-an-email",
            "phone": "123",
            "website": "ftp://x",
            "birth_year": "1800",
            "hometown_province": "Narnia",
        },
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for message in (  # in the member's language, Vietnamese
        "Địa chỉ email không hợp lệ.",
        "Số điện thoại không hợp lệ.",
        "http:// hoặc https://",
        "Hãy nhập năm trong khoảng",
        "Không xác định được tỉnh, thành phố: Narnia.",
    ):
        assert message in html
    db.session.expire_all()
    person = db.session.get(Person, cast.owned.id)
    assert person.email == cast.owned.email and person.updated_at == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SearchOutbox)) == queued


def test_the_member_edits_their_profile(client, cast, login, db):
    login(cast.owner)
    _, html = page(client, f"/people/{cast.owned.id}/edit")
    assert 'value="Hoàng Minh Tuấn"' in html
    response = client.post(
        f"/people/{cast.owned.id}/edit",
        data={
            "full_name": "Nguyễn Văn Dũng",
            "country": "FR",
            "other_names": "Paul Nguyen; Dung N.",
            "skills": "VLSI; FPGA",
            "fields": ["semiconductors", "artificial-intelligence"],
            "languages": ["vi", "en"],
            "links": "https://example.org/a\nhttps://example.org/b",
            "phone": "",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    person = db.session.get(Person, cast.owned.id)
    assert person.other_names == ["Paul Nguyen", "Dung N."] and person.skills == ["VLSI", "FPGA"]
    assert person.links == ["https://example.org/a", "https://example.org/b"]
    assert person.phone is None and person.languages == ["vi", "en"]


@pytest.mark.parametrize("who", ["member", "officer", "other_embassy", "approver"])
def test_others_cannot_edit(client, cast, login, who):
    login(getattr(cast, who))
    assert client.get(f"/people/{cast.owned.id}/edit").status_code == 403


def test_edit_of_an_invisible_profile_is_404(client, cast, login):
    login(cast.member)
    assert client.get(f"/people/{cast.unclaimed.id}/edit").status_code == 404


def test_anonymous_is_sent_to_sign_in(client, cast, app):
    response = client.get(f"/people/{cast.owned.id}/edit")
    if "accounts.login" in app.view_functions:
        assert response.status_code == 302
    else:
        assert response.status_code in (302, 401)


# --- the member's own pages ---------------------------------------------------------------


def test_my_profile_page_links_to_edit_privacy_download_and_delete(client, cast, login):
    login(cast.owner)
    response, html = page(client, "/people/me")
    assert response.status_code == 200
    for url in ("/edit", "/people/me/privacy", "/people/me/data", "/people/me/delete"):
        assert url in html


def test_my_profile_page_says_what_is_missing_and_where_to_complete_it(client, cast, login, db):
    person = cast.owned
    login(cast.owner)
    _response, html = page(client, "/people/me")
    assert 'id="missing-title"' not in html  # the factory's profile is complete
    person.bio = ""
    person.fields = []
    person.consent_listed = False
    db.session.commit()
    _response, html = page(client, "/people/me")
    section = html.split('id="missing-title"')[1].split("</section>")[0]
    assert "3" in section.split("</h2>")[0]
    # In the member's language (Vietnamese), most important first.
    assert section.index("chưa đồng ý được liệt kê") < section.index("lĩnh vực chuyên môn")
    assert section.index("lĩnh vực chuyên môn") < section.index("công việc của bạn")
    assert "/people/me/privacy" in section and f"/people/{person.id}/edit" in section


def test_a_member_without_a_profile_is_sent_to_create_one(client, login, db):
    user = UserFactory(role="member")
    login(user)
    response = client.get("/people/me")
    assert response.status_code == 302 and response.headers["Location"].endswith("/people/me/new")
    response = client.post(
        "/people/me/new",
        data={"full_name": "Đỗ Minh Khoa", "country": "DE", "consent_listed": "y"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    person = db.session.get(Person, db.session.get(type(user), user.id).person_id)
    assert person.full_name == "Đỗ Minh Khoa" and person.provenance == "self"
    assert person.consent_listed and not person.consent_contact


def test_the_member_hides_the_phone_and_the_province_officer_no_longer_sees_it(
    client, cast, login, db
):
    cast.owned.visibility_contact = "officials"
    db.session.commit()
    login(cast.officer)
    assert "+33612345678" in page(client, f"/people/{cast.owned.id}")[1]
    login(cast.owner)
    response = client.post(
        "/people/me/privacy",
        data={
            "visibility_profile": "public",
            "visibility_contact": "private",
            "consent_listed": "y",
        },
    )
    assert response.status_code == 302
    login(cast.officer)
    assert "+33612345678" not in page(client, f"/people/{cast.owned.id}")[1]


def test_withdrawing_consent_is_recorded_with_the_notice_version(client, cast, login, db):
    login(cast.owner)
    _, html = page(client, "/people/me/privacy")
    assert "2026-01" in html
    client.post(
        "/people/me/privacy", data={"visibility_profile": "public", "visibility_contact": "private"}
    )
    db.session.expire_all()
    person = db.session.get(Person, cast.owned.id)
    assert not person.consent_listed and not person.consent_contact
    assert {(c.purpose, c.granted, c.notice_version) for c in person.consents} == {
        ("listed", False, "2026-01"),
        ("contact", False, "2026-01"),
    }
    assert client.get(f"/people/{cast.owned.id}").status_code == 200  # the member still sees it


def test_the_data_download_is_a_json_attachment(client, cast, login):
    login(cast.owner)
    response = client.post("/people/me/data")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["profile"]["phone"] == "+33612345678"


def test_deleting_needs_confirmation(client, cast, login, db):
    login(cast.owner)
    assert client.post("/people/me/delete", data={}).status_code == 422
    db.session.expire_all()
    assert db.session.get(Person, cast.owned.id).anonymised_at is None
    response = client.post("/people/me/delete", data={"confirm": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Person, cast.owned.id).full_name == "Đã xóa / Deleted"


# --- mission list -------------------------------------------------------------------------


def test_the_mission_list_shows_people_of_its_countries_with_filters(client, cast, login, db):
    monaco = PersonFactory(full_name="Bùi Thị Lan", country="MC", verified_at=None)
    cast.unclaimed.verified_at = cast.unclaimed.created_at
    db.session.commit()
    login(cast.embassy)
    _, html = page(client, "/mission/people")
    assert "Lê Minh Đức" in html and monaco.full_name in html and "Phạm Thu Hà" not in html
    _, html = page(client, "/mission/people?verified=yes")
    assert "Lê Minh Đức" in html and monaco.full_name not in html
    _, html = page(client, "/mission/people?claimed=yes")
    assert "Hoàng Minh Tuấn" in html and "Lê Minh Đức" not in html
    _, html = page(client, "/mission/people?claimed=no&page=abc")
    assert "Lê Minh Đức" in html and "Hoàng Minh Tuấn" not in html


def test_the_mission_list_is_paginated(client, cast, login):
    for n in range(30):
        PersonFactory(full_name=f"Người số {n:02d}", country="MC")
    login(cast.embassy)
    _, first = page(client, "/mission/people?country=MC")
    _, second = page(client, "/mission/people?country=MC&page=2")
    assert "page=2" in first and 'rel="next"' in first
    assert "Người số 29" in first + second and "Người số 00" in first + second


def test_only_mission_officers_see_the_mission_list(client, cast, login):
    for user in (cast.owner, cast.officer):
        login(user)
        assert client.get("/mission/people").status_code == 403
