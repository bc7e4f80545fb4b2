"""The workflow's rules: who nominates, consent, verification, reasons, terms, one seat holder."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from directory.audit import AuditEvent
from directory.core.errors import ValidationError
from directory.representatives import nominating, refusals, workflow
from directory.representatives.models import Nomination
from tests.factories import PersonFactory


def _data(cast, **overrides):
    data = {
        "person_id": cast.nominee_person.id,
        "country": "FR",
        "rationale": "Chuyên gia vi mạch, nhiều năm kết nối doanh nghiệp Pháp với Đà Nẵng.",
    }
    data.update(overrides)
    return data


def _count(db) -> int:
    return db.session.scalar(sa.select(sa.func.count(Nomination.id)))


# --- creation ---------------------------------------------------------------------------------


def test_a_province_officer_creates_a_draft_for_their_province(cast, db, trail):
    nomination = nominating.create_nomination(
        _data(cast, region="  Île-de-France "), cast["officer"]
    )
    assert nomination.state == "draft"
    assert nomination.province_slug == "da-nang"
    assert nomination.region == "Île-de-France"
    assert nomination.created_by_id == cast["officer"].id
    assert nomination.term_start is None and nomination.term_end is None
    assert trail(nomination) == (["create"], ["nomination.create"])


def test_creation_accepts_names_for_province_and_country(cast):
    nomination = nominating.create_nomination(
        _data(cast, province="Đà Nẵng", country="Pháp"), cast["approver"]
    )
    assert (nomination.province_slug, nomination.country) == ("da-nang", "FR")


def test_an_officer_cannot_nominate_for_another_province(cast, db):
    with pytest.raises(refusals.WorkflowError) as refused:
        nominating.create_nomination(_data(cast, province="ha-noi"), cast["officer"])
    assert refused.value.status == 403
    assert _count(db) == 0


@pytest.mark.parametrize("role", ["embassy", "nominee", "member", "admin", "anonymous"])
def test_only_province_officers_nominate(role, cast, db):
    with pytest.raises(refusals.WorkflowError) as refused:
        nominating.create_nomination(_data(cast), cast[role])
    assert refused.value.status == 403
    assert _count(db) == 0


def test_a_person_who_refused_contact_cannot_be_nominated(cast, db):
    shy = PersonFactory(consent_contact=False)
    with pytest.raises(ValidationError) as refused:
        nominating.create_nomination(_data(cast, person_id=shy.id), cast["officer"])
    assert "person_id" in refused.value.fields
    assert _count(db) == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"person_id": None}, "person_id"),
        ({"person_id": "doesnotexist"}, "person_id"),
        ({"country": ""}, "country"),
        ({"country": "Atlantis"}, "country"),
        ({"rationale": "   "}, "rationale"),
        ({"rationale": "x" * 5001}, "rationale"),
        ({"region": ["Paris"]}, "region"),
        ({"term_start": "31/12/2026"}, "term_start"),
        ({"term_start": "2027-01-01", "term_end": "2026-01-01"}, "term_end"),
        ({"province": "Atlantis"}, "province"),
    ],
)
def test_bad_input_is_refused_field_by_field_and_nothing_is_written(cast, db, overrides, field):
    with pytest.raises(ValidationError) as refused:
        nominating.create_nomination(_data(cast, **overrides), cast["officer"])
    assert field in refused.value.fields
    assert _count(db) == 0


def test_a_second_open_nomination_of_the_same_person_for_the_same_seat_is_refused(cast, db):
    nominating.create_nomination(_data(cast), cast["officer"])
    with pytest.raises(refusals.WorkflowError) as refused:
        nominating.create_nomination(_data(cast), cast["officer"])
    assert refused.value.status == 409
    assert _count(db) == 1


def test_a_renewal_points_to_the_previous_nomination(cast, nomination_in):
    previous = nomination_in("expired")
    renewal = nominating.create_nomination(
        {**nominating.renewal_data(previous), "rationale": "Gia hạn nhiệm kỳ."}, cast["officer"]
    )
    assert renewal.previous_nomination_id == previous.id
    assert (renewal.country, renewal.region) == (previous.country, previous.region)


# --- step rules -------------------------------------------------------------------------------


def test_the_mission_cannot_endorse_an_unverified_profile(cast, nomination_in, trail):
    unverified = PersonFactory(verified_at=None)
    nomination = nomination_in("embassy_review", person_id=unverified.id)
    with pytest.raises(refusals.WorkflowError) as refused:
        workflow.endorse(nomination, cast["embassy"], "Uy tín tốt.")
    assert (refused.value.status, refused.value.code) == (409, "not_verified")
    assert nomination.state == "embassy_review"
    assert trail(nomination) == ([], [])


@pytest.mark.parametrize(
    ("state", "action", "role"),
    [("embassy_review", "object", "embassy"), ("active", "revoke", "officer")],
)
def test_objecting_and_revoking_need_a_reason(state, action, role, cast, nomination_in, trail):
    nomination = nomination_in(state)
    with pytest.raises(ValidationError) as refused:
        workflow.take_action(nomination, action, cast[role], "   ")
    assert "comment" in refused.value.fields
    assert nomination.state == state
    assert trail(nomination) == ([], [])


def test_every_step_records_actor_time_and_comment(cast, nomination_in):
    nomination = nomination_in("embassy_review")
    workflow.endorse(nomination, cast["embassy"], "Được cộng đồng tại Paris tín nhiệm.")
    event = nomination.events[-1]
    assert (event.action, event.actor_id, event.from_state, event.to_state) == (
        "endorse",
        cast["embassy"].id,
        "embassy_review",
        "awaiting_consent",
    )
    assert event.comment == "Được cộng đồng tại Paris tín nhiệm."
    assert event.at is not None
    assert nomination.consent_requested_at is not None


def test_audit_details_carry_ids_only(cast, nomination_in, db):
    nomination = nomination_in("draft")
    workflow.submit(nomination, cast["officer"], "Đề nghị xem xét")
    audit = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "nomination.submit")
    ).one()
    assert audit.actor_id == cast["officer"].id
    assert audit.object_type == "nominations" and audit.object_id == nomination.id
    assert set(audit.details) == {"from", "to", "person_id", "province", "country"}
    assert "Đề nghị" not in str(audit.details)


def test_a_nomination_cannot_go_to_a_country_no_mission_covers(cast, nomination_in, trail):
    nomination = nomination_in("draft", country="NZ")
    with pytest.raises(refusals.WorkflowError) as refused:
        workflow.submit(nomination, cast["officer"])
    assert (refused.value.status, refused.value.code) == (409, "no_mission")
    assert nomination.state == "draft"
    assert trail(nomination) == ([], [])


# --- approval and the term --------------------------------------------------------------------


def test_approval_starts_a_three_year_term_today_by_default(cast, nomination_in):
    nomination = nomination_in("awaiting_approval")
    workflow.approve(nomination, cast["approver"])
    today = workflow.today()
    assert nomination.state == "active"
    assert nomination.term_start == today
    assert nomination.term_end == today.replace(year=today.year + 3)
    assert nomination.decided_at is not None


def test_approval_keeps_the_proposed_term_or_takes_the_approvers(cast, nomination_in):
    proposed = nomination_in(
        "awaiting_approval", term_start=date(2026, 9, 1), term_end=date(2028, 8, 31)
    )
    workflow.approve(proposed, cast["approver"])
    assert (proposed.term_start, proposed.term_end) == (date(2026, 9, 1), date(2028, 8, 31))

    chosen = nomination_in("awaiting_approval")
    start = workflow.today() + timedelta(days=10)
    workflow.approve(chosen, cast["approver"], "", term_start=start.isoformat())
    assert chosen.term_start == start
    assert chosen.term_end == start.replace(year=start.year + 3)


def test_approval_refuses_a_term_already_over(cast, nomination_in, trail):
    nomination = nomination_in("awaiting_approval")
    with pytest.raises(ValidationError):
        workflow.approve(nomination, cast["approver"], "", "2020-01-01", "2021-01-01")
    assert nomination.state == "awaiting_approval"
    assert trail(nomination) == ([], [])


def test_a_second_representative_for_the_same_seat_is_refused_while_the_first_is_active(
    cast, nomination_in, trail
):
    first = nomination_in("awaiting_approval", region="")
    second = nomination_in("awaiting_approval", region="")
    workflow.approve(first, cast["approver"])
    with pytest.raises(refusals.WorkflowError) as refused:
        workflow.approve(second, cast["approver"])
    assert (refused.value.status, refused.value.code) == (409, "seat_taken")
    assert second.state == "awaiting_approval"
    assert trail(second) == ([], [])

    workflow.revoke(first, cast["officer"], "Chuyển công tác.")
    workflow.approve(second, cast["approver"])
    assert second.state == "active"


def test_other_regions_and_countries_are_other_seats(cast, nomination_in, db):
    for fields in ({"region": ""}, {"region": "Lyon"}, {"country": "DE", "region": ""}):
        workflow.approve(nomination_in("awaiting_approval", **fields), cast["approver"])
    active = db.session.scalars(sa.select(Nomination).where(Nomination.state == "active")).all()
    assert len(active) == 3


def test_the_database_itself_refuses_two_active_representatives_for_one_seat(cast, db):
    for _ in range(2):
        db.session.add(
            Nomination(
                province_slug="da-nang",
                person_id=cast.nominee_person.id,
                country="FR",
                region="",
                rationale="…",
                state="active",
            )
        )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_a_stale_approval_is_refused_when_the_unique_index_fires(
    cast, nomination_in, db, monkeypatch
):
    """Even if the seat lock were skipped, the index turns the race into a clear 409."""
    first = nomination_in("awaiting_approval", region="")
    second = nomination_in("awaiting_approval", region="")
    workflow.approve(first, cast["approver"])
    real_lock = workflow._lock_seat

    def lock_without_seeing_the_winner(nomination):
        rows = real_lock(nomination)
        return [n for n in rows if n.id == nomination.id]

    monkeypatch.setattr(workflow, "_lock_seat", lock_without_seeing_the_winner)
    with pytest.raises(refusals.WorkflowError) as refused:
        workflow.approve(second, cast["approver"])
    assert refused.value.code == "seat_taken"
    db.session.expire_all()
    assert second.state == "awaiting_approval"
