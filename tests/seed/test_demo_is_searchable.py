"""What `make run` gives a first-time official: the whole demo in the index, the right expert
first. The seed runs exactly as `make run` runs it (`seed-demo --if-empty`, 300 people)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from directory.accounts.models import User
from directory.associations.models import Association
from directory.businesses.models import Business
from directory.people.models import Person


@pytest.fixture
def demo(runner, db):
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    return db


@pytest.fixture
def officer(demo, client, login):
    user = demo.session.scalar(sa.select(User).where(User.email == "danang@demo.kieubao.vn"))
    login(user)
    return user


def search(client, **params) -> dict:
    response = client.get("/api/v1/search", query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_every_demo_person_association_and_business_is_findable(demo, officer, client):
    people = demo.session.scalar(
        sa.select(sa.func.count()).select_from(Person).where(Person.anonymised_at.is_(None))
    )
    associations = demo.session.scalar(sa.select(sa.func.count()).select_from(Association))
    assert (people, associations) == (300, 22)
    businesses = demo.session.scalar(sa.select(sa.func.count()).select_from(Business))
    assert businesses == 40
    everyone = search(client, per_page=1)
    assert everyone["total"] == people + associations + businesses
    assert everyone["facets"]["kind"].get("business") == businesses
    assert search(client, kind="business", per_page=1)["total"] == businesses
    assert everyone["facets"]["kind"].get("association") == associations
    assert search(client, kind="association", per_page=1)["total"] == associations
    hometown = search(client, q="hội đồng hương", kind="association", per_page=50)
    assert hometown["total"] == demo.session.scalar(
        sa.select(sa.func.count()).select_from(Association).where(Association.kind == "hometown")
    )


def test_the_verified_chip_designer_comes_first_for_ban_dan_in_france(officer, client):
    result = search(client, q="ban dan", country="FR")
    assert result["hits"], result
    assert result["hits"][0]["full_name"] == "Võ Thành Nhân"
