"""The needs services: validation, the status rules, interest and the shortlist, and their audit."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from directory.audit import AuditEvent
from directory.core.errors import ValidationError
from directory.extensions import db
from directory.needs import queries, services
from directory.needs.models import Need, NeedInterest, ShortlistEntry
from tests.factories import PersonFactory

VALID = {
    "title": "Chip design training partnership, 2027 roadmap",
    "type": "training",
    "fields": ["Bán dẫn", "education"],
    "countries": ["Pháp", "US"],
    "milestones": [
        {"title": "Second cohort", "due": "2027-09-01"},
        {"title": "First cohort", "due": "2027-01-15"},
    ],
    "deadline": (date.today() + timedelta(days=60)).isoformat(),
    "audience": "public",
}


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def test_an_officer_publishes_a_need_for_their_province_with_labels_and_names(team):
    need = services.create_need(dict(VALID), team.officer)
    assert need.province_slug == "da-nang"
    assert need.fields == ["semiconductors", "education-training"]
    assert need.countries == ["FR", "US"]
    assert [m["title"] for m in need.milestones] == ["First cohort", "Second cohort"]
    assert need.status == "open" and need.audience == "public"
    assert _actions() == ["need.create"]


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"fields": ["basket weaving"]}, "fields"),
        ({"fields": []}, "fields"),
        ({"countries": ["Atlantis"]}, "countries"),
        ({"type": "friendship"}, "type"),
        ({"title": "   "}, "title"),
        ({"deadline": (date.today() - timedelta(days=1)).isoformat()}, "deadline"),
        ({"deadline": "next spring"}, "deadline"),
        ({"milestones": [{"title": "No date"}]}, "milestones"),
        ({"audience": "everyone"}, "audience"),
        ({"status": "closed"}, "status"),
        ({"province": "hue"}, "province"),
        ({"province": "Atlantis"}, "province"),
        ({"interest_count": 5}, "interest_count"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input_names_the_key_and_writes_nothing(team, change, key):
    with pytest.raises(ValidationError) as caught:
        services.create_need({**VALID, **change}, team.officer)
    assert key in caught.value.fields
    db.session.rollback()
    assert _count(Need) == 0
    assert _actions() == []


def test_the_admin_chooses_the_province(team):
    with pytest.raises(ValidationError) as caught:
        services.create_need(dict(VALID), team.admin)
    assert "province" in caught.value.fields
    need = services.create_need({**VALID, "province": "Thừa Thiên Huế"}, team.admin)
    assert need.province_slug == "hue"


def test_members_and_embassies_do_not_publish(team):
    for user in (team.member, team.embassy):
        with pytest.raises(services.NeedError) as caught:
            services.create_need(dict(VALID), user)
        assert caught.value.status == 403
    assert _count(Need) == 0


def test_officers_edit_the_approver_closes_and_reopens(team, make_need):
    need = make_need()
    services.update_need(need, {"status": "in_progress", "title": "Chip design"}, team.officer)
    assert need.status == "in_progress" and need.title == "Chip design"

    with pytest.raises(services.NeedError) as caught:
        services.update_need(need, {"status": "closed"}, team.officer)
    assert caught.value.status == 403
    db.session.rollback()

    services.update_need(need, {"status": "closed"}, team.approver)
    assert need.status == "closed" and need.closed_at is not None
    with pytest.raises(services.NeedError) as caught:
        services.update_need(need, {"title": "Something else"}, team.officer)
    assert caught.value.status == 403
    db.session.rollback()
    with pytest.raises(services.NeedError) as caught:
        services.update_need(need, {"title": "Something else"}, team.approver)
    assert caught.value.status == 409
    db.session.rollback()

    services.update_need(need, {"status": "open"}, team.approver)
    assert need.status == "open" and need.closed_at is None
    assert _actions() == ["need.update", "need.close", "need.reopen"]


def test_another_province_edits_nothing(team, make_need):
    need = make_need()
    with pytest.raises(services.NeedError) as caught:
        services.update_need(need, {"title": "Ours now"}, team.hue)
    assert caught.value.status == 403
    db.session.rollback()
    assert db.session.get(Need, need.id).title.startswith("Chip design")


def test_a_past_deadline_may_stay_but_not_be_set(team, make_need):
    need = make_need(deadline=date.today() - timedelta(days=3))
    services.update_need(
        need, {"title": "Renamed", "deadline": need.deadline.isoformat()}, team.officer
    )
    with pytest.raises(ValidationError):
        services.update_need(
            need, {"deadline": (date.today() - timedelta(days=1)).isoformat()}, team.officer
        )


def test_a_province_stays_with_its_need(team, make_need):
    need = make_need()
    with pytest.raises(ValidationError) as caught:
        services.update_need(need, {"province": "hue"}, team.admin)
    assert "province" in caught.value.fields


def test_a_member_expresses_interest_once_and_the_province_hears_of_it(
    team, make_need, mail_outbox
):
    need = make_need()
    services.express_interest(need, team.member, "Tôi có thể giúp đào tạo.")
    messages = mail_outbox()
    assert sorted(m["To"] for m in messages) == ["approver@example.org", "danang@example.org"]
    by_to = {m["To"]: m for m in messages}
    assert "Interest in your need" in by_to["approver@example.org"]["Subject"]
    assert "Có người quan tâm" in by_to["danang@example.org"]["Subject"]
    body = by_to["danang@example.org"].get_content()
    assert "Lê Thị Thu Hà" in body and "Tôi có thể giúp đào tạo." in body
    assert f"/needs/{need.id}" in body

    with pytest.raises(services.NeedError) as caught:
        services.express_interest(need, team.member, "again")
    assert caught.value.status == 409
    db.session.rollback()
    assert _count(NeedInterest) == 1

    services.withdraw_interest(need, team.member)
    assert _count(NeedInterest) == 0
    with pytest.raises(services.NeedError) as caught:
        services.withdraw_interest(need, team.member)
    assert caught.value.status == 409
    assert _actions() == ["need.interest", "need.interest_withdraw"]


def test_interest_needs_a_member_with_a_profile_and_an_open_need(team, make_need):
    need = make_need()
    for user in (team.officer, team.bare_member, team.embassy):
        with pytest.raises(services.NeedError) as caught:
            services.express_interest(need, user, "")
        assert caught.value.status == 403
    closed = make_need(status="closed")
    with pytest.raises(services.NeedError) as caught:
        services.express_interest(closed, team.member, "")
    assert caught.value.status == 409
    with pytest.raises(ValidationError):
        services.express_interest(need, team.member, "x" * 2000)
    db.session.rollback()
    assert _count(NeedInterest) == 0


def test_the_shortlist_takes_consenting_people_with_a_note(team, make_need):
    need = make_need()
    person = PersonFactory(full_name="Võ Thành Nhân")
    entry, created = services.add_to_shortlist(need, person.id, "Gọi trước tháng 3", team.officer)
    assert created and entry.note == "Gọi trước tháng 3"
    entry, created = services.add_to_shortlist(need, person.id, "Đã gọi", team.approver)
    assert not created and entry.note == "Đã gọi"

    refused = PersonFactory(full_name="Trần Văn Tú", consent_contact=False)
    with pytest.raises(ValidationError) as caught:
        services.add_to_shortlist(need, refused.id, "", team.officer)
    assert "person_id" in caught.value.fields
    with pytest.raises(ValidationError):
        services.add_to_shortlist(need, "0" * 16, "", team.officer)
    with pytest.raises(services.NeedError) as caught:
        services.add_to_shortlist(need, person.id, "", team.hue)
    assert caught.value.status == 403
    db.session.rollback()

    services.remove_from_shortlist(need, person.id, team.officer)
    with pytest.raises(services.NeedError) as caught:
        services.remove_from_shortlist(need, person.id, team.officer)
    assert caught.value.status == 404
    assert _count(ShortlistEntry) == 0
    assert _actions() == ["need.shortlist_add", "need.shortlist_note", "need.shortlist_remove"]


def test_the_shortlist_export_is_audited(team, make_need):
    need = make_need()
    person = PersonFactory(full_name="Võ Thành Nhân", organization="STMicroelectronics")
    services.add_to_shortlist(need, person.id, "Ứng viên số một", team.officer)
    body = services.export_shortlist_csv(need, team.approver, "vi")
    text = body.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Tên,Quốc gia")
    assert "Võ Thành Nhân,Pháp" in text and "Ứng viên số một" in text
    assert "STMicroelectronics" in text
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "need.shortlist_export")
    ).one()
    assert event.actor_id == team.approver.id and event.details == {"rows": 1}
    with pytest.raises(services.NeedError):
        services.export_shortlist_csv(need, team.hue, "vi")


def test_the_needs_list_filters_and_hides_officials_needs(team, make_need):
    public = make_need()
    internal = make_need(audience="officials", fields=["logistics"], countries=["DE"])
    other = make_need(province_slug="hue", type="investment", countries=["JP"])

    def ids(user, **filters):
        return {n.id for n in db.session.scalars(queries.needs_query(user, filters))}

    assert ids(None) == {public.id, other.id}
    assert ids(team.member) == {public.id, other.id}
    assert ids(team.officer) == {public.id, internal.id, other.id}
    assert ids(team.hue) == {public.id, other.id}
    assert ids(team.embassy) == {public.id, internal.id, other.id}
    assert ids(team.admin, field="logistics") == {internal.id}
    assert ids(None, country="JP") == {other.id}
    assert ids(None, province="da-nang") == {public.id}
    assert ids(None, type="investment") == {other.id}
    assert ids(None, status="closed") == set()
