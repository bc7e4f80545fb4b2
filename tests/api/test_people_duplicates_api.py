"""POST /api/v1/people refuses a likely duplicate (the import's matching) unless confirmed."""

from __future__ import annotations

import sqlalchemy as sa

from directory.people.models import Person
from tests.factories import PersonFactory, UserFactory


def _people(db) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Person))


def test_same_email_is_a_409_listing_the_visible_candidate_and_nothing_is_written(
    client, bearer, db, row_counts
):
    officer = UserFactory(embassy=True)  # mission covers FR; officials see unlisted profiles
    existing = PersonFactory(full_name="Phạm Thu Hà", email="ha.pham@example.fr")
    before = row_counts()

    response = client.post(
        "/api/v1/people",
        json={"full_name": "Ha Pham", "country": "FR", "email": "HA.PHAM@example.fr"},
        headers=bearer(officer, **{"Accept-Language": "en"}),
    )

    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "duplicate"
    assert error["candidates"] == [
        {
            "id": existing.id,
            "full_name": "Phạm Thu Hà",
            "kind": "duplicate",
            "reason": "email",
            "strength": "strong",
        }
    ]
    assert error["hidden_candidates"] == 0
    assert existing.id in error["fields"]["confirm_duplicate"]
    assert "confirm_duplicate" in error["message"]
    assert row_counts() == before


def test_confirm_duplicate_true_registers_anyway(client, bearer, db):
    officer = UserFactory(embassy=True)
    PersonFactory(full_name="Phạm Thu Hà", birth_year=1985, city="Lyon")
    before = _people(db)

    body = {"full_name": "Hà Thu Phạm", "country": "FR", "birth_year": 1985}
    refused = client.post("/api/v1/people", json=body, headers=bearer(officer))
    saved = client.post(
        "/api/v1/people", json={**body, "confirm_duplicate": True}, headers=bearer(officer)
    )

    assert refused.status_code == 409
    (candidate,) = refused.get_json()["error"]["candidates"]
    assert (candidate["kind"], candidate["reason"]) == ("probable", "name_birth_year")
    assert saved.status_code == 201, saved.get_json()
    assert "confirm_duplicate" not in saved.get_json()
    assert _people(db) == before + 1


def test_confirm_duplicate_false_or_absent_is_the_same_refusal(client, bearer):
    officer = UserFactory(embassy=True)
    PersonFactory(full_name="Đỗ Minh Tuấn", city="Paris")

    for extra in ({}, {"confirm_duplicate": False}):
        response = client.post(
            "/api/v1/people",
            json={"full_name": "Do Minh Tuan", "country": "FR", "city": "paris", **extra},
            headers=bearer(officer),
        )
        assert response.status_code == 409, extra
        (candidate,) = response.get_json()["error"]["candidates"]
        assert candidate["reason"] == "name_city"


def test_a_non_boolean_confirmation_is_a_422_naming_it(client, bearer, row_counts):
    officer = UserFactory(embassy=True)
    before = row_counts()

    response = client.post(
        "/api/v1/people",
        json={"full_name": "Lê Văn Tám", "country": "FR", "confirm_duplicate": "yes"},
        headers=bearer(officer),
    )

    assert response.status_code == 422
    assert "confirm_duplicate" in response.get_json()["error"]["fields"]
    assert row_counts() == before


def test_a_member_is_told_a_profile_matches_without_seeing_whose(client, bearer, row_counts):
    PersonFactory(full_name="Vũ Hoàng Long", phone="+4915112345678", consent_listed=False)
    member = UserFactory()
    before = row_counts()

    response = client.post(
        "/api/v1/people",
        json={"full_name": "Vũ Hoàng Long", "country": "DE", "phone": "+49 151 12345678"},
        headers=bearer(member, **{"Accept-Language": "en"}),
    )

    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["candidates"] == []
    assert error["hidden_candidates"] == 1
    assert "Vũ Hoàng Long" not in response.get_data(as_text=True)
    assert error["fields"]["confirm_duplicate"] == "1 profile you may not see matches."
    assert row_counts() == before


def test_the_refusal_is_in_vietnamese_for_a_vietnamese_caller(client, bearer):
    officer = UserFactory(embassy=True)
    PersonFactory(full_name="Phạm Thu Hà", email="ha@example.fr")

    response = client.post(
        "/api/v1/people",
        json={"full_name": "Phạm Thu Hà", "country": "FR", "email": "ha@example.fr"},
        headers=bearer(officer, **{"Accept-Language": "vi"}),
    )

    assert response.status_code == 409
    message = response.get_json()["error"]["message"]
    assert "confirm_duplicate" in message and "This person" not in message


def test_no_duplicate_check_before_permission_a_stranger_gets_403(client, bearer, row_counts):
    officer = UserFactory(embassy=True)  # covers FR only
    PersonFactory(full_name="Phạm Thu Hà", email="ha@example.de", country="DE")
    before = row_counts()

    response = client.post(
        "/api/v1/people",
        json={"full_name": "Phạm Thu Hà", "country": "DE", "email": "ha@example.de"},
        headers=bearer(officer),
    )

    assert response.status_code == 403
    assert row_counts() == before


def test_invalid_input_reports_its_errors_not_duplicates(client, bearer):
    officer = UserFactory(embassy=True)
    PersonFactory(full_name="Phạm Thu Hà", email="ha@example.fr")

    response = client.post(
        "/api/v1/people",
        json={
            "full_name": "Phạm Thu Hà",
            "country": "FR",
            "email": "ha@example.fr",
            "birth_year": 1700,
        },
        headers=bearer(officer),
    )

    assert response.status_code == 422
    assert "birth_year" in response.get_json()["error"]["fields"]
