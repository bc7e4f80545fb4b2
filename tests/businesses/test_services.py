"""Business rules below the API: keys for duplicates, checked input, accepting links."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from directory.audit import AuditEvent
from directory.businesses import queries, services
from directory.businesses.inputs import (
    business_name_key,
    normalize_business_input,
    website_domain,
)
from directory.businesses.models import BusinessPerson
from directory.core.errors import ValidationError
from directory.extensions import db
from tests.businesses.conftest import make_business


def test_name_key_and_website_domain():
    assert business_name_key("Phở Việt, S.A.R.L.") == "pho viet s a r l"
    assert business_name_key("  PHỞ   việt ") == "pho viet"
    assert website_domain("https://www.Pho-Viet.fr/menu?x=1") == "pho-viet.fr"
    assert website_domain("http://shop.pho-viet.fr") == "shop.pho-viet.fr"
    assert website_domain(None) is None


def test_a_bare_domain_becomes_an_https_website(db):
    values = normalize_business_input(
        {
            "name": "Mekong Freight",
            "country": "FR",
            "sectors": ["transportation"],
            "website": "mekong-freight.fr",
        },
        business=None,
    )
    assert values["website"] == "https://mekong-freight.fr"
    assert values["website_domain"] == "mekong-freight.fr"


def test_presence_none_stands_alone(db):
    with pytest.raises(ValidationError) as caught:
        normalize_business_input(
            {"presence_in_vietnam": [{"kind": "none"}, {"kind": "subsidiary", "province": "Huế"}]},
            business=make_business(),
        )
    assert "presence_in_vietnam" in caught.value.fields
    values = normalize_business_input(
        {"presence_in_vietnam": [{"kind": "joint_venture", "province": "Quảng Nam"}]},
        business=make_business(name="Other"),
    )
    # A legacy province name is stored as today's unit.
    assert values["presence_in_vietnam"] == [{"kind": "joint_venture", "province": "da-nang"}]


def test_likely_duplicates_by_name_and_country_or_domain(db):
    a = make_business(name="Phở Việt SARL", country="FR", website="https://pho-viet.fr")
    make_business(name="Phở Việt SARL", country="DE")
    assert queries.likely_duplicates("pho viet sarl", "FR", None) == [a]
    assert queries.likely_duplicates("Other name", "FR", "pho-viet.fr") == [a]
    assert queries.likely_duplicates("Phở Việt SARL", "FR", None, exclude_id=a.id) == []


def test_the_member_accepts_a_link_and_the_registering_mission_for_an_unclaimed_profile(
    cast, businesses
):
    pending = queries.pending_links_for(cast.owner)
    assert pending == [businesses["link_owned"]]
    assert queries.pending_links_for(cast.embassy) == [businesses["link_unclaimed"]]
    assert queries.pending_links_for(cast.other_embassy) == []
    with pytest.raises(services.BusinessError):
        services.decide_link(businesses["link_owned"], True, cast.embassy)
    services.decide_link(businesses["link_owned"], True, cast.owner)
    services.decide_link(businesses["link_unclaimed"], False, cast.embassy)
    db.session.expire_all()
    assert businesses["link_owned"].accepted
    assert queries.links_of_person(cast.owned, accepted=True)[-1].business_id == (
        businesses["unlisted_de"].id
    )
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(BusinessPerson)
            .where(BusinessPerson.person_id == cast.unclaimed.id)
        )
        == 0
    )
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"business.link_accept", "business.link_decline"} <= actions


def test_the_data_download_lists_the_persons_business_links(cast, businesses):
    from directory.people.data_protection import export_person_data

    data = export_person_data(cast.owned, cast.owner)
    assert {(b["business_name"], b["role"]) for b in data["businesses"]} == {
        ("Phở Sài Gòn SARL", "owner"),
        ("Logistik Hansa Việt GmbH", "founder"),
    }
