"""Terms end by themselves (``flask representatives expire``) and are announced 30 days ahead."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from directory.audit import AuditEvent
from directory.representatives import nominating, refusals, workflow
from directory.representatives.models import Nomination


def test_expire_ends_only_the_terms_that_are_over(cast, nomination_in, runner, trail):
    today = date.today()
    over = nomination_in("active", term_end=today - timedelta(days=1))
    last_day = nomination_in("active", term_end=today)
    running = nomination_in("active", term_end=today + timedelta(days=100))
    result = runner.invoke(args=["representatives", "expire"])
    assert result.exit_code == 0, result.output
    assert "1 appointment(s) expired" in result.output
    assert (over.state, last_day.state, running.state) == ("expired", "active", "active")
    assert over.ended_at is not None
    assert trail(over) == (["expire"], ["nomination.expire"])
    assert trail(last_day) == ([], [])


def test_expiry_is_recorded_without_an_actor_and_tells_both_sides(
    cast, nomination_in, runner, mail_outbox, db
):
    over = nomination_in("active", term_end=date.today() - timedelta(days=3))
    runner.invoke(args=["representatives", "expire"])
    event = over.events[-1]
    assert (event.action, event.actor_id, event.from_state) == ("expire", None, "active")
    audit = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "nomination.expire")
    ).one()
    assert audit.actor_id is None
    addresses = {m["To"] for m in mail_outbox()}
    assert {"dung@example.fr", "officer@danang.gov.vn"} <= addresses


def test_expire_accepts_a_date_and_ignores_other_states(cast, nomination_in, runner):
    revoked = nomination_in("revoked", term_end=date(2020, 1, 1))
    active = nomination_in("active", term_end=date(2030, 6, 30))
    result = runner.invoke(args=["representatives", "expire", "--today", "2030-07-01"])
    assert result.exit_code == 0, result.output
    assert (revoked.state, active.state) == ("revoked", "expired")


def test_a_term_not_over_cannot_be_expired(cast, nomination_in):
    running = nomination_in("active", term_end=date.today() + timedelta(days=1))
    try:
        workflow.expire(running)
    except refusals.WorkflowError as exc:
        assert exc.status == 409
    else:
        raise AssertionError("expired a running term")
    assert running.state == "active"


def test_reminders_go_once_to_the_representative_and_the_province(
    cast, nomination_in, runner, mail_outbox, db
):
    soon = nomination_in("active", term_end=date.today() + timedelta(days=30))
    later = nomination_in("active", term_end=date.today() + timedelta(days=31))
    result = runner.invoke(args=["representatives", "remind"])
    assert result.exit_code == 0, result.output
    assert "1 reminder(s) sent" in result.output
    addresses = sorted(m["To"] for m in mail_outbox())
    assert addresses == ["approver@danang.gov.vn", "dung@example.fr", "officer@danang.gov.vn"]
    assert all("Vùng" not in m["Subject"] for m in mail_outbox())
    db.session.expire_all()
    assert soon.reminder_sent_at is not None and later.reminder_sent_at is None

    again = runner.invoke(args=["representatives", "remind"])
    assert "0 reminder(s) sent" in again.output
    assert len(mail_outbox()) == 3
    reminded = db.session.scalars(
        sa.select(AuditEvent.object_id).where(AuditEvent.action == "nomination.remind")
    ).all()
    assert reminded == [soon.id]


def test_a_renewal_reuses_the_previous_data_after_expiry(cast, nomination_in, runner, db):
    old = nomination_in("active", term_end=date.today() - timedelta(days=1), region="")
    runner.invoke(args=["representatives", "expire"])
    renewal = nominating.create_nomination(
        {**nominating.renewal_data(old), "rationale": old.rationale}, cast["officer"]
    )
    assert renewal.previous_nomination_id == old.id
    assert db.session.scalar(sa.select(sa.func.count(Nomination.id))) == 2
