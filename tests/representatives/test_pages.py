"""The pages, and the whole path in a browser's shoes: nominate, endorse, accept, approve."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from directory.representatives import workflow
from directory.representatives.models import Nomination
from tests.factories import PersonFactory

EN = {"Accept-Language": "en"}


@pytest.fixture
def login(login, client):
    """Sign in as ``user`` and read the pages in English (the assertions are in English)."""

    def sign_in(user):
        login(user)
        with client.session_transaction() as session:
            session["lang"] = "en"
        return client

    return sign_in


def _html(response) -> str:
    return response.get_data(as_text=True)


def _step(client, nomination, action, comment="", confirmed=True):
    """Take a step, past its confirmation page when it has one (``confirmed``)."""
    data = {f"{action}-comment": comment}
    if confirmed:
        data["confirmed"] = "1"
    return client.post(
        f"/nominations/{nomination.id}/{action}",
        data=data,
        headers=EN,
        follow_redirects=True,
    )


def test_the_whole_path_from_nomination_to_the_public_register(cast, client, login, db):
    person = cast.nominee_person

    # The Đà Nẵng officer nominates from the profile and submits at once.
    login(cast["officer"])
    form = client.get(f"/people/{person.id}/nominate", headers=EN)
    assert form.status_code == 200
    assert 'name="rationale"' in _html(form)
    response = client.post(
        f"/people/{person.id}/nominate",
        data={
            "country": "FR",
            "region": "",
            "rationale": "Chuyên gia vi mạch hàng đầu tại Pháp, gắn bó với quê hương.",
            "submit_now": "1",
        },
        headers=EN,
    )
    assert response.status_code == 303
    nomination = db.session.scalars(sa.select(Nomination)).one()
    assert response.headers["Location"].endswith(f"/nominations/{nomination.id}")
    assert nomination.state == "embassy_review"

    # The Paris embassy officer finds it in the inbox and endorses it.
    login(cast["embassy"])
    inbox = _html(client.get("/inbox", headers=EN))
    assert f"/nominations/{nomination.id}" in inbox
    page = _step(client, nomination, "endorse", "Được cộng đồng người Việt tại Paris tín nhiệm.")
    assert "You endorsed the nomination" in _html(page)

    # The nominee reads the province's rationale and accepts.
    login(cast["nominee"])
    page = _html(client.get(f"/nominations/{nomination.id}", headers=EN))
    assert "Why the province chose you" in page
    assert "Chuyên gia vi mạch hàng đầu tại Pháp" in page
    assert "Được cộng đồng người Việt" not in page  # the mission's vetting note
    assert "Accept the nomination" in page and "Decline the nomination" in page
    _step(client, nomination, "accept", "Tôi rất vinh dự.")

    # The Đà Nẵng approver approves.
    login(cast["approver"])
    page = _html(_step(client, nomination, "approve", "Đồng ý bổ nhiệm."))
    assert "The appointment is approved and now active." in page
    db.session.expire_all()
    assert nomination.state == "active"
    assert [e.action for e in nomination.events] == [
        "create",
        "submit",
        "endorse",
        "accept",
        "approve",
    ]

    # Anyone can see who represents Đà Nẵng in France.
    client.post("/lang/en", data={"next": "/"})
    with client.session_transaction() as session:
        session.pop("_user_id", None)
    register = _html(client.get("/representatives?province=da-nang&country=FR", headers=EN))
    assert "Who represents Da Nang in France?" in register
    assert "Nguyễn Văn Dũng" in register

    # A second nomination for the same seat is refused on the form, naming the holder.
    rival = PersonFactory(full_name="Lê Minh Đức", verified_at=person.verified_at)
    login(cast["officer"])
    page = client.post(
        f"/people/{rival.id}/nominate",
        data={"country": "FR", "region": "", "rationale": "Ứng viên thứ hai"},
        headers=EN,
    )
    assert page.status_code == 200
    html = _html(page)
    assert re.search(
        r'id="country-err">Nguyễn Văn Dũng already represents the province for this seat',
        html,
    )
    assert db.session.scalar(sa.select(sa.func.count(Nomination.id))) == 1


def test_the_nomination_page_shows_the_history_and_only_the_viewers_steps(
    cast, nomination_in, client, login
):
    nomination = nomination_in("embassy_review")
    workflow.endorse(nomination, cast["embassy"], "Uy tín tốt.")
    login(cast["officer"])
    html = _html(client.get(f"/nominations/{nomination.id}", headers=EN))
    assert '<ol class="timeline">' in html
    assert "Endorsed by the mission" in html and "Uy tín tốt." in html
    actions = set(re.findall(r'action="/nominations/[0-9a-f]+/(\w+)"', html))
    assert actions == {"withdraw"}

    login(cast["nominee"])
    html = _html(client.get(f"/nominations/{nomination.id}", headers=EN))
    actions = set(re.findall(r'action="/nominations/[0-9a-f]+/(\w+)"', html))
    assert actions == {"accept", "decline"}


def test_outsiders_get_a_404_and_a_refused_step_changes_nothing(cast, nomination_in, client, login):
    nomination = nomination_in("draft")
    login(cast["other_officer"])
    assert client.get(f"/nominations/{nomination.id}").status_code == 404
    assert client.post(f"/nominations/{nomination.id}/submit").status_code == 404

    login(cast["approver"])
    page = _html(_step(client, nomination, "approve"))
    assert "This step is not possible while the nomination is a draft." in page
    assert nomination.state == "draft"


def test_anonymous_visitors_are_sent_to_sign_in(cast, nomination_in, client):
    nomination = nomination_in("draft")
    response = client.get(f"/nominations/{nomination.id}")
    assert response.status_code in (302, 401)


def test_only_province_officers_may_open_the_nomination_form(cast, client, login):
    person = cast.nominee_person
    for role in ("embassy", "member", "admin"):
        login(cast[role])
        assert client.get(f"/people/{person.id}/nominate").status_code == 403, role


def test_the_form_refuses_a_person_who_refused_contact(cast, client, login, db):
    shy = PersonFactory(consent_contact=False)
    login(cast["officer"])
    page = _html(client.get(f"/people/{shy.id}/nominate", headers=EN))
    assert "has not agreed to be contacted" in page
    assert 'name="rationale"' not in page
    client.post(
        f"/people/{shy.id}/nominate",
        data={"country": "FR", "rationale": "x", "submit_now": "1"},
    )
    assert db.session.scalar(sa.select(sa.func.count(Nomination.id))) == 0


def test_the_form_shows_errors_beside_the_fields(cast, client, login, db):
    login(cast["officer"])
    page = client.post(
        f"/people/{cast.nominee_person.id}/nominate",
        data={"country": "", "rationale": "", "term_start": "2027-01-01", "term_end": "2026-01-01"},
        headers=EN,
    )
    assert page.status_code == 200
    html = _html(page)
    assert 'aria-invalid="true"' in html
    assert "The term must end after it starts." in html
    assert db.session.scalar(sa.select(sa.func.count(Nomination.id))) == 0


def test_renewal_prefills_the_previous_nomination(cast, nomination_in, client, login):
    old = nomination_in("expired", region="Lyon")
    login(cast["officer"])
    detail = _html(client.get(f"/nominations/{old.id}", headers=EN))
    assert f"renew={old.id}" in detail
    form = _html(client.get(f"/people/{old.person_id}/nominate?renew={old.id}", headers=EN))
    assert 'value="Lyon"' in form
    assert old.rationale in form


def test_the_province_list_and_the_inbox(cast, nomination_in, client, login):
    draft = nomination_in("draft")
    active = nomination_in("active")
    nomination_in("draft", province_slug="ha-noi")
    login(cast["officer"])
    listing = _html(client.get("/nominations", headers=EN))
    assert draft.id in listing and active.id in listing
    assert "2 nominations" in listing
    only_active = _html(client.get("/nominations?state=active", headers=EN))
    assert active.id in only_active and draft.id not in only_active
    inbox = _html(client.get("/inbox", headers=EN))
    assert draft.id in inbox and active.id not in inbox
    login(cast["member"])
    assert "Nothing is waiting for you." in _html(client.get("/inbox", headers=EN))
