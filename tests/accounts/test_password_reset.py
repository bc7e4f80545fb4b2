"""Password reset by email: no enumeration, single-use, expiring."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from directory.accounts.models import EmailToken
from directory.accounts.passwords import verify_password
from directory.audit import AuditEvent
from directory.core.models import utcnow
from tests.accounts.conftest import link_in, sign_in

NEW = "a brand new password"


def test_reset_flow_sets_a_new_password_and_uses_the_link_up(client, db, member, mail_outbox):
    response = client.post("/reset", data={"email": member.email})
    assert response.status_code == 200
    path = link_in(mail_outbox()[0], "reset")
    assert client.get(path).status_code == 200

    response = client.post(path, data={"password": NEW, "confirm": NEW})
    assert response.status_code == 302
    db.session.refresh(member)
    assert verify_password(member.password_hash, NEW)
    assert sign_in(client, member.email, NEW).status_code == 302

    assert client.get(path).status_code == 410
    assert db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "user.password_reset")
    )


def test_reset_for_an_unknown_email_looks_the_same_and_sends_nothing(client, mail_outbox):
    response = client.post("/reset", data={"email": "nobody@example.org"})
    assert response.status_code == 200
    assert mail_outbox() == []


def test_expired_reset_link_is_refused(client, db, member, mail_outbox):
    client.post("/reset", data={"email": member.email})
    path = link_in(mail_outbox()[0], "reset")
    token = db.session.scalar(sa.select(EmailToken).where(EmailToken.purpose == "reset_password"))
    token.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = client.post(path, data={"password": NEW, "confirm": NEW})
    assert response.status_code == 410
    db.session.refresh(member)
    assert not verify_password(member.password_hash, NEW)


def test_reset_link_lifetime_follows_the_configuration(client, db, member, app):
    client.post("/reset", data={"email": member.email})
    token = db.session.scalar(sa.select(EmailToken).where(EmailToken.purpose == "reset_password"))
    lifetime = token.expires_at - token.created_at
    assert abs(lifetime - app.config["PASSWORD_RESET_TTL"]) < timedelta(seconds=5)


def test_reset_rejects_a_short_or_mismatched_password(client, member, mail_outbox):
    client.post("/reset", data={"email": member.email})
    path = link_in(mail_outbox()[0], "reset")
    assert client.post(path, data={"password": "short", "confirm": "short"}).status_code == 200
    response = client.post(path, data={"password": NEW, "confirm": NEW + "x"})
    assert "do not match" in response.get_data(as_text=True) or "không khớp" in response.get_data(
        as_text=True
    )
    assert client.get(path).status_code == 200  # still usable


def test_unknown_reset_link_is_a_clear_404(client):
    response = client.get("/reset/not-a-real-token", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert "This link is not valid" in response.get_data(as_text=True)


@pytest.mark.parametrize("purpose", ["reset", "verify", "setup"])
def test_the_link_is_stored_before_its_email_leaves(app, db, member, monkeypatch, purpose):
    """A message is handed to the mail server only once its token is committed: a failure
    after the send would otherwise leave a dead link in someone's mailbox."""
    import sqlalchemy as sa

    from directory.accounts import email_links
    from directory.accounts.models import EmailToken
    from directory.core import mail

    stored_when_sent: list[int] = []

    def deliver(_msg):
        with db.engine.connect() as other:  # what another connection sees: committed rows only
            stored_when_sent.append(
                other.scalar(
                    sa.select(sa.func.count())
                    .select_from(EmailToken)
                    .where(EmailToken.user_id == member.id)
                )
            )

    monkeypatch.setattr(mail, "deliver", deliver)
    if purpose == "reset":
        email_links.request_password_reset(member.email)
    elif purpose == "verify":
        email_links.send_verification(member)
    else:
        email_links.send_account_setup(member)
    assert stored_when_sent == [1]
