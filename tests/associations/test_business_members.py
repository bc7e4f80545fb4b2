"""Businesses as members of business associations: who adds and removes them, who sees them
(the association's page and JSON, the business's page), the picker, the audit."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from directory.accounts.tokens import create_token
from directory.associations import business_members, services
from directory.associations.models import BusinessMember
from directory.audit import AuditEvent
from directory.core.errors import ValidationError
from tests.businesses.conftest import make_business

CLUB = {"name": "Hội Doanh nghiệp Việt Nam tại Pháp", "kind": "business", "country": "FR"}


@pytest.fixture
def club(cast):
    """A business association the member presides (they registered it)."""
    return services.create_association(CLUB, cast.member)


@pytest.fixture
def firms(cast):
    listed = make_business(name="Phở Sài Gòn SARL", consent_listed=True, cities=["Lyon"])
    unlisted = make_business(name="Logistik Hansa Việt GmbH", country="DE")
    return listed, unlisted


def _events(db, action):
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)).all()


def test_the_managers_add_and_remove_businesses_with_audit(db, cast, club, firms):
    listed, unlisted = firms
    embassy = cast.users["embassy"]
    member = business_members.add_business_member(club, listed, cast.member)
    assert member.business_id == listed.id and member.added_by_id == cast.member.id
    # The covering mission may add a business only officials see; the president may not.
    with pytest.raises(ValidationError) as refused:
        business_members.add_business_member(club, unlisted, cast.member)
    assert "business" in refused.value.fields
    business_members.add_business_member(club, unlisted, embassy)
    with pytest.raises(ValidationError):  # already there
        business_members.add_business_member(club, listed, embassy)
    (added, _second) = _events(db, "association.business_add")
    assert added.object_id == club.id and added.details == {"business_id": listed.id}
    # Someone who does not manage the members is refused, and nothing changes.
    from werkzeug.exceptions import Forbidden

    with pytest.raises(Forbidden):
        business_members.add_business_member(club, listed, cast.users["owner"])
    with pytest.raises(Forbidden):
        business_members.remove_business_member(club, listed.id, cast.users["other_embassy"])
    business_members.remove_business_member(club, listed.id, embassy)
    assert [m.business_id for m in club.business_members] == [unlisted.id]
    (removed,) = _events(db, "association.business_remove")
    assert removed.details == {"business_id": listed.id} and removed.actor_id == embassy.id


def test_only_business_associations_list_businesses(db, cast, firms):
    hometown = services.create_association(
        {"name": "Hội đồng hương Huế", "kind": "hometown", "country": "FR", "province": "hue"},
        cast.users["embassy"],
    )
    with pytest.raises(ValidationError):
        business_members.add_business_member(hometown, firms[0], cast.users["embassy"])
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BusinessMember)) == 0


def test_pages_and_json_show_the_businesses_the_viewer_may_see(
    client, login, db, cast, club, firms
):
    listed, unlisted = firms
    business_members.add_business_member(club, listed, cast.users["embassy"])
    business_members.add_business_member(club, unlisted, cast.users["embassy"])
    # The public sees the listed business only, on the association's page and in its JSON.
    page = client.get(f"/associations/{club.id}").get_data(as_text=True)
    assert "Phở Sài Gòn SARL" in page and "Logistik Hansa" not in page
    data = client.get(f"/api/v1/associations/{club.id}").get_json()
    assert [b["business_id"] for b in data["business_members"]] == [listed.id]
    # Officials see both.
    _token, raw = create_token(cast.users["officer"])
    db.session.commit()
    data = client.get(
        f"/api/v1/associations/{club.id}", headers={"Authorization": f"Bearer {raw}"}
    ).get_json()
    assert {b["name"] for b in data["business_members"]} == {listed.name, unlisted.name}
    # The business's page lists the associations it belongs to.
    page = client.get(f"/businesses/{listed.id}").get_data(as_text=True)
    assert 'id="business-associations"' in page and CLUB["name"] in page
    openapi = client.get("/api/v1/openapi.json").get_json()
    assert "business_members" in openapi["components"]["schemas"]["Association"]["properties"]


def test_the_business_picker_and_the_page_without_javascript(client, login, db, cast, club, firms):
    listed, unlisted = firms
    login(cast.member)
    found = client.get(f"/associations/{club.id}/businesses/candidates?q=pho sai").get_json()
    assert found["businesses"] == [
        {"id": listed.id, "name": listed.name, "city": "", "country_name": "Pháp"}
    ]
    # The president does not see the unlisted business; the covering mission does.
    assert (
        client.get(f"/associations/{club.id}/businesses/candidates?q=hansa").get_json()[
            "businesses"
        ]
        == []
    )
    page = client.get(f"/associations/{club.id}/businesses?q=sai gon").get_data(as_text=True)
    assert f'value="{listed.id}"' in page
    response = client.post(
        f"/associations/{club.id}/businesses", data={"business": listed.id, "since": "2020-05-01"}
    )
    assert response.status_code == 302
    (member,) = db.session.scalars(sa.select(BusinessMember)).all()
    assert member.business_id == listed.id and str(member.since) == "2020-05-01"
    refused = client.post(f"/associations/{club.id}/businesses", data={"business": unlisted.id})
    assert refused.status_code == 422
    login(cast.users["owner"])
    assert client.get(f"/associations/{club.id}/businesses").status_code == 403
    assert client.get(f"/associations/{club.id}/businesses/candidates?q=pho").status_code == 403
    login(cast.member)
    response = client.post(f"/associations/{club.id}/businesses/{listed.id}/remove")
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BusinessMember)) == 0
