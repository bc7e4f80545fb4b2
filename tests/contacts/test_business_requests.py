"""Contact requests about a business: addressed to its contact person (role contact_person,
else an owner, else an executive; accepted links only), under exactly the people's rules, with
the same audit event, notice and email; a business without one cannot be asked."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from directory.audit import AuditEvent
from directory.contacts import business_requests, services
from directory.contacts.models import ContactRequest
from directory.contacts.queries import business_ask_states
from directory.core.errors import ValidationError
from directory.extensions import db as _db
from directory.notices import services as notices
from directory.notices.models import Notice
from tests.businesses.conftest import link, make_business
from tests.factories import PersonFactory, UserFactory
from tests.races import bearer as race_bearer
from tests.races import together

URL = "/api/v1/contact-requests"
MESSAGE = "Sở KH&CN Đà Nẵng muốn mời công ty đầu tư vào cảng Liên Chiểu."


@pytest.fixture
def hansa(parties):
    """A business in Germany whose contact person is the member (accepted); the other member
    is its owner (accepted); an unclaimed profile is a contact person not yet accepted."""
    business = make_business(name="Hansa Logistik Việt GmbH", country="DE")
    link(business, parties.unclaimed, "contact_person", accepted=False)
    link(business, parties.other_person, "owner")
    link(business, parties.member_person, "contact_person")
    return business


def _ask(parties, business, by=None):
    return business_requests.create_business_request(by or parties.officer, business.id, MESSAGE)


def test_the_request_goes_to_the_contact_person_with_notice_email_and_audit(
    parties, hansa, db, mail_outbox
):
    request = _ask(parties, hansa)
    assert request.person_id == parties.member_person.id
    assert request.business_id == hansa.id and request.state == "pending"
    event = db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.action == "contact_request.create", AuditEvent.object_id == request.id
        )
    )
    assert event.details == {"person_id": parties.member_person.id, "business_id": hansa.id}
    [notice] = db.session.scalars(sa.select(Notice).where(Notice.user_id == parties.member.id))
    assert notice.kind == "contact_request.received"
    [message] = mail_outbox()
    assert message["To"] == "nhan@example.fr"
    assert "You are asked as the contact person of Hansa Logistik Việt GmbH." in (
        message.get_content()
    )
    with force_locale("vi"):
        assert "người liên hệ của Hansa Logistik Việt GmbH" in notices.text_of(notice)


def test_without_a_contact_person_an_owner_then_an_executive_answers(parties, db):
    business = make_business(name="Rhein Cargo GmbH", country="DE")
    link(business, parties.member_person, "executive")
    link(business, parties.other_person, "owner")
    link(business, parties.switched_off, "contact_person", accepted=False)
    assert _ask(parties, business).person_id == parties.other_person.id
    other = make_business(name="Elbe Handel GmbH", country="DE")
    link(other, parties.member_person, "executive")
    assert _ask(parties, other).person_id == parties.member_person.id


def test_a_business_without_an_accepted_contact_is_a_409_and_nothing_is_written(parties, written):
    business = make_business(name="Ferme Mekong", country="FR")
    link(business, parties.member_person, "founder")  # founders do not answer for it
    link(business, parties.other_person, "owner", accepted=False)
    before = written()
    with pytest.raises(services.ContactError) as caught:
        _ask(parties, business)
    assert (caught.value.status, caught.value.code) == (409, "no_contact_person")
    assert written() == before
    [state] = business_ask_states(parties.officer, [business]).values()
    assert (state.can_ask, state.why) == (False, "no_contact_person")


@pytest.mark.parametrize(
    ("person", "code"),
    [
        ("switched_off", "contact_requests_off"),
        ("no_consent", "not_contactable"),
        ("unlisted", "not_contactable"),
        ("unclaimed", "no_account"),
    ],
)
def test_the_contact_persons_consent_rules_apply(parties, written, person, code):
    business = make_business(name="Mekong Freight Pty", country="AU")
    link(business, getattr(parties, person), "contact_person")
    before = written()
    with pytest.raises(services.ContactError) as caught:
        _ask(parties, business)
    assert caught.value.code == code
    assert written() == before
    [state] = business_ask_states(parties.officer, [business.id]).values()
    assert state.why == code


def test_one_pending_request_per_official_and_contact_person(parties, hansa):
    services.create_request(parties.officer, parties.member_person.id, MESSAGE)
    with pytest.raises(services.ContactError) as caught:
        _ask(parties, hansa)
    assert caught.value.code == "already_pending"
    assert _ask(parties, hansa, by=parties.other_officer).business_id == hansa.id


def test_the_daily_limit_counts_business_requests(parties, hansa, app):
    app.config["CONTACT_REQUESTS_PER_DAY"] = 1
    _ask(parties, hansa)
    business = make_business(name="Rhein Cargo GmbH", country="DE")
    link(business, parties.other_person, "owner")
    with pytest.raises(services.ContactError) as caught:
        _ask(parties, business)
    assert (caught.value.status, caught.value.code) == (429, "rate_limited")


def test_members_and_unknown_businesses_are_refused(parties, hansa, written):
    before = written()
    with pytest.raises(services.ContactError) as caught:
        _ask(parties, hansa, by=parties.other_member)
    assert caught.value.status == 403
    with pytest.raises(ValidationError) as invalid:
        business_requests.create_business_request(parties.officer, "nope", MESSAGE)
    assert "business_id" in invalid.value.fields
    # The contact person may not ask themselves about their business.
    own = PersonFactory(full_name="Lê Văn Tâm")
    official = UserFactory(role="province", province_slug="hue", person_id=own.id)
    business = make_business(name="Tâm Trading GmbH", country="DE")
    link(business, own, "contact_person")
    before = written()
    with pytest.raises(services.ContactError) as caught:
        _ask(parties, business, by=official)
    assert caught.value.status == 403
    assert written() == before


def test_the_api_takes_a_business_id(parties, hansa, client, bearer, written):
    headers = bearer(parties.officer)
    response = client.post(URL, json={"business_id": hansa.id, "message": MESSAGE}, headers=headers)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["business_id"] == hansa.id and body["person_id"] == parties.member_person.id
    listed = client.get(URL, headers=headers).get_json()["items"]
    assert [item["business_id"] for item in listed] == [hansa.id]
    before = written()
    both = client.post(
        URL,
        json={"business_id": hansa.id, "person_id": parties.other_person.id, "message": "x"},
        headers=headers,
    )
    assert both.status_code == 422 and "person_id" in both.get_json()["error"]["fields"]
    unknown = client.post(URL, json={"business_id": "zz", "message": "x"}, headers=headers)
    assert unknown.status_code == 422 and "business_id" in unknown.get_json()["error"]["fields"]
    lonely = make_business(name="Ferme Mekong", country="FR")
    refused = client.post(URL, json={"business_id": lonely.id, "message": "x"}, headers=headers)
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "no_contact_person"
    assert "no contact person" in refused.get_json()["error"]["message"]
    assert written() == before
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "business_id" in spec["components"]["schemas"]["ContactRequest"]["properties"]


def test_the_business_page_asks_through_the_form(parties, hansa, login, mail_outbox):
    client = login(parties.officer)
    page = client.get(f"/businesses/{hansa.id}").get_data(as_text=True)
    assert f'href="/businesses/{hansa.id}/contact-request' in page
    form = client.get(f"/businesses/{hansa.id}/contact-request").get_data(as_text=True)
    assert "Võ Thành Nhân" in form  # who answers for the business
    sent = client.post(
        f"/businesses/{hansa.id}/contact-request", data={"message": MESSAGE, "need_id": ""}
    )
    assert sent.status_code == 303
    stored = _db.session.scalar(sa.select(ContactRequest))
    assert stored.business_id == hansa.id
    detail = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "Hansa Logistik Việt GmbH" in detail
    page = client.get(f"/businesses/{hansa.id}").get_data(as_text=True)
    assert f'href="/contact-requests/{stored.id}"' in page  # pending, not a second button
    lonely = make_business(name="Ferme Mekong", country="FR")
    page = client.get(f"/businesses/{lonely.id}").get_data(as_text=True)
    assert "Không thể liên hệ:" in page and "/contact-request" not in page
    refused = client.post(f"/businesses/{lonely.id}/contact-request", data={"message": MESSAGE})
    assert refused.status_code == 409


def test_of_two_simultaneous_requests_about_a_business_one_is_stored(race_app, monkeypatch):
    """On the SQLite file database and on PostgreSQL: the partial unique index decides."""
    barrier = threading.Barrier(2, timeout=20)
    real = services._check_pending

    def check(by, person):
        real(by, person)
        barrier.wait()

    monkeypatch.setattr(services, "_check_pending", check)
    monkeypatch.setattr(services, "_lock_requester", lambda by: None)
    officer = UserFactory(province_officer=True, email="race@danang.gov.vn")
    person = PersonFactory(full_name="Trần Văn Hải")
    UserFactory(person_id=person.id, email="hai@example.de")
    business = make_business(name="Hansa Logistik Việt GmbH", country="DE")
    link(business, person, "contact_person")
    business_id, person_id = business.id, person.id
    headers = race_bearer(officer)
    body = {"business_id": business_id, "message": "Xin được kết nối."}
    responses = together(
        [(race_app.test_client(), URL, {"json": body, "headers": headers}) for _ in range(2)]
    )
    statuses = sorted(getattr(r, "status_code", repr(r)) for r in responses)
    assert statuses == [201, 409], [getattr(r, "get_json", lambda r=r: r)() for r in responses]
    _db.session.expire_all()
    stored = _db.session.scalars(
        sa.select(ContactRequest).where(ContactRequest.person_id == person_id)
    ).all()
    assert [r.business_id for r in stored] == [business_id]


def test_the_contact_persons_data_download_names_the_business(parties, hansa, db):
    from directory.people.data_protection import export_person_data

    request = _ask(parties, hansa)
    db.session.commit()
    data = export_person_data(parties.member_person, parties.member)
    [received] = data["contact_requests_received"]
    assert received["id"] == request.id
    assert received["business_name"] == "Hansa Logistik Việt GmbH"
    assert received["message"] == MESSAGE and received["state"] == "pending"
