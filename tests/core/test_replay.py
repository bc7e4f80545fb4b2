"""The two helpers the demo seed replays its history with: a moment for ``utcnow()`` and mail
that is not delivered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from directory.audit import AuditEvent, record
from directory.core.mail import send_mail, suppressed
from directory.core.models import as_of, utcnow


def test_as_of_dates_what_is_written_inside_it(db):
    moment = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
    with as_of(moment):
        assert utcnow() == moment
        event = record("test.replay", None, actor=None, details={})
        db.session.commit()
    assert event.at == moment
    assert db.session.get(AuditEvent, event.id).at == moment
    # Outside the block, the real time again.
    assert abs(utcnow() - datetime.now(UTC)) < timedelta(seconds=5)


def test_as_of_takes_a_naive_moment_as_utc_and_nests():
    outer = datetime(2025, 1, 1, 12, 0)
    with as_of(outer):
        assert utcnow() == outer.replace(tzinfo=UTC)
        with as_of(outer + timedelta(days=1)):
            assert utcnow() == outer.replace(tzinfo=UTC) + timedelta(days=1)
        assert utcnow() == outer.replace(tzinfo=UTC)


def test_suppressed_mail_is_not_delivered(app, mail_outbox):
    with suppressed():
        send_mail("someone@example.org", "accounts/email/verify_email", "vi", link="http://x/")
    assert mail_outbox() == []
    send_mail("someone@example.org", "accounts/email/verify_email", "vi", link="http://x/")
    assert len(mail_outbox()) == 1
