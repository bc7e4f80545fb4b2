"""The pages: ask from a profile, answer from the inbox, read what was shared, the privacy switch."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from directory.audit import AuditEvent
from directory.contacts.models import ContactRequest

EN = {"Accept-Language": "en"}


@pytest.fixture
def login(login, client):
    """Sign in as ``user``, with the pages in English whatever the account's language."""

    def do_login(user):
        login(user)
        with client.session_transaction() as session:
            session["lang"] = "en"
        return client

    return do_login


def _html(response) -> str:
    return response.get_data(as_text=True)


def test_the_profile_offers_the_request_to_officials_only(parties, client, login):
    path = f"/people/{parties.member_person.id}"
    login(parties.officer)
    assert "Ask to be put in touch" in _html(client.get(path, headers=EN))
    login(parties.other_member)
    assert "Ask to be put in touch" not in _html(client.get(path, headers=EN))
    login(parties.member)
    assert "Ask to be put in touch" not in _html(client.get(path, headers=EN))
    assert client.get(f"{path}/contact-request", headers=EN).status_code == 403


def test_an_official_asks_from_the_profile_and_the_member_accepts_from_the_inbox(
    parties, client, login, db
):
    login(parties.officer)
    form = client.get(f"/people/{parties.member_person.id}/contact-request", headers=EN)
    assert form.status_code == 200 and "30 days" in _html(form)
    response = client.post(
        f"/people/{parties.member_person.id}/contact-request",
        data={"message": "Sở KH&CN Đà Nẵng mời anh tham gia hội thảo vi mạch."},
        headers=EN,
    )
    assert response.status_code == 303
    contact_request = db.session.scalars(sa.select(ContactRequest)).one()
    assert response.headers["Location"].endswith(f"/contact-requests/{contact_request.id}")
    sent = _html(client.get(response.headers["Location"], headers=EN))
    assert "Withdraw the request" in sent and "nhan.vo@example.fr" not in sent

    # The member finds it in the inbox (with the badge), opens it and accepts.
    login(parties.member)
    inbox = _html(client.get("/inbox", headers=EN))
    assert "Nguyễn Thị Lan, provincial officer (Da Nang) asks to be put in touch with you." in inbox
    assert f"/contact-requests/{contact_request.id}" in inbox
    assert 'class="badge"' in inbox
    page = _html(client.get(f"/contact-requests/{contact_request.id}", headers=EN))
    assert "Sở KH&amp;CN Đà Nẵng mời anh tham gia hội thảo vi mạch." in page
    assert "provincial officer" in page and "Da Nang" in page
    assert '<input checked id="accept-share_email"' in page  # email ticked by default
    assert '<input id="accept-share_phone"' in page
    response = client.post(
        f"/contact-requests/{contact_request.id}/accept",
        data={"accept-share_phone": "y"},
        headers=EN,
    )
    assert response.status_code == 303
    db.session.refresh(contact_request)
    assert (contact_request.state, contact_request.shared) == ("accepted", ["phone"])

    # The official sees exactly the phone, and the view is recorded.
    login(parties.officer)
    page = _html(client.get(f"/contact-requests/{contact_request.id}", headers=EN))
    assert "+33612345678" in page
    assert "nhan.vo@example.fr" not in page and "nhan.example.fr" not in page
    views = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "contact_request.contact_view")
    ).all()
    assert [v.actor_id for v in views] == [parties.officer.id]
    assert "accepted your contact request" in _html(client.get("/inbox", headers=EN))


def test_declining_from_the_page_shows_the_official_nothing(parties, ask, client, login, db):
    contact_request = ask()
    login(parties.member)
    response = client.post(
        f"/contact-requests/{contact_request.id}/decline",
        data={"decline-reason": "Tôi không còn làm trong lĩnh vực này."},
        headers=EN,
    )
    assert response.status_code == 303
    login(parties.officer)
    page = _html(client.get(f"/contact-requests/{contact_request.id}", headers=EN))
    assert "Tôi không còn làm trong lĩnh vực này." in page
    assert "+33612345678" not in page and "nhan.vo@example.fr" not in page
    assert "Contact details shared with you" not in page


