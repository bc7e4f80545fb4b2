"""Contact requests about a cooperation need: the service, the API, the pages, and the buttons of
a need's matches and shortlist."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from directory.audit import AuditEvent
from directory.contacts import queries, services
from directory.contacts.models import ContactRequest
from directory.core.errors import ValidationError
from directory.extensions import db as _db
from directory.needs import services as need_services
from directory.needs.models import Need

EN = {"Accept-Language": "en"}
MESSAGE = "Sở KH&CN Đà Nẵng mời anh tham gia chương trình đào tạo vi mạch."


@pytest.fixture
def need_of(parties):
    """``need_of(province, audience)`` -> a committed open need."""

    def make(province: str = "da-nang", audience: str = "officials") -> Need:
        need = Need(
            province_slug=province,
            title="Chip design training partnership, 2027 roadmap",
            description="Đào tạo kỹ sư thiết kế vi mạch.",
            type="training",
            fields=["semiconductors"],
            countries=["FR", "US"],
            milestones=[],
            deadline=date.today() + timedelta(days=60),
            audience=audience,
            status="open",
        )
        _db.session.add(need)
        _db.session.commit()
        return need

    return make


@pytest.fixture
def login(login, client):
    def do_login(user):
        login(user)
        with client.session_transaction() as session:
            session["lang"] = "en"
        return client

    return do_login


def test_a_request_names_the_need_it_is_about(parties, need_of, mail_outbox, db):
    need = need_of()
    request = services.create_request(parties.officer, parties.member_person.id, MESSAGE, need.id)
    assert request.need_id == need.id and request.need is need
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "contact_request.create")
    )
    assert event.details == {"person_id": parties.member_person.id, "need_id": need.id}
    body = mail_outbox()[-1].get_content()
    assert need.title in body
    # A need object is taken as well as its id; none is none.
    other = services.create_request(parties.officer, parties.other_person.id, MESSAGE, need)
    assert other.need_id == need.id
    plain = services.create_request(parties.embassy, parties.other_person.id, MESSAGE)
    assert plain.need_id is None


@pytest.mark.parametrize("raw", ["nope", 123, ["x"], "x" * 40])
def test_an_unknown_need_is_refused_naming_it_and_nothing_is_written(parties, written, raw):
    before = written()
    with pytest.raises(ValidationError) as caught:
        services.create_request(parties.officer, parties.member_person.id, MESSAGE, raw)
    assert set(caught.value.fields) == {"need_id"}
    assert written() == before


def test_a_need_the_official_may_not_see_is_refused(parties, need_of, written):
    hidden = need_of("hue", "officials")  # another province's officials-only need
    before = written()
    with pytest.raises(ValidationError) as caught:
        services.create_request(parties.officer, parties.member_person.id, MESSAGE, hidden.id)
    assert caught.value.fields == {"need_id": "Nhu cầu không tồn tại."}  # Vietnamese first
    assert written() == before
    # The embassy connects provinces with the diaspora: it reads that need and may name it.
    request = services.create_request(parties.embassy, parties.member_person.id, MESSAGE, hidden)
    assert request.need_id == hidden.id


def test_the_api_takes_and_returns_need_id(parties, need_of, client, bearer, written, app):
    need = need_of()
    headers = bearer(parties.officer)
    before = written()
    bad = client.post(
        "/api/v1/contact-requests",
        json={"person_id": parties.member_person.id, "message": MESSAGE, "need_id": "nope"},
        headers=headers,
    )
    assert bad.status_code == 422 and "need_id" in bad.get_json()["error"]["fields"]
    assert written() == before
    created = client.post(
        "/api/v1/contact-requests",
        json={"person_id": parties.member_person.id, "message": MESSAGE, "need_id": need.id},
        headers=headers,
    )
    assert created.status_code == 201 and created.get_json()["need_id"] == need.id
    listing = client.get("/api/v1/contact-requests", headers=headers).get_json()
    assert [item["need_id"] for item in listing["items"]] == [need.id]
    member_view = client.get(
        f"/api/v1/contact-requests/{created.get_json()['id']}", headers=bearer(parties.member)
    )
    assert member_view.get_json()["need_id"] == need.id
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert "need_id" in schema["ContactRequest"]["properties"]


def test_the_ask_page_carries_the_need_and_the_member_sees_it(parties, need_of, client, login):
    need = need_of(audience="officials")
    login(parties.officer)
    path = f"/people/{parties.member_person.id}/contact-request"
    page = client.get(f"{path}?need={need.id}", headers=EN).get_data(as_text=True)
    assert "About the need:" in page and need.title in page and f'value="{need.id}"' in page
    # A need id the officer may not read is neither shown nor accepted.
    hidden = need_of("hue", "officials")
    assert hidden.title not in client.get(f"{path}?need=zz", headers=EN).get_data(as_text=True)
    refused = client.post(path, data={"message": MESSAGE, "need_id": hidden.id}, headers=EN)
    assert refused.status_code == 422 and "Unknown need." in refused.get_data(as_text=True)
    assert _count(ContactRequest) == 0
    sent = client.post(path, data={"message": MESSAGE, "need_id": need.id}, headers=EN)
    assert sent.status_code == 303
    request = _db.session.scalar(sa.select(ContactRequest))
    assert request.need_id == need.id

    # The member reads the need's title; an officials-only need is not a link for them.
    login(parties.member)
    page = client.get(f"/contact-requests/{request.id}", headers=EN).get_data(as_text=True)
    assert "About the need" in page and need.title in page
    assert f'href="/needs/{need.id}"' not in page
    need.audience = "public"
    _db.session.commit()
    page = client.get(f"/contact-requests/{request.id}", headers=EN).get_data(as_text=True)
    assert f'href="/needs/{need.id}"' in page


def _count(model) -> int:
    _db.session.expire_all()
    return _db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_ask_states_say_what_the_official_can_do_for_each_person(parties, need_of):
    ids = [
        parties.member_person.id,
        parties.other_person.id,
        parties.unclaimed.id,
        parties.switched_off.id,
        parties.no_consent.id,
        parties.unlisted.id,
    ]
    accepted = services.create_request(parties.officer, parties.other_person.id, MESSAGE)
    services.take_action(accepted, "accept", parties.other_member, {"share": ["email"]})
    pending = services.create_request(parties.officer, parties.member_person.id, MESSAGE)
    states = queries.ask_states(parties.officer, ids)
    assert states[parties.member_person.id].request == pending
    assert states[parties.other_person.id].request == accepted
    assert not states[parties.member_person.id].can_ask
    assert states[parties.unclaimed.id].why == "no_account"
    assert states[parties.switched_off.id].why == "contact_requests_off"
    assert states[parties.no_consent.id].why == "not_contactable"
    assert states[parties.unlisted.id].why == "not_contactable"
    # A declined request leaves the way open to ask again.
    services.take_action(pending, "decline", parties.member, {})
    again = queries.ask_states(parties.officer, [parties.member_person.id])
    assert (
        again[parties.member_person.id].can_ask and again[parties.member_person.id].request is None
    )
    # Members send no requests: nothing to offer them.
    assert queries.ask_states(parties.member, ids) == {}


def test_the_shortlist_offers_the_request_with_the_need_and_shows_its_state(
    parties, need_of, client, login
):
    need = need_of()
    for person in (parties.member_person, parties.switched_off, parties.unclaimed):
        need_services.add_to_shortlist(need, person.id, "", parties.officer)
    login(parties.officer)
    page = client.get(f"/needs/{need.id}", headers=EN).get_data(as_text=True)
    ask = f"/people/{parties.member_person.id}/contact-request?need={need.id}"
    assert f'href="{ask}"' in page
    assert "Contact requests are turned off." in page
    assert "No account to answer" in page
    assert f'href="/people/{parties.switched_off.id}/contact-request' not in page

    request = services.create_request(parties.officer, parties.member_person.id, MESSAGE, need)
    page = client.get(f"/needs/{need.id}", headers=EN).get_data(as_text=True)
    assert "Contact request pending" in page and f'href="{ask}"' not in page
    assert f'href="/contact-requests/{request.id}"' in page
    services.take_action(request, "accept", parties.member, {"share": ["email"]})
    page = client.get(f"/needs/{need.id}", headers=EN).get_data(as_text=True)
    assert "Contact request accepted" in page and f'href="{ask}"' not in page


def test_the_members_data_download_has_their_interest_and_the_requests_they_received(
    parties, need_of, db
):
    """What the member did and was asked is theirs to download; the officials' shortlist and
    its notes are not."""
    from directory.people.data_protection import export_person_data

    need = need_of(audience="public")
    need_services.express_interest(need, parties.member, "Tôi quan tâm.")
    need_services.add_to_shortlist(
        need, parties.member_person.id, "Ghi chú nội bộ", parties.officer
    )
    request = services.create_request(parties.officer, parties.member_person.id, MESSAGE, need)
    services.take_action(request, "decline", parties.member, {"reason": "Không có thời gian."})
    db.session.commit()

    data = export_person_data(parties.member_person, parties.member)

    [interest] = data["need_interests"]
    assert interest["need_id"] == need.id and interest["message"] == "Tôi quan tâm."
    [received] = data["contact_requests_received"]
    assert received["id"] == request.id and received["need_title"] == need.title
    assert received["message"] == MESSAGE and received["state"] == "declined"
    assert received["decline_reason"] == "Không có thời gian."
    assert "Nguyễn Thị Lan" in received["from"]
    assert "Ghi chú nội bộ" not in str(data)
