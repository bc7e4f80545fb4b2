"""A nominee who does not live in the host country: the province confirms, the mission
acknowledges, the nomination and its history show it."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from directory.audit import AuditEvent
from directory.representatives import nominating, workflow
from directory.representatives.models import Nomination
from tests.factories import PersonFactory

EN = {"Accept-Language": "en"}


@pytest.fixture
def in_germany(db, cast):
    """A verified expert living in Germany who agreed to be contacted."""
    return PersonFactory(
        full_name="Phạm Thu Hà",
        country="DE",
        city="Berlin",
        verified_at=cast.nominee_person.verified_at,
    )


def _count(db) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count(Nomination.id)))


def _create(client, bearer, user, **body):
    return client.post("/api/v1/nominations", json=body, headers={**bearer(user), **EN})


def _body(person, **overrides) -> dict:
    return {
        "person_id": person.id,
        "country": "FR",
        "rationale": "Sắp chuyển sang Paris; điều phối mạng lưới chuyên gia Pháp – Đức.",
        **overrides,
    }


# --- creation ---------------------------------------------------------------------------------


def test_a_nominee_living_elsewhere_needs_the_provinces_confirmation(
    cast, in_germany, client, bearer, db
):
    response = _create(client, bearer, cast["officer"], **_body(in_germany))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert set(error["fields"]) == {"country"}
    assert error["fields"]["country"].startswith("Phạm Thu Hà lives in Germany, not in France.")
    assert _count(db) == 0


def test_a_confirmed_exception_is_recorded_on_the_nomination_and_its_history(
    cast, in_germany, client, bearer, db
):
    response = _create(
        client, bearer, cast["officer"], **_body(in_germany, residence_exception=True)
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["residence_exception"], body["residence_country"]) == (True, "DE")
    assert body["history"][0]["action"] == "create"
    assert body["history"][0]["residence_exception"] is True
    audit = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "nomination.create")
    ).one()
    assert audit.details["residence_exception"] is True


def test_a_profile_without_a_country_also_needs_the_confirmation(cast, client, bearer, db):
    nowhere = PersonFactory(country=None, verified_at=cast.nominee_person.verified_at)
    response = _create(client, bearer, cast["officer"], **_body(nowhere))
    assert response.status_code == 422
    assert (
        "does not say which country they live in"
        in (response.get_json()["error"]["fields"]["country"])
    )
    confirmed = _create(client, bearer, cast["officer"], **_body(nowhere, residence_exception=True))
    assert confirmed.status_code == 201
    assert confirmed.get_json()["residence_country"] is None


def test_no_exception_is_recorded_for_someone_living_in_the_host_country(cast, client, bearer):
    response = _create(
        client, bearer, cast["officer"], **_body(cast.nominee_person, residence_exception=True)
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["residence_exception"] is False
    assert body["history"][0]["residence_exception"] is False


@pytest.mark.parametrize("value", ["yes", 1, [True], {"a": 1}])
def test_the_confirmation_must_be_a_boolean(cast, in_germany, client, bearer, db, value):
    response = _create(
        client, bearer, cast["officer"], **_body(in_germany, residence_exception=value)
    )
    assert response.status_code == 422
    assert "residence_exception" in response.get_json()["error"]["fields"]
    assert _count(db) == 0


def test_residence_country_is_read_only(cast, client, bearer, db):
    response = _create(
        client, bearer, cast["officer"], **_body(cast.nominee_person, residence_country="DE")
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {
        "residence_country": "This field is read-only."
    }


# --- endorsement ------------------------------------------------------------------------------


@pytest.fixture
def under_review(db, cast, in_germany):
    """An exception confirmed by Đà Nẵng, submitted to the Paris embassy."""
    nomination = nominating.create_nomination(
        _body(in_germany, residence_exception=True), cast["officer"]
    )
    workflow.submit(nomination, cast["officer"])
    return nomination


def _endorse(client, bearer, user, nomination, **body):
    return client.post(
        f"/api/v1/nominations/{nomination.id}/endorse",
        json={"comment": "Uy tín tốt.", **body},
        headers={**bearer(user), **EN},
    )


def test_the_mission_must_acknowledge_that_the_nominee_lives_elsewhere(
    cast, under_review, client, bearer, trail
):
    before = trail(under_review)
    for body in ({}, {"residence_acknowledged": False}):
        response = _endorse(client, bearer, cast["embassy"], under_review, **body)
        assert response.status_code == 422
        error = response.get_json()["error"]
        assert set(error["fields"]) == {"residence_acknowledged"}
        assert error["fields"]["residence_acknowledged"].startswith(
            "Phạm Thu Hà lives in Germany, not in France."
        )
    assert trail(under_review) == before
    assert under_review.state == "embassy_review"


def test_an_acknowledged_endorsement_shows_in_the_history(cast, under_review, client, bearer, db):
    response = _endorse(client, bearer, cast["embassy"], under_review, residence_acknowledged=True)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["state"] == "awaiting_consent"
    assert [(e["action"], e["residence_exception"]) for e in body["history"]] == [
        ("create", True),
        ("submit", False),
        ("endorse", True),
    ]
    audit = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "nomination.endorse")
    ).one()
    assert audit.details["residence_exception"] is True


def test_a_nominee_who_moved_after_the_nomination_also_needs_the_acknowledgement(
    cast, nomination_in, client, bearer, db
):
    nomination = nomination_in("embassy_review")
    cast.nominee_person.country = "BE"
    db.session.commit()
    refused = _endorse(client, bearer, cast["embassy"], nomination)
    assert refused.status_code == 422
    assert (
        "lives in Belgium, not in France"
        in (refused.get_json()["error"]["fields"]["residence_acknowledged"])
    )
    done = _endorse(client, bearer, cast["embassy"], nomination, residence_acknowledged=True)
    assert done.status_code == 200
    assert (done.get_json()["residence_exception"], done.get_json()["residence_country"]) == (
        True,
        "BE",
    )


def test_no_acknowledgement_is_asked_for_a_nominee_living_in_the_host_country(
    cast, nomination_in, client, bearer
):
    nomination = nomination_in("embassy_review")
    response = _endorse(client, bearer, cast["embassy"], nomination)
    assert response.status_code == 200
    assert response.get_json()["history"][-1]["residence_exception"] is False


@pytest.mark.parametrize(
    ("state", "action", "role", "value", "field_message"),
    [
        ("embassy_review", "object", "embassy", True, "Only when endorsing."),
        ("awaiting_approval", "approve", "approver", True, "Only when endorsing."),
        ("embassy_review", "endorse", "embassy", "yes", "Must be true or false."),
    ],
)
def test_the_acknowledgement_is_a_boolean_of_the_endorsement_only(
    cast, nomination_in, client, bearer, trail, state, action, role, value, field_message
):
    nomination = nomination_in(state)
    response = client.post(
        f"/api/v1/nominations/{nomination.id}/{action}",
        json={"comment": "Lý do", "residence_acknowledged": value},
        headers={**bearer(cast[role]), **EN},
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"residence_acknowledged": field_message}
    assert trail(nomination) == ([], [])


# --- pages ------------------------------------------------------------------------------------


@pytest.fixture
def login(login, client):
    def sign_in(user):
        login(user)
        with client.session_transaction() as session:
            session["lang"] = "en"
        return client

    return sign_in


def test_the_nomination_form_asks_for_the_confirmation_beside_the_country(
    cast, in_germany, client, login, db
):
    login(cast["officer"])
    form = client.get(f"/people/{in_germany.id}/nominate", headers=EN).get_data(as_text=True)
    assert 'name="residence_exception"' in form
    assert "According to the profile, Phạm Thu Hà lives in Germany." in form

    data = {"country": "FR", "region": "", "rationale": "Sắp chuyển sang Paris."}
    page = client.post(f"/people/{in_germany.id}/nominate", data=data, headers=EN)
    assert page.status_code == 200
    assert re.search(
        r'id="country-err">Phạm Thu Hà lives in Germany, not in France\.',
        page.get_data(as_text=True),
    )
    assert _count(db) == 0

    page = client.post(
        f"/people/{in_germany.id}/nominate", data={**data, "residence_exception": "y"}, headers=EN
    )
    assert page.status_code == 303
    nomination = db.session.scalars(sa.select(Nomination)).one()
    assert (nomination.residence_exception, nomination.residence_country) == (True, "DE")


def test_the_mission_sees_the_warning_and_must_tick_the_acknowledgement(
    cast, under_review, client, login, db
):
    login(cast["embassy"])
    page = client.get(f"/nominations/{under_review.id}", headers=EN).get_data(as_text=True)
    assert 'name="step-residence_acknowledged"' in page  # the page's one panel
    assert "Phạm Thu Hà lives in Germany, not in France." in page
    assert (
        "The province confirmed the nomination although the nominee does not live in France."
        in page
    )

    refused = client.post(
        f"/nominations/{under_review.id}/endorse",
        data={"endorse-comment": "Được cộng đồng tín nhiệm."},
        headers=EN,
    )
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert re.search(r'id="step-residence_acknowledged-err">Phạm Thu Hà lives in Germany', html)
    assert "Được cộng đồng tín nhiệm.</textarea>" in html  # what was typed is kept
    db.session.expire_all()
    assert db.session.get(Nomination, under_review.id).state == "embassy_review"

    done = client.post(
        f"/nominations/{under_review.id}/endorse",
        data={"endorse-comment": "", "endorse-residence_acknowledged": "y"},
        headers=EN,
        follow_redirects=True,
    )
    html = done.get_data(as_text=True)
    assert "You endorsed the nomination" in html
    assert "The mission endorsed knowing that the nominee does not live in France." in html


def test_a_nominee_who_moved_to_the_host_country_needs_no_acknowledgement(
    cast, under_review, in_germany, client, bearer, db
):
    in_germany.country = "FR"
    db.session.commit()
    response = _endorse(client, bearer, cast["embassy"], under_review)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["residence_exception"] is True  # as confirmed at creation
    assert body["history"][-1]["residence_exception"] is False
