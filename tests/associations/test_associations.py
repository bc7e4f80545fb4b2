"""Associations: registration by missions and members, hometown province, members, pages."""

from datetime import date

import pytest
import sqlalchemy as sa
from werkzeug.exceptions import Forbidden

from directory.associations import services
from directory.associations.models import Association, Membership
from directory.audit import AuditEvent
from directory.core.errors import ValidationError
from directory.search.outbox import SearchOutbox
from tests.factories import AssociationFactory, MembershipFactory

HOMETOWN = {
    "name": "Hội đồng hương Quảng Nam tại Pháp",
    "kind": "hometown",
    "province": "Quảng Nam",
    "country": "Pháp",
    "city": "Paris",
    "founded_year": "1995",
    "fields": ["Du lịch"],
    "phone": "01 23 45 67 89",
    "website": "hoiquangnam.fr",
}


def outbox(db, entity_type):
    return [
        r.entity_id
        for r in db.session.scalars(
            sa.select(SearchOutbox).where(SearchOutbox.entity_type == entity_type)
        )
    ]


def test_an_embassy_registers_a_hometown_association(db, cast):
    a = services.create_association(HOMETOWN, cast.embassy)
    assert a.province_slug == "da-nang" and a.country == "FR"
    assert a.phone == "+33123456789" and a.website == "https://hoiquangnam.fr"
    assert a.founded_year == 1995 and a.fields == ["tourism"]
    assert a.provenance == "mission" and a.provenance_mission_id == cast.paris.id
    assert a.id in outbox(db, "association")
    assert (
        db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == "association.create")
        ).object_id
        == a.id
    )


def test_a_hometown_association_needs_its_province(db, cast):
    with pytest.raises(ValidationError) as info:
        services.create_association({**HOMETOWN, "province": ""}, cast.embassy)
    assert set(info.value.fields) == {"province"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Association)) == 0


def test_every_bad_field_is_reported_and_nothing_written(db, cast):
    with pytest.raises(ValidationError) as info:
        services.create_association(
            {
                "name": "",
                "kind": "club",
                "country": "Atlantis",
                "email": "x",
                "founded_year": "3000",
            },
            cast.embassy,
        )
    assert set(info.value.fields) == {"name", "kind", "country", "email", "founded_year"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Association)) == 0


def test_an_embassy_cannot_register_outside_its_countries(db, cast):
    with pytest.raises(Forbidden):
        services.create_association({**HOMETOWN, "country": "DE", "phone": ""}, cast.embassy)


def test_a_member_who_registers_an_association_becomes_its_president(db, cast):
    a = services.create_association(
        {"name": "Hội Trí thức Việt Nam tại Pháp", "kind": "professional", "country": "FR"},
        cast.owner,
    )
    [membership] = a.memberships
    assert membership.person_id == cast.owned.id and membership.role == "president"
    assert a.provenance == "self"
    # …and may then edit it and manage its members.
    services.update_association(a, {"city": "Lyon"}, cast.owner)
    assert a.city == "Lyon"


def test_province_officers_cannot_register_associations(db, cast):
    with pytest.raises(Forbidden):
        services.create_association(HOMETOWN, cast.officer)


def test_updates_are_audited_with_field_names(db, cast):
    a = AssociationFactory(country="FR")
    services.update_association(a, {"member_count": "120", "city": "Nice"}, cast.embassy)
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "association.update")
    )
    assert event.details == {"fields": ["city", "member_count"]}
    with pytest.raises(Forbidden):
        services.update_association(a, {"city": "Berlin"}, cast.other_embassy)


def test_changing_kind_to_hometown_needs_a_province(db, cast):
    a = AssociationFactory(kind="business", province_slug=None)
    with pytest.raises(ValidationError):
        services.update_association(a, {"kind": "hometown"}, cast.embassy)


def test_verification_by_the_covering_mission(db, cast):
    a = AssociationFactory(country="FR")
    with pytest.raises(Forbidden):
        services.verify_association(a, cast.other_embassy)
    services.verify_association(a, cast.embassy)
    assert a.verified and a.verified_by_mission_id == cast.paris.id


def test_memberships_are_added_and_ended_with_dates(db, cast):
    a = AssociationFactory(country="FR")
    m = services.add_membership(a, cast.owned, "secretary", date(2020, 1, 1), None, by=cast.embassy)
    assert m.role == "secretary" and m.start_date == date(2020, 1, 1)
    assert cast.owned.id in outbox(db, "person") and a.id in outbox(db, "association")
    services.end_membership(m, date(2024, 6, 30), by=cast.embassy)
    assert db.session.get(Membership, m.id).end_date == date(2024, 6, 30)
    with pytest.raises(ValidationError):
        services.end_membership(m, date(2019, 1, 1), by=cast.embassy)


def test_membership_input_is_validated(db, cast):
    a = AssociationFactory(country="FR")
    with pytest.raises(ValidationError) as info:
        services.add_membership(
            a, None, "emperor", date(2024, 1, 1), date(2023, 1, 1), by=cast.embassy
        )
    assert set(info.value.fields) == {"person", "role", "end_date"}


def test_a_member_cannot_link_a_person_they_may_not_see(db, cast):
    a = services.create_association(
        {"name": "Hội doanh nhân", "kind": "business", "country": "FR"}, cast.owner
    )
    with pytest.raises(ValidationError) as info:
        services.add_membership(a, cast.unclaimed, "member", by=cast.owner)
    assert "person" in info.value.fields


