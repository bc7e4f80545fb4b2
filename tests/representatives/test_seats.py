"""One seat (province, country, region): one holder, one nomination on its way at a time.

Refused at creation, again at submission and at approval, with a message naming the holder or
the nomination already on its way; a refusal writes nothing.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from directory.core.errors import ValidationError
from directory.representatives import nominating, refusals, workflow
from directory.representatives.models import Nomination
from tests.factories import PersonFactory

EN = {"Accept-Language": "en"}


def _count(db) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count(Nomination.id)))


def _data(person, **overrides) -> dict:
    return {
        "person_id": person.id,
        "country": "FR",
        "rationale": "Kết nối doanh nghiệp Pháp với Đà Nẵng.",
        **overrides,
    }


def _create(client, bearer, user, body):
    return client.post("/api/v1/nominations", json=body, headers={**bearer(user), **EN})


@pytest.fixture
def rival(db, cast):
    """A second verified expert living in France who agreed to be contacted."""
    return PersonFactory(full_name="Lê Minh Đức", verified_at=cast.nominee_person.verified_at)


# --- creation ---------------------------------------------------------------------------------


def test_the_current_holder_cannot_be_nominated_again_for_their_seat(
    cast, nomination_in, client, bearer, db
):
    nomination_in("active", region="")
    before = _count(db)
    response = _create(client, bearer, cast["officer"], _data(cast.nominee_person))
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "already_holder"
    assert error["message"].startswith("Nguyễn Văn Dũng already holds this seat (Da Nang · France)")
    assert "Renewing before the term ends is not offered yet" in error["message"]
    assert error["fields"] == {"person_id": error["message"]}
    assert _count(db) == before


def test_nobody_else_is_nominated_for_a_seat_while_it_has_an_active_holder(
    cast, nomination_in, rival, client, bearer, db
):
    holder = nomination_in("active", region="")
    before = _count(db)
    response = _create(client, bearer, cast["officer"], _data(rival))
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "seat_taken"
    assert error["message"].startswith(
        "Nguyễn Văn Dũng already represents the province for this seat (Da Nang · France) until "
    )
    assert str(holder.term_end.year) in error["message"]
    assert error["fields"] == {"country": error["message"]}
    assert _count(db) == before


@pytest.mark.parametrize(
    ("state", "label"),
    [
        ("draft", "a draft"),
        ("embassy_review", "in review by the mission"),
        ("awaiting_consent", "awaiting the nominee's consent"),
        ("awaiting_approval", "awaiting approval"),
    ],
)
def test_nobody_else_is_nominated_while_another_nomination_of_the_seat_is_open(
    cast, nomination_in, rival, client, bearer, db, state, label
):
    nomination_in(state, region="")
    before = _count(db)
    response = _create(client, bearer, cast["officer"], _data(rival))
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "seat_pending"
    assert error["message"] == (
        f"Nguyễn Văn Dũng is already nominated for this seat (Da Nang · France); that "
        f"nomination is {label}. Withdraw it, or wait for its outcome, before nominating "
        "someone else."
    )
    assert error["fields"]["country"] == error["message"]
    assert _count(db) == before


@pytest.mark.parametrize("state", ["withdrawn", "objected", "declined", "rejected", "expired"])
def test_a_closed_nomination_leaves_the_seat_free(cast, nomination_in, rival, db, state):
    nomination_in(state, region="")
    nomination = nominating.create_nomination(_data(rival), cast["officer"])
    assert nomination.state == "draft"


def test_other_regions_and_countries_are_other_seats_at_creation(cast, nomination_in, rival, db):
    nomination_in("active", region="")
    lyon = nominating.create_nomination(_data(rival, region="Lyon"), cast["officer"])
    germany = nominating.create_nomination(
        _data(rival, country="DE", residence_exception=True), cast["officer"]
    )
    assert (lyon.region, germany.country) == ("Lyon", "DE")


def test_regions_are_compared_without_case_accents_or_spacing(
    cast, nomination_in, rival, client, bearer, db
):
    nomination_in("awaiting_approval", region="Île-de-France")
    response = _create(client, bearer, cast["officer"], _data(rival, region="  ile de FRANCE "))
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "seat_pending"
    assert "Da Nang · France · Île-de-France" in response.get_json()["error"]["message"]


def test_a_new_nomination_takes_the_spelling_its_seat_already_has(cast, nomination_in, rival, db):
    nomination_in("withdrawn", region="Île-de-France")
    nomination = nominating.create_nomination(_data(rival, region="ile-de-france"), cast["officer"])
    assert nomination.region == "Île-de-France"


def test_a_second_open_nomination_of_the_same_person_names_the_first(
    cast, nomination_in, client, bearer, db
):
    nomination_in("embassy_review", region="")
    response = _create(client, bearer, cast["officer"], _data(cast.nominee_person))
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "duplicate"
    assert error["message"] == (
        "Nguyễn Văn Dũng is already nominated for this seat (Da Nang · France); that "
        "nomination is in review by the mission."
    )


def test_the_refusal_is_in_vietnamese_by_default(cast, nomination_in, rival, client, bearer):
    nomination_in("awaiting_approval", region="")
    response = client.post(
        "/api/v1/nominations", json=_data(rival), headers=bearer(cast["officer"])
    )
    message = response.get_json()["error"]["message"]
    assert message.startswith("Nguyễn Văn Dũng đã được đề cử cho vị trí này (Đà Nẵng · Pháp)")
    assert "chờ phê duyệt" in message


# --- submission and approval ------------------------------------------------------------------


def test_submission_is_refused_while_another_nomination_of_the_seat_is_on_its_way(
    cast, nomination_in, rival, trail
):
    """Two drafts of one seat (older data): the first submitted goes on, the second waits."""
    first = nomination_in("draft", region="")
    second = nomination_in("draft", region="", person_id=rival.id)
    workflow.submit(first, cast["officer"])
    with force_locale("en"), pytest.raises(refusals.WorkflowError) as refused:
        workflow.submit(second, cast["officer"])
    assert refused.value.code == "seat_pending"
    assert "that nomination is in review by the mission" in refused.value.message
    assert second.state == "draft"
    assert trail(second) == ([], [])


def test_submission_is_refused_while_the_seat_has_an_active_holder(
    cast, nomination_in, rival, trail
):
    nomination_in("active", region="")
    draft = nomination_in("draft", region="", person_id=rival.id)
    with pytest.raises(refusals.WorkflowError) as refused:
        workflow.submit(draft, cast["officer"])
    assert refused.value.code == "seat_taken"
    assert draft.state == "draft"
    assert trail(draft) == ([], [])


def test_the_approval_refusal_names_the_holder_on_the_page(
    cast, nomination_in, rival, client, login, db
):
    nomination_in("active", region="")
    waiting = nomination_in("awaiting_approval", region="", person_id=rival.id)
    login(cast["approver"])
    page = client.post(
        f"/nominations/{waiting.id}/approve",
        data={"approve-comment": ""},
        headers=EN,
        follow_redirects=True,
    )
    html = page.get_data(as_text=True)
    assert "Nguyễn Văn Dũng already represents the province for this seat" in html
    db.session.expire_all()
    assert db.session.get(Nomination, waiting.id).state == "awaiting_approval"


# --- renewal ----------------------------------------------------------------------------------


def test_an_active_appointment_cannot_be_renewed_yet(cast, nomination_in, db):
    active = nomination_in("active", region="")
    before = _count(db)
    with pytest.raises(ValidationError) as refused:
        nominating.create_nomination(
            {**nominating.renewal_data(active), "rationale": "Gia hạn."}, cast["officer"]
        )
    assert "previous_nomination_id" in refused.value.fields
    assert _count(db) == before


def test_a_renewal_must_continue_the_same_persons_appointment(cast, nomination_in, rival, db):
    expired = nomination_in("expired", region="")
    with pytest.raises(ValidationError) as refused:
        nominating.create_nomination(
            {**nominating.renewal_data(expired), "person_id": rival.id}, cast["officer"]
        )
    assert "previous_nomination_id" in refused.value.fields


def test_the_page_offers_renewal_only_once_the_term_has_ended(cast, nomination_in, client, login):
    login(cast["officer"])
    active = nomination_in("active")
    expired = nomination_in("expired")
    page = client.get(f"/nominations/{active.id}", headers=EN).get_data(as_text=True)
    assert f"renew={active.id}" not in page
    page = client.get(f"/nominations/{expired.id}", headers=EN).get_data(as_text=True)
    assert f"renew={expired.id}" in page
    form = client.get(f"/people/{cast.nominee_person.id}/nominate?renew={expired.id}", headers=EN)
    assert form.status_code == 200
    assert expired.region in form.get_data(as_text=True)
