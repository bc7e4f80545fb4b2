"""The SMTP server down while notifications go out: every message is queued, retried by
``flask mail retry`` once the server is back, none lost and none sent twice."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from directory.core.mail_queue import QueuedMail
from directory.core.models import utcnow
from directory.extensions import db
from tests.factories import UserFactory

PEOPLE = 8


@pytest.fixture
def mail_app(make_app, smtp_sink):
    from tests.conftest import _reset_database

    app = make_app(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp_sink.port,
        MAIL_USE_TLS=False,
        MAIL_TIMEOUT=5,
    )
    with app.app_context():
        _reset_database(app)
        yield app
        db.session.remove()


def queued() -> list[QueuedMail]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(QueuedMail).order_by(QueuedMail.created_at)))


def time_passes(minutes: int) -> None:
    """Make the queued messages due as they would be ``minutes`` later."""
    for row in queued():
        row.next_attempt_at -= timedelta(minutes=minutes)
    db.session.commit()


def test_mail_sent_while_the_server_is_down_is_queued_then_sent_once(mail_app, smtp_sink):
    users = [UserFactory(email=f"member{i}@example.org") for i in range(PEOPLE)]
    db.session.commit()
    addresses = {user.email for user in users}
    client = mail_app.test_client()

    # The server is down (nothing listens on its port): each reset request still succeeds.
    for address in sorted(addresses):
        response = client.post("/reset", data={"email": address})
        assert response.status_code == 200
    rows = queued()
    assert len(rows) == PEOPLE
    assert all(row.attempts == 1 and row.last_error == "ConnectionRefusedError" for row in rows)
    assert all(row.next_attempt_at > utcnow() for row in rows)

    # A retry while it is still down: nothing due yet, then due and failing again (backed off).
    runner = mail_app.test_cli_runner()
    result = runner.invoke(args=["mail", "retry"])
    assert result.exit_code == 0, result.output
    assert smtp_sink.messages == [] and len(queued()) == PEOPLE
    time_passes(1)
    result = runner.invoke(args=["mail", "retry"])
    assert result.exit_code == 0, result.output
    rows = queued()
    assert len(rows) == PEOPLE and max(row.attempts for row in rows) == 2
    assert smtp_sink.messages == []

    # The server is back; two retry rounds run at the same time (two workers, or cron and
    # the worker): each message goes out exactly once.
    smtp_sink.up()
    time_passes(60)
    outcomes = []

    def retry():
        with mail_app.app_context():
            from directory.core.mail_queue import retry_due

            outcomes.append(retry_due())
            db.session.remove()

    threads = [threading.Thread(target=retry) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sum(outcome["sent"] for outcome in outcomes) == PEOPLE, outcomes
    assert queued() == []

    received = [(tuple(rcpt), msg) for rcpt, msg in smtp_sink.messages]
    assert len(received) == PEOPLE
    assert {rcpt for rcpt, _msg in received} == {(address,) for address in addresses}
    assert len({msg["Message-ID"] for _rcpt, msg in received}) == PEOPLE
    for (rcpt,), msg in received:
        assert msg["To"] == rcpt
        assert "/reset/" in msg.get_body(("plain",)).get_content()

    # Nothing left to send: another round sends nothing more.
    time_passes(120)
    result = runner.invoke(args=["mail", "retry"])
    assert result.exit_code == 0, result.output
    assert len(smtp_sink.messages) == PEOPLE


def test_the_server_dying_between_two_messages_loses_none(mail_app, smtp_sink):
    """Up for the first messages, then gone: the rest wait in the queue and go out later."""
    from directory.core.mail import send_mail

    smtp_sink.up()
    send_mail("first@example.org", "accounts/email/reset_password", "en", link="x", minutes=60)
    smtp_sink.down()
    for i in range(3):
        send_mail(
            f"later{i}@example.org", "accounts/email/reset_password", "vi", link="y", minutes=60
        )
    assert [rcpt for rcpt, _msg in smtp_sink.messages] == [["first@example.org"]]
    assert len(queued()) == 3

    smtp_sink.up()
    time_passes(1)
    result = mail_app.test_cli_runner().invoke(args=["mail", "retry"])
    assert result.exit_code == 0, result.output
    assert queued() == []
    assert sorted(rcpt[0] for rcpt, _msg in smtp_sink.messages) == [
        "first@example.org",
        "later0@example.org",
        "later1@example.org",
        "later2@example.org",
    ]