def test_the_official_withdraws_and_the_member_sees_it(parties, ask, client, login):
    contact_request = ask()
    login(parties.officer)
    response = client.post(f"/contact-requests/{contact_request.id}/withdraw", headers=EN)
    assert response.status_code == 303
    login(parties.member)
    page = _html(client.get(f"/contact-requests/{contact_request.id}", headers=EN))
    assert "withdrawn" in page and "Accept and share" not in page
    assert "withdrew their request" in _html(client.get("/inbox", headers=EN))


def test_a_person_who_cannot_be_asked_gets_a_clear_message_and_no_form(
    parties, client, login, written
):
    login(parties.officer)
    path = f"/people/{parties.switched_off.id}/contact-request"
    page = client.get(path, headers=EN)
    assert "turned contact requests off" in _html(page) and "Send the request" not in _html(page)
    before = written()
    response = client.post(path, data={"message": "Chào anh"}, headers=EN)
    assert response.status_code == 409
    assert written() == before
    unclaimed = client.get(f"/people/{parties.unclaimed.id}/contact-request", headers=EN)
    assert "no account in the directory" in _html(unclaimed)


def test_an_empty_message_is_a_422_beside_the_field(parties, client, login, written):
    login(parties.officer)
    before = written()
    response = client.post(
        f"/people/{parties.member_person.id}/contact-request", data={"message": "  "}, headers=EN
    )
    assert response.status_code == 422
    assert "Say who you are and why" in _html(response)
    assert written() == before


def test_accepting_with_nothing_ticked_is_a_422_and_changes_nothing(parties, ask, client, login):
    contact_request = ask()
    login(parties.member)
    response = client.post(
        f"/contact-requests/{contact_request.id}/accept",
        data={"accept-submit": "Accept and share"},  # what the browser sends, no box ticked
        headers=EN,
    )
    assert response.status_code == 422
    assert "Choose at least one contact detail" in _html(response)
    assert contact_request.state == "pending"


def test_others_do_not_see_a_request(parties, ask, client, login):
    contact_request = ask()
    for outsider in (parties.other_member, parties.embassy, parties.other_officer):
        login(outsider)
        assert client.get(f"/contact-requests/{contact_request.id}").status_code == 404
        assert client.post(f"/contact-requests/{contact_request.id}/withdraw").status_code == 404


def test_the_list_of_requests(parties, ask, client, login):
    ask()
    login(parties.officer)
    page = _html(client.get("/contact-requests", headers=EN))
    assert "To Võ Thành Nhân" in page and "1 request" in page
    login(parties.member)
    page = _html(client.get("/contact-requests", headers=EN))
    assert "From Nguyễn Thị Lan, provincial officer (Da Nang)" in page
    login(parties.other_member)
    assert "No contact requests to show." in _html(client.get("/contact-requests", headers=EN))


def test_the_member_turns_contact_requests_off_in_the_privacy_settings(parties, client, login, db):
    login(parties.member)
    page = _html(client.get("/people/me/privacy", headers=EN))
    assert re.search(r'<input [^>]*\bchecked id="contact_requests_enabled"', page)
    response = client.post(
        "/people/me/privacy",
        data={
            "visibility_profile": "public",
            "visibility_contact": "private",
            "consent_listed": "y",
            "consent_contact": "y",
        },
        headers=EN,
    )
    assert response.status_code == 302
    db.session.refresh(parties.member_person)
    assert parties.member_person.contact_requests_enabled is False
    assert parties.member_person.consent_contact is True
    login(parties.officer)
    page = _html(client.get(f"/people/{parties.member_person.id}/contact-request", headers=EN))
    assert "turned contact requests off" in page
