"""Businesses fixtures: the cast's businesses (``tests.factories.make_cast``) and a factory."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from directory.accounts.tokens import create_token
from directory.businesses.inputs import business_name_key, website_domain
from directory.businesses.models import Business, BusinessPerson
from directory.core.models import utcnow
from directory.extensions import db as _db


def make_business(**values) -> Business:
    """A committed business (defaults: in France, logistics-like transport, unlisted)."""
    data = {
        "name": "Vận tải Sông Hàn GmbH",
        "country": "FR",
        "sectors": ["transportation"],
        "other_names": [],
        "operates_in": [],
        "cities": [],
        "presence_in_vietnam": [],
        "interests": [],
        "consent_listed": False,
        "visibility_profile": "officials",
        "visibility_contact": "officials",
    }
    data.update(values)
    data["name_key"] = business_name_key(data["name"])
    data["website_domain"] = website_domain(data.get("website"))
    business = Business(**data)
    _db.session.add(business)
    _db.session.commit()
    return business


def link(business, person, role="owner", accepted=True) -> BusinessPerson:
    entry = BusinessPerson(
        business_id=business.id,
        person_id=person.id,
        role=role,
        accepted_at=utcnow() if accepted else None,
    )
    _db.session.add(entry)
    _db.session.commit()
    return entry


@pytest.fixture
def businesses(cast):
    """- ``listed_fr``: in France, registered by Paris, listed, profile public, contact
      private, managed by the owner (accepted owner link);
    - ``unlisted_de``: in Germany, registered by Berlin, unlisted, nobody manages it;
    - ``operating_fr``: registered in Germany, operating in France, unlisted, unmanaged;
    - links waiting for acceptance: ``link_owned`` (the owner's claimed profile),
      ``link_unclaimed`` (registered by Paris, unclaimed), ``link_in_germany`` (unclaimed,
      registered by no mission)."""
    listed_fr = make_business(
        name="Phở Sài Gòn SARL",
        website="https://www.pho-saigon.fr",
        email="contact@pho-saigon.fr",
        phone="+33142000000",
        consent_listed=True,
        visibility_profile="public",
        visibility_contact="private",
        provenance_mission_id=cast.paris.id,
        sectors=["hospitality", "food-processing"],
    )
    link(listed_fr, cast.owned, "owner")
    unlisted_de = make_business(
        name="Logistik Hansa Việt GmbH",
        country="DE",
        provenance_mission_id=cast.berlin.id,
        website="https://hansa-viet.de",
    )
    operating_fr = make_business(name="Rhein Mekong AG", country="DE", operates_in=["FR"])
    return {
        "listed_fr": listed_fr,
        "unlisted_de": unlisted_de,
        "operating_fr": operating_fr,
        "link_owned": link(unlisted_de, cast.owned, "founder", accepted=False),
        "link_unclaimed": link(unlisted_de, cast.unclaimed, "executive", accepted=False),
        "link_in_germany": link(unlisted_de, cast.in_germany, "contact_person", accepted=False),
        None: None,
    }


@pytest.fixture
def bearer(db):
    """``bearer(user)`` -> request headers carrying a fresh API token of ``user``."""

    def make(user, **headers) -> dict:
        _token, raw = create_token(user)
        db.session.commit()
        return {"Authorization": f"Bearer {raw}", **headers}

    return make


@pytest.fixture
def row_counts(db):
    """``row_counts()`` -> {table: rows} of the tables a refused request must leave alone."""
    skipped = {"api_tokens", "provinces", "fields", "province_names"}

    def count() -> dict[str, int]:
        db.session.expire_all()
        return {
            table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
            for table in db.metadata.sorted_tables
            if table.name not in skipped
        }

    return count
