"""The association lists and a person's memberships, shared by the pages and the API."""

from __future__ import annotations

from datetime import date

from directory.associations import services
from directory.extensions import db
from tests.factories import AssociationFactory, MembershipFactory, PersonFactory


def _names(stmt) -> list[str]:
    return [a.name for a in db.session.scalars(stmt)]


def test_associations_are_listed_by_name_and_filtered(db):
    AssociationFactory(name="Hội B", kind="hometown", country="FR", province_slug="da-nang")
    AssociationFactory(name="Hội A", kind="professional", country="FR", province_slug=None)
    AssociationFactory(name="Hội C", kind="hometown", country="DE", province_slug="hue")

    assert _names(services.list_associations()) == ["Hội A", "Hội B", "Hội C"]
    assert _names(services.list_associations(kind="hometown")) == ["Hội B", "Hội C"]
    assert _names(services.list_associations(country="FR")) == ["Hội A", "Hội B"]
    assert _names(services.list_associations(province="hue")) == ["Hội C"]


def test_the_page_and_the_api_list_the_same_associations(client, db):
    AssociationFactory(name="Hội Pháp", country="FR")
    AssociationFactory(name="Hội Đức", country="DE")

    page = client.get("/associations?country=DE").get_data(as_text=True)
    api = client.get("/api/v1/associations?country=DE").get_json()

    assert [a["name"] for a in api["items"]] == ["Hội Đức"]
    assert "Hội Đức" in page and "Hội Pháp" not in page


def test_memberships_of_a_person_shown_ones_current_first(db):
    person = PersonFactory()
    ended = MembershipFactory(person=person, end_date=date(2024, 6, 30))
    current = MembershipFactory(person=person)
    proposed = MembershipFactory(person=person, status="proposed")

    assert services.memberships_of(person) == [current, ended]
    assert services.memberships_of(person, "proposed") == [proposed]
