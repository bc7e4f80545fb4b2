"""Changing or resetting a password ends the user's other sessions and revokes their tokens."""

from __future__ import annotations

import sqlalchemy as sa

from directory.accounts.models import ApiToken
from directory.accounts.services import create_api_token
from directory.audit import AuditEvent
from tests.accounts.conftest import PASSWORD, link_in, sign_in
from tests.conftest import sign_in_client

NEW = "a brand new password"


def change_password(client, current: str = PASSWORD, new: str = NEW):
    return client.post(
        "/settings/password",
        data={"pw-current_password": current, "pw-new_password": new, "pw-confirm": new},
    )


def signed_in(client) -> bool:
    return client.get("/settings").status_code == 200


def api_status(client, raw_token: str) -> int:
    return client.get(
        "/api/v1/people", headers={"Authorization": f"Bearer {raw_token}"}
    ).status_code


def test_password_change_ends_other_sessions_and_keeps_this_one(app, db, member):
    other, this = app.test_client(), app.test_client()
    assert sign_in(other, member.email).status_code == 302
    assert sign_in(this, member.email).status_code == 302
    assert signed_in(other) and signed_in(this)

    assert change_password(this).status_code == 302

    assert signed_in(this)
    assert not signed_in(other)
    assert other.get("/settings").headers["Location"].startswith("/login")
    # Signing in again with the new password opens a session that lasts.
    assert sign_in(other, member.email, NEW).status_code == 302
    assert signed_in(other) and signed_in(this)


def test_session_opened_before_any_stamp_ends_on_password_change(app, db, member, login, client):
    login(member)  # a session cookie holding only the user id
    assert signed_in(client)
    changer = app.test_client()
    sign_in(changer, member.email)
    assert change_password(changer).status_code == 302
    assert not signed_in(client)


def test_password_change_revokes_every_api_token_and_audits_it(app, db, member):
    _first, first_raw = create_api_token(member, "script")
    _second, second_raw = create_api_token(member, "report")
    browser = app.test_client()
    assert api_status(browser, first_raw) == 200
    sign_in(browser, member.email)

    assert change_password(browser).status_code == 302

    assert api_status(app.test_client(), first_raw) == 401
    assert api_status(app.test_client(), second_raw) == 401
    tokens = db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == member.id)).all()
    assert len(tokens) == 2 and all(t.revoked_at is not None for t in tokens)
    browser.post("/lang/en")
    listing = browser.get("/tokens").get_data(as_text=True)
    assert "script" in listing and "report" in listing
    assert listing.count("Revoked") == 2 and ">Active<" not in listing

    change = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "user.password_change")
    )
    assert change.details == {"sessions_ended": True, "tokens_revoked": 2}
    revocations = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "token.revoke")
    ).all()
    assert {e.object_id for e in revocations} == {t.id for t in tokens}
    assert all(e.details["reason"] == "password_change" for e in revocations)
    assert all(e.actor_id == member.id for e in revocations)


def test_a_new_token_after_the_change_works(app, db, member):
    browser = app.test_client()
    sign_in(browser, member.email)
    change_password(browser)
    _token, raw = create_api_token(member, "after")
    assert api_status(app.test_client(), raw) == 200


def test_a_refused_password_change_ends_nothing(app, db, member):
    _token, raw = create_api_token(member, "script")
    other, this = app.test_client(), app.test_client()
    sign_in(other, member.email)
    sign_in(this, member.email)
    assert change_password(this, current="not the password").status_code == 422
    assert signed_in(other) and signed_in(this)
    assert api_status(app.test_client(), raw) == 200
    assert not db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "token.revoke"))


def test_password_reset_ends_every_session_and_revokes_tokens(app, db, member, mail_outbox):
    _token, raw = create_api_token(member, "script")
    signed = app.test_client()
    sign_in(signed, member.email)
    resetter = app.test_client()
    resetter.post("/reset", data={"email": member.email})
    path = link_in(mail_outbox()[0], "reset")

    assert resetter.post(path, data={"password": NEW, "confirm": NEW}).status_code == 302

    assert not signed_in(signed)
    assert api_status(app.test_client(), raw) == 401
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == member.id))
    assert token.revoked_at is not None
    reset = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "user.password_reset")
    )
    assert reset.details == {"sessions_ended": True, "tokens_revoked": 1}
    revocation = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "token.revoke"))
    assert revocation.object_id == token.id and revocation.details["reason"] == "password_reset"
    # The new password opens a session that lasts.
    assert sign_in(resetter, member.email, NEW).status_code == 302
    assert signed_in(resetter)


def test_other_users_keep_their_sessions_and_tokens(app, db, member, admin_user):
    _token, raw = create_api_token(admin_user, "admin script")
    admin_browser = sign_in_client(app.test_client(), admin_user)  # with the second factor
    browser = app.test_client()
    sign_in(browser, member.email)
    change_password(browser)
    assert signed_in(admin_browser)
    assert api_status(app.test_client(), raw) == 200
