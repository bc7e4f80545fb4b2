"""Registering one person: likely duplicates are shown before anything is saved."""

import sqlalchemy as sa

from directory.people.models import Person
from tests.factories import PersonFactory, UserFactory


def people_named(db, name):
    return db.session.scalars(sa.select(Person).where(Person.full_name == name)).all()


def lyon_an(**extra):
    return {"full_name": "Nguyễn Văn An", "country": "FR", "city": "Lyon", **extra}


def test_a_second_nguyen_van_an_in_lyon_warns_and_saves_nothing(client, cast, login, db):
    existing = PersonFactory(
        full_name="Nguyễn Văn An", city="Lyon", email=None, phone=None, hometown_province=None
    )
    login(cast.embassy)
    response = client.post("/people/register", data=lyon_an())
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "duplicates-warning" in html and f"/people/{existing.id}" in html
    assert 'name="confirm_new"' in html
    assert len(people_named(db, "Nguyễn Văn An")) == 1


def test_confirming_registers_anyway(client, cast, login, db):
    PersonFactory(full_name="Nguyễn Văn An", city="Lyon", email=None, phone=None)
    login(cast.embassy)
    response = client.post("/people/register", data=lyon_an(confirm_new="y"))
    assert response.status_code == 302
    assert len(people_named(db, "Nguyễn Văn An")) == 2


def test_a_different_person_registers_without_a_warning(client, cast, login, db):
    PersonFactory(full_name="Nguyễn Văn An", city="Lyon", email=None, phone=None)
    login(cast.embassy)
    response = client.post("/people/register", data=lyon_an(full_name="Nguyễn Văn Bình"))
    assert response.status_code == 302
    assert len(people_named(db, "Nguyễn Văn Bình")) == 1


def test_the_warning_shows_the_evidence_in_the_pages_language(client, cast, login, db):
    PersonFactory(
        full_name="Nguyễn Văn An",
        city="Lyon",
        email=None,
        phone=None,
        title="Bác sĩ",
        kinds=["expert"],
        fields=[],
        organization=None,
        hometown_province=None,
    )
    login(cast.embassy)
    data = lyon_an(title="Chủ nhà hàng", kinds=["entrepreneur"])
    html = client.post("/people/register", data=data).get_data(as_text=True)
    assert "Same name, details differ" not in html  # Vietnamese page
    with client.session_transaction() as sess:
        sess["lang"] = "en"
    html = client.post("/people/register", data=data).get_data(as_text=True)
    assert "Same name, details differ" in html
    assert "Different:" in html and "Title" in html and "Same:" in html


def test_an_invalid_form_reports_its_errors_not_duplicates(client, cast, login, db):
    PersonFactory(full_name="Nguyễn Văn An", city="Lyon", email=None, phone=None)
    login(cast.embassy)
    response = client.post("/people/register", data=lyon_an(email="not an address"))
    assert response.status_code == 422
    assert "duplicates-warning" not in response.get_data(as_text=True)


def test_self_registration_warns_of_a_profile_the_member_cannot_open(client, login, db):
    PersonFactory(
        full_name="Đỗ Minh Khoa",
        country="DE",
        city="Berlin",
        email="khoa@example.de",
        consent_listed=False,
        visibility_profile="officials",
    )
    user = UserFactory(role="member")
    login(user)
    data = {"full_name": "Đỗ Minh Khoa", "country": "DE", "email": "khoa@example.de"}
    response = client.post("/people/me/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "duplicates-warning" in html
    assert "/people/" not in html.split("duplicates-warning")[1].split("</section>")[0]
    assert len(people_named(db, "Đỗ Minh Khoa")) == 1
    response = client.post("/people/me/new", data={**data, "confirm_new": "y"})
    assert response.status_code == 302
    assert len(people_named(db, "Đỗ Minh Khoa")) == 2
