"""Mail the SMTP server does not take is queued in the database and retried by the worker:
none lost, none sent twice, given up after MAIL_MAX_ATTEMPTS."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from directory.core import mail as mail_module
from directory.core.mail import send_mail
from directory.core.mail_queue import QueuedMail, retry_due
from directory.core.models import utcnow
from directory.extensions import db


class FakeSMTP:
    """Stands in for smtplib.SMTP: records what it is given."""

    sent: list = []

    def __init__(self, host, port, timeout):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self):
        pass

    def login(self, user, password):
        pass

    def send_message(self, msg):
        FakeSMTP.sent.append(msg)


@pytest.fixture
def smtp_down(app):
    # Nothing listens on port 1: the connection is refused, as with a mail server down.
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1, MAIL_TIMEOUT=2)
    return app


@pytest.fixture
def smtp_up(monkeypatch):
    FakeSMTP.sent = []
    monkeypatch.setattr(mail_module.smtplib, "SMTP", FakeSMTP)
    return FakeSMTP.sent


def _send(n=1):
    for i in range(n):
        send_mail(f"person{i}@example.org", "accounts/email/verify_email", "vi", link="http://x/")


def _make_due():
    db.session.execute(
        sa.update(QueuedMail).values(next_attempt_at=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()


def test_a_message_the_server_refuses_is_queued_not_lost(smtp_down, runner):
    _send(2)  # no exception reaches the caller
    rows = db.session.scalars(sa.select(QueuedMail)).all()
    assert len(rows) == 2
    assert all(r.attempts == 1 and r.next_attempt_at > utcnow() for r in rows)
    assert rows[0].last_error == "ConnectionRefusedError"
    # Not due yet: nothing is tried.
    result = runner.invoke(args=["mail", "retry"])
    assert result.exit_code == 0, result.output
    assert "0 sent, 0 failed again, 0 given up, 2 still queued" in result.output


def test_the_worker_sends_queued_mail_once_the_server_is_back(
    smtp_down, smtp_up, runner, monkeypatch
):
    monkeypatch.setattr(mail_module.smtplib, "SMTP", _refusing)
    _send(3)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(QueuedMail)) == 3
    monkeypatch.setattr(mail_module.smtplib, "SMTP", FakeSMTP)
    _make_due()
    result = runner.invoke(args=["mail", "retry"])
    assert "3 sent, 0 failed again, 0 given up, 0 still queued" in result.output
    assert sorted(m["To"] for m in smtp_up) == [f"person{i}@example.org" for i in range(3)]
    assert len({m["Message-ID"] for m in smtp_up}) == 3
    # Sent once: the queue is empty and another round sends nothing.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(QueuedMail)) == 0
    _make_due()
    runner.invoke(args=["mail", "retry"])
    assert len(smtp_up) == 3


def _refusing(*args, **kwargs):
    raise ConnectionRefusedError(111, "Connection refused")


def test_retries_back_off_then_give_up(app, smtp_down):
    app.config["MAIL_MAX_ATTEMPTS"] = 3
    _send(1)
    _make_due()
    assert retry_due() == {"sent": 0, "failed": 1, "gave_up": 0, "queued": 1}
    row = db.session.scalars(sa.select(QueuedMail)).one()
    db.session.refresh(row)
    assert row.attempts == 2
    assert row.next_attempt_at - utcnow() > timedelta(seconds=100)  # two minutes on
    _make_due()
    assert retry_due() == {"sent": 0, "failed": 0, "gave_up": 1, "queued": 0}
    db.session.refresh(row)
    assert row.gave_up_at is not None
    _make_due()
    assert retry_due()["gave_up"] == 0  # never tried again


def test_a_row_being_sent_by_another_worker_is_not_sent_again(app, smtp_down, smtp_up, monkeypatch):
    monkeypatch.setattr(mail_module.smtplib, "SMTP", _refusing)
    _send(1)
    monkeypatch.setattr(mail_module.smtplib, "SMTP", FakeSMTP)
    _make_due()
    from directory.core import mail_queue

    real_claim = mail_queue._claim

    def claim_after_another(session, row, now):
        # Another worker claims the row first (between our read and our claim).
        assert real_claim(session, row, now)
        return real_claim(session, row, now)

    monkeypatch.setattr(mail_queue, "_claim", claim_after_another)
    assert retry_due()["sent"] == 0
    assert smtp_up == []


def test_the_worker_runs_the_mail_retry_every_minute(app):
    from directory.core.schedule import jobs

    names = {job.name: job.every for job in jobs(app)}
    assert names["mail retry"] == 60
    assert {"contact-requests expire", "representatives expire", "representatives remind"} <= set(
        names
    )


def test_a_server_down_costs_one_attempt_per_round_not_one_per_message(app, smtp_down):
    _send(3)
    _make_due()
    assert retry_due() == {"sent": 0, "failed": 1, "gave_up": 0, "queued": 3}
    attempts = sorted(db.session.scalars(sa.select(QueuedMail.attempts)))
    assert attempts == [1, 1, 2]  # the other two wait for the next round, still due


def test_a_message_refused_alone_does_not_stop_the_others(app, smtp_up, monkeypatch):
    import smtplib

    app.config.update(MAIL_SERVER="smtp.example.org")
    calls = []

    class PickySMTP(FakeSMTP):
        def send_message(self, msg):
            calls.append(msg["To"])
            if msg["To"] == "person0@example.org":
                raise smtplib.SMTPRecipientsRefused({msg["To"]: (450, b"mailbox busy")})
            FakeSMTP.sent.append(msg)

    monkeypatch.setattr(mail_module.smtplib, "SMTP", _refusing)
    _send(3)
    monkeypatch.setattr(mail_module.smtplib, "SMTP", PickySMTP)
    _make_due()
    assert retry_due() == {"sent": 2, "failed": 1, "gave_up": 0, "queued": 1}
    assert len(calls) == 3
