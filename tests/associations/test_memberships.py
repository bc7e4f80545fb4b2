"""Memberships are proposed, and shown only once the person (or registering mission) accepts."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from werkzeug.exceptions import Forbidden

from directory.associations import services
from directory.associations.models import Membership
from directory.audit import AuditEvent
from directory.core.errors import ValidationError
from directory.people import data_protection
from tests.factories import AssociationFactory, MembershipFactory, PersonFactory, UserFactory

BUSINESS = {"name": "Hội Doanh nhân trẻ tại Pháp", "kind": "business", "country": "FR"}


def actions(db) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent.action)
            .where(AuditEvent.action.like("association.member_%"))
            .order_by(AuditEvent.id)
        )
    )


@pytest.fixture
def club(cast):
    """An association another member registered (and so presides)."""
    return services.create_association(BUSINESS, cast.member)


# --- a member's association cannot list anyone without their agreement -------------------------


def test_a_membership_is_not_shown_anywhere_until_the_person_accepts(client, db, cast, club):
    m = services.add_membership(club, cast.owned, "vice_president", by=cast.member)
    profile = client.get(f"/people/{cast.owned.id}").get_data(as_text=True)
    assert club.name not in profile
    listing = client.get(f"/associations/{club.id}").get_data(as_text=True)
    assert "Hoàng Minh Tuấn" not in listing
    api = client.get(f"/api/v1/associations/{club.id}").get_json()
    assert cast.owned.id not in {x["person_id"] for x in api["members"]}
    assert "proposals" not in api  # only for those who manage the members
    assert m.status == "proposed" and m.decided_at is None

    services.accept_membership(m, cast.owner)

    assert (m.status, m.decided_by_id) == ("accepted", cast.owner.id)
    assert club.name in client.get(f"/people/{cast.owned.id}").get_data(as_text=True)
    api = client.get(f"/api/v1/associations/{club.id}").get_json()
    [listed] = [x for x in api["members"] if x["person_id"] == cast.owned.id]
    assert (listed["role"], listed["status"]) == ("vice_president", "accepted")
    assert actions(db) == ["association.member_propose", "association.member_accept"]


def test_a_declined_membership_stays_hidden_and_cannot_be_proposed_again(client, db, cast, club):
    m = services.add_membership(club, cast.owned, "member", by=cast.member)
    services.decline_membership(m, cast.owner)
    assert m.status == "declined"
    assert club.name not in client.get(f"/people/{cast.owned.id}").get_data(as_text=True)
    with pytest.raises(ValidationError) as info:
        services.add_membership(club, cast.owned, "member", by=cast.member)
    assert "person" in info.value.fields
    with pytest.raises(ValidationError):
        services.accept_membership(m, cast.owner)  # already answered
    assert actions(db) == ["association.member_propose", "association.member_decline"]


def test_a_proposed_leader_gains_no_rights_over_the_association(db, cast, club):
    m = services.add_membership(club, cast.owned, "president", by=cast.member)
    with pytest.raises(Forbidden):
        services.update_association(club, {"city": "Lyon"}, cast.owner)
    services.accept_membership(m, cast.owner)
    services.update_association(club, {"city": "Lyon"}, cast.owner)
    assert club.city == "Lyon"


def test_only_the_person_answers_for_a_claimed_profile(db, cast, club):
    m = services.add_membership(club, cast.owned, "member", by=cast.member)
    for someone in (cast.member, cast.embassy, cast.admin, cast.officer):
        with pytest.raises(Forbidden):
            services.accept_membership(m, someone)
    assert m.status == "proposed"


def test_for_an_unclaimed_profile_the_registering_mission_answers(db, cast):
    association = AssociationFactory(country="FR")
    m = services.add_membership(association, cast.unclaimed, "member", by=cast.embassy)
    assert m.status == "proposed"  # an official's proposal is still a proposal
    other_mission = UserFactory(embassy=True)  # covers France too, but did not register it
    for someone in (other_mission, cast.other_embassy, cast.admin):
        with pytest.raises(Forbidden):
            services.accept_membership(m, someone)
    colleague = UserFactory(role="embassy", mission=cast.paris)
    assert [p.id for p in services.pending_proposals(colleague)] == [m.id]
    services.accept_membership(m, colleague)
    assert m.status == "accepted" and m.decided_by_id == colleague.id
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "association.member_accept")
    )
    assert event.details["on_behalf"] is True and event.details["person_id"] == cast.unclaimed.id


def test_a_member_adding_themself_is_accepted_at_once(db, cast, club):
    [president] = club.memberships
    assert (president.status, president.decided_by_id) == ("accepted", cast.member.id)
    m = services.add_membership(club, cast.member_person, "treasurer", by=cast.member)
    assert m.status == "accepted" and m.decided_at is not None
    assert actions(db) == ["association.member_add"]


def test_the_person_is_emailed_about_a_proposal_in_their_language(db, cast, club, mail_outbox):
    cast.owner.locale = "en"
    db.session.commit()
    services.add_membership(club, cast.owned, "secretary", by=cast.member)
    [message] = mail_outbox()
    assert message["To"] == cast.owner.email
    assert message["Subject"] == f"{club.name} proposes you as a member"
    body = message.get_body(("plain",)).get_content()
    assert "Secretary" in body and "/memberships/proposals" in body
    assert "Nothing is shown on your profile until you accept" in body


def test_the_proposal_email_is_in_vietnamese_by_default(db, cast, club, mail_outbox):
    services.add_membership(club, cast.owned, "member", by=cast.member)
    [message] = mail_outbox()
    assert "đề nghị" in message["Subject"]


def test_no_email_goes_to_a_person_without_an_account(db, cast, mail_outbox):
    association = AssociationFactory(country="FR")
    services.add_membership(association, cast.unclaimed, "member", by=cast.embassy)
    assert mail_outbox() == []


def test_the_data_download_lists_memberships_with_their_status(db, cast, club):
    services.add_membership(club, cast.owned, "member", by=cast.member)
    data = data_protection.export_person_data(cast.owned, by=cast.owner)
    assert [(m["association_name"], m["status"]) for m in data["memberships"]] == [
        (club.name, "proposed")
    ]


def test_the_association_export_lists_accepted_members_only(client, login, db, cast):
    association = AssociationFactory(country="FR")
    MembershipFactory(association=association, person=cast.owned, role="president")
    MembershipFactory(association=association, person=cast.member_person, status="proposed")
    login(cast.embassy)
    body = client.get(f"/imports/exports/associations/{association.id}.csv").get_data(as_text=True)
    assert "Hoàng Minh Tuấn" in body and "Trần Thị Hương" not in body


# --- pages ----------------------------------------------------------------------------------


def test_the_member_answers_from_their_profile_page(client, login, db, cast, club):
    m = services.add_membership(club, cast.owned, "board", by=cast.member)
    login(cast.owner)
    html = client.get("/people/me").get_data(as_text=True)
    assert club.name in html and f"/memberships/{m.id}/accept" in html
    assert '<span class="badge"' in html  # the navigation badge
    # Their public page does not offer the answer meant for a registering mission.
    public = client.get(f"/people/{cast.owned.id}").get_data(as_text=True)
    assert f"/memberships/{m.id}/accept" not in public
    response = client.post(f"/memberships/{m.id}/accept", data={"next": "mine"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/people/me")
    db.session.expire_all()
    assert db.session.get(Membership, m.id).status == "accepted"
    html = client.get("/people/me").get_data(as_text=True)
    assert f"/memberships/{m.id}/accept" not in html and club.name in html


def test_the_registering_mission_answers_from_the_profile_page(client, login, db, cast):
    association = AssociationFactory(country="FR", name="Hội Trí thức trẻ")
    m = services.add_membership(association, cast.unclaimed, "member", by=cast.admin)
    login(cast.embassy)
    html = client.get(f"/people/{cast.unclaimed.id}").get_data(as_text=True)
    assert f"/memberships/{m.id}/decline" in html
    proposals = client.get("/memberships/proposals").get_data(as_text=True)
    assert "Hội Trí thức trẻ" in proposals and cast.unclaimed.full_name in proposals
    response = client.post(f"/memberships/{m.id}/decline", data={"next": "person"})
    assert response.headers["Location"].endswith(f"/people/{cast.unclaimed.id}")
    db.session.expire_all()
    assert db.session.get(Membership, m.id).status == "declined"


def test_others_cannot_answer_a_proposal_from_the_pages(client, login, db, cast, club):
    m = services.add_membership(club, cast.owned, "member", by=cast.member)
    for someone in (cast.member, cast.embassy, cast.admin):
        login(someone)
        assert client.post(f"/memberships/{m.id}/accept").status_code == 404
        assert m.id not in client.get("/memberships/proposals").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Membership, m.id).status == "proposed"


def test_the_members_page_shows_proposals_with_their_status(client, login, db, cast, club):
    login(cast.member)
    response = client.post(
        f"/associations/{club.id}/members",
        data={"person": f"http://localhost/people/{cast.owned.id}", "role": "member"},
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "Chờ trả lời" in html  # "waiting for an answer"
    assert "sẽ được hiển thị khi người đó đồng ý" in html


# --- the API --------------------------------------------------------------------------------


@pytest.fixture
def bearer(db):
    from directory.accounts.tokens import create_token

    def make(user) -> dict:
        _token, raw = create_token(user)
        db.session.commit()
        return {"Authorization": f"Bearer {raw}"}

    return make


def test_the_api_lists_and_answers_proposals(client, db, cast, club, bearer):
    m = services.add_membership(club, cast.owned, "member", by=cast.member)
    headers = bearer(cast.owner)
    waiting = client.get("/api/v1/memberships", headers=headers).get_json()
    assert [(x["id"], x["status"], x["association_name"]) for x in waiting["items"]] == [
        (m.id, "proposed", club.name)
    ]
    manager = client.get(f"/api/v1/associations/{club.id}", headers=bearer(cast.member))
    assert [x["status"] for x in manager.get_json()["proposals"]] == ["proposed"]

    response = client.post(f"/api/v1/memberships/{m.id}/accept", headers=headers)

    assert response.status_code == 200 and response.get_json()["status"] == "accepted"
    again = client.post(f"/api/v1/memberships/{m.id}/decline", headers=headers)
    assert again.status_code == 422
    accepted = client.get("/api/v1/memberships?status=accepted", headers=headers).get_json()
    assert accepted["total"] == 1


def test_the_api_hides_proposals_from_others(client, db, cast, club, bearer):
    m = services.add_membership(club, cast.owned, "member", by=cast.member)
    for someone in (cast.member, cast.embassy):
        headers = bearer(someone)
        assert client.post(f"/api/v1/memberships/{m.id}/accept", headers=headers).status_code == 404
        assert client.get("/api/v1/memberships", headers=headers).get_json()["total"] == 0
    assert client.get("/api/v1/memberships").status_code == 401
    bad = client.get("/api/v1/memberships?status=maybe", headers=bearer(cast.owner))
    assert bad.status_code == 400


def test_the_seeded_factory_membership_is_accepted_and_a_new_one_is_proposed(db, cast):
    assert MembershipFactory(person=PersonFactory()).status == "accepted"
    assert Membership(person_id=cast.owned.id, association_id="x").status in (None, "proposed")


def test_the_proposals_query_agrees_with_the_decide_rule(db, cast):
    from directory import policy

    association = AssociationFactory(country="FR")
    proposals = [
        MembershipFactory(association=association, person=person, status="proposed")
        for person in (cast.owned, cast.member_person, cast.unclaimed, cast.in_germany)
    ]
    users = [*(u for u in cast.users.values() if u is not None)]
    users.append(UserFactory(role="embassy", mission=cast.paris))
    for user in users:
        listed = {m.id for m in services.pending_proposals(user)}
        allowed = {m.id for m in proposals if policy.can(user, "membership.decide", m)}
        assert listed == allowed, user
