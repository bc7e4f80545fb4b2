"""`flask initiatives remind-overdue`: the handlers of an initiative past its due date are told
once (inbox notice and email in their language, audited); the worker runs it every hour."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from directory.audit import AuditEvent
from directory.initiatives import services
from directory.initiatives.models import Initiative
from directory.initiatives.reminders import remind_overdue
from directory.notices.models import Notice


def _overdue(initiative_in, state, **fields):
    today = services.today()
    return initiative_in(state, due_on=today - timedelta(days=1), **fields)


def _notices(db, kind="initiative.overdue"):
    return {n.user_id for n in db.session.scalars(sa.select(Notice).where(Notice.kind == kind))}


def test_the_assignee_is_told_once(db, cast, initiative_in, mail_outbox, runner):
    late = _overdue(initiative_in, "under_review")  # assigned to the colleague
    initiative_in("under_review")  # not due yet
    initiative_in("answered", due_on=services.today() - timedelta(days=3))  # answered: done

    result = runner.invoke(args=["initiatives", "remind-overdue"])
    assert result.exit_code == 0, result.output
    assert f"reminded {late.id} da-nang" in result.output
    assert "1 overdue initiative(s) reminded" in result.output
    assert _notices(db) == {cast["colleague"].id}
    [message] = mail_outbox()
    assert message["To"] == cast["colleague"].email
    assert message["Subject"].startswith("Kiến nghị quá hạn")
    assert f"/initiatives/{late.id}" in message.get_content()
    audit = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "initiative.remind_overdue")
    ).one()
    assert audit.object_id == late.id and audit.details["recipients"] == 1

    # Once: a second run tells nobody again.
    result = runner.invoke(args=["initiatives", "remind-overdue"])
    assert "0 overdue initiative(s) reminded" in result.output
    assert len(mail_outbox()) == 1
    assert db.session.get(Initiative, late.id).overdue_reminded_at is not None


def test_unassigned_goes_to_every_officer_of_the_province(db, cast, initiative_in, mail_outbox):
    _overdue(initiative_in, "received")
    [done] = remind_overdue()
    assert _notices(db) == {cast["officer"].id, cast["colleague"].id, cast["approver"].id}
    assert {m["To"] for m in mail_outbox()} == {
        cast["officer"].email,
        cast["colleague"].email,
        cast["approver"].email,
    }
    assert done.state == "received"  # the reminder changes nothing else


def test_the_central_body_is_the_admin(db, cast, initiative_in):
    _overdue(initiative_in, "triaged", province_slug=None)
    remind_overdue()
    assert _notices(db) == {cast["admin"].id}


def test_the_notice_reads_in_english_too(app, db, cast, initiative_in):
    from flask_babel import force_locale

    from directory.notices.services import text_of

    _overdue(initiative_in, "received")
    remind_overdue()
    notice = db.session.scalars(sa.select(Notice).where(Notice.user_id == cast["officer"].id)).one()
    with force_locale("en"):
        assert "is overdue" in text_of(notice)
    with force_locale("vi"):
        assert "quá hạn" in text_of(notice)


def test_the_worker_runs_it(app):
    from directory.core.schedule import jobs

    assert {job.name: job.every for job in jobs(app)}["initiatives remind-overdue"] == 3600