def test_other_members_cannot_manage_members(db, cast):
    a = AssociationFactory(country="FR")
    with pytest.raises(Forbidden):
        services.add_membership(a, cast.owned, "member", by=cast.member)


def test_association_to_dict_lists_only_members_the_viewer_may_see(db, cast):
    a = AssociationFactory(country="FR")
    MembershipFactory(association=a, person=cast.owned, role="president")
    MembershipFactory(association=a, person=cast.unclaimed, role="member")
    public = services.association_to_dict(a, None)
    assert [m["full_name"] for m in public["members"]] == ["Hoàng Minh Tuấn"]
    official = services.association_to_dict(a, cast.officer)
    assert {m["full_name"] for m in official["members"]} == {"Hoàng Minh Tuấn", "Lê Minh Đức"}
    assert public["kind"] == "hometown" and public["province"] == "da-nang"


# --- pages --------------------------------------------------------------------------------


def test_the_index_filters_by_kind_country_and_province(client, cast):
    AssociationFactory(name="Hội Đà Nẵng tại Pháp", country="FR", province_slug="da-nang")
    AssociationFactory(name="Hội Huế tại Đức", country="DE", province_slug="hue")
    AssociationFactory(name="Hội Doanh nghiệp Việt tại Pháp", kind="business", province_slug=None)
    html = client.get("/associations").get_data(as_text=True)
    assert "Hội Đà Nẵng tại Pháp" in html and "Hội Huế tại Đức" in html
    html = client.get("/associations?country=DE").get_data(as_text=True)
    assert "Hội Huế tại Đức" in html and "Hội Đà Nẵng tại Pháp" not in html
    html = client.get("/associations?province=Quảng Nam").get_data(as_text=True)
    assert "Hội Đà Nẵng tại Pháp" in html and "Hội Huế" not in html
    html = client.get("/associations?kind=business").get_data(as_text=True)
    assert "Hội Doanh nghiệp" in html and "Hội Đà Nẵng tại Pháp" not in html


def test_the_index_is_paginated(client, cast):
    for n in range(25):
        AssociationFactory(name=f"Hội số {n:02d}")
    first = client.get("/associations").get_data(as_text=True)
    second = client.get("/associations?page=2").get_data(as_text=True)
    assert "Hội số 00" in first and "Hội số 24" in second and 'rel="next"' in first


def test_the_detail_page_links_leaders_and_visible_members(client, cast):
    a = AssociationFactory(country="FR")
    MembershipFactory(
        association=a, person=cast.owned, role="president", start_date=date(2019, 5, 1)
    )
    MembershipFactory(association=a, person=cast.unclaimed, role="member")
    html = client.get(f"/associations/{a.id}").get_data(as_text=True)
    assert f"/people/{cast.owned.id}" in html and "Hoàng Minh Tuấn" in html
    assert "Lê Minh Đức" not in html  # not listed: hidden from the public


def test_unknown_association_is_404(client):
    assert client.get("/associations/0000000000000001").status_code == 404


def test_an_embassy_registers_an_association_through_the_form(client, cast, login, db):
    login(cast.embassy)
    html = client.get("/associations/new").get_data(as_text=True)
    assert 'value="FR"' in html and 'value="DE"' not in html
    assert 'selected value="FR"' in html or 'value="FR" selected' in html  # not Monaco
    response = client.post(
        "/associations/new",
        data={"name": "Hội Đà Nẵng", "kind": "hometown", "province": "", "country": "FR"},
    )
    assert response.status_code == 422
    assert "phải ghi rõ tỉnh, thành phố" in response.get_data(as_text=True)
    response = client.post(
        "/associations/new",
        data={"name": "Hội Đà Nẵng", "kind": "hometown", "province": "da-nang", "country": "FR"},
    )
    assert response.status_code == 302
    assert db.session.scalar(sa.select(Association.name)) == "Hội Đà Nẵng"


def test_members_are_managed_from_the_page(client, cast, login, db):
    a = AssociationFactory(country="FR")
    login(cast.embassy)
    response = client.post(
        f"/associations/{a.id}/members",
        data={
            "person": f"http://localhost/people/{cast.owned.id}",
            "role": "treasurer",
            "start_date": "2021-03-01",
        },
    )
    assert response.status_code == 302
    m = db.session.scalar(sa.select(Membership).where(Membership.association_id == a.id))
    assert m.role == "treasurer" and m.start_date == date(2021, 3, 1)
    response = client.post(
        f"/associations/{a.id}/members/{m.id}/end", data={"end_date": "2024-01-31"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Membership, m.id).end_date == date(2024, 1, 31)


def test_unknown_person_reference_is_a_form_error(client, cast, login):
    a = AssociationFactory(country="FR")
    login(cast.embassy)
    response = client.post(
        f"/associations/{a.id}/members", data={"person": "nobody", "role": "member"}
    )
    assert response.status_code == 422


def test_the_edit_page_is_refused_to_outsiders(client, cast, login):
    a = AssociationFactory(country="FR")
    for user in (cast.other_embassy, cast.member, cast.officer):
        login(user)
        assert client.get(f"/associations/{a.id}/edit").status_code == 403
    login(cast.embassy)
    assert client.get(f"/associations/{a.id}/edit").status_code == 200
