"""Account lockout: ten wrong passwords in a row lock the account for fifteen minutes; the user
is told by email and the admins in their inbox; a password reset or an admin unlocks it."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from directory.accounts import services
from directory.accounts.models import User
from directory.audit import AuditEvent
from directory.core.models import utcnow
from directory.notices.models import Notice
from tests.accounts.conftest import PASSWORD


def _fail(client, email, times):
    for _ in range(times):
        client.post("/login", data={"email": email, "password": "not the right one"})


def test_ten_wrong_passwords_lock_the_account_and_tell_the_user_and_the_admins(
    app, client, db, member, admin_user, mail_outbox
):
    app.config["RATELIMIT_ENABLED"] = False
    _fail(client, member.email, services.LOCKOUT_FAILURES - 1)
    db.session.refresh(member)
    assert member.failed_logins == services.LOCKOUT_FAILURES - 1 and member.locked_until is None
    _fail(client, member.email, 1)
    db.session.refresh(member)
    assert member.locked_until is not None and member.locked_until > utcnow()
    # Locked: even the right password is refused, with the same generic message.
    response = client.post("/login", data={"email": member.email, "password": PASSWORD})
    assert response.status_code == 401
    assert services.authenticate_password(member.email, PASSWORD) is None
    # Told: the user by email (in their language, with the reset link), the admins in the inbox.
    mail = [m for m in mail_outbox() if m["To"] == member.email]
    assert mail and "/reset" in mail[-1].get_content()
    notices = db.session.scalars(sa.select(Notice).where(Notice.kind == "account.locked")).all()
    assert [n.user_id for n in notices] == [admin_user.id]
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.lockout"))
    # Fifteen minutes later the right password works and clears the count.
    member.locked_until = utcnow() - timedelta(seconds=1)
    member.failed_logins = 3
    db.session.commit()
    assert services.authenticate_password(member.email, PASSWORD) == member
    db.session.refresh(member)
    assert member.failed_logins == 0


def test_a_right_password_resets_the_count(db, member):
    for _ in range(services.LOCKOUT_FAILURES - 1):
        services.authenticate_password(member.email, "wrong wrong wrong")
    assert services.authenticate_password(member.email, PASSWORD) == member
    services.authenticate_password(member.email, "wrong wrong wrong")
    db.session.refresh(member)
    assert member.failed_logins == 1 and member.locked_until is None


def test_the_admin_unlocks_and_a_password_reset_unlocks(client, db, login, member, admin_user):
    member.locked_until = utcnow() + timedelta(minutes=10)
    db.session.commit()
    login(admin_user)
    page = client.get(f"/admin/users/{member.id}").get_data(as_text=True)
    assert f"/admin/users/{member.id}/unlock" in page
    assert client.post(f"/admin/users/{member.id}/unlock").status_code == 302
    db.session.refresh(member)
    assert member.locked_until is None
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.unlock"))
    # A reset link proves the owner: the lock ends with the new password.
    from directory.accounts import email_links

    member.locked_until = utcnow() + timedelta(minutes=10)
    db.session.commit()
    _token, raw = email_links.issue_email_token(
        "reset_password", member.email, timedelta(hours=1), user=member
    )
    db.session.commit()
    email_links.reset_password(raw, "a brand new long passphrase")
    assert db.session.get(User, member.id).locked_until is None


def test_unknown_emails_lock_nothing(db):
    for _ in range(services.LOCKOUT_FAILURES + 2):
        assert services.authenticate_password("nobody@example.org", "whatever pw") is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_wrong_second_factor_codes_count_toward_the_lockout(
    app, client, db, admin_user, mail_outbox
):
    """A right password does not wipe out the wrong codes given after it: someone who knows
    the password cannot try codes forever by signing in again between them."""
    import pyotp

    from tests.accounts.conftest import make_user, sign_in

    app.config["RATELIMIT_ENABLED"] = False
    secret = pyotp.random_base32()
    officer = make_user(email="p@example.org", province_officer=True, totp_secret=secret)
    wrong = "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
    for n in range(services.LOCKOUT_FAILURES - 1):
        if n % 3 == 0:  # the password again, right each time
            assert sign_in(client, officer.email).headers["Location"].endswith("/login/code")
        assert client.post("/login/code", data={"code": wrong}).status_code == 422
    db.session.refresh(officer)
    assert officer.failed_logins == services.LOCKOUT_FAILURES - 1
    last = client.post("/login/code", data={"code": wrong})
    assert last.status_code == 302 and last.headers["Location"].endswith("/login")
    db.session.refresh(officer)
    assert officer.locked_until is not None and officer.locked_until > utcnow()
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.lockout"))
    assert [m for m in mail_outbox() if m["To"] == officer.email]
    # Locked: neither the password nor a right code opens the session.
    assert sign_in(client, officer.email).status_code == 401
    response = client.post("/login/code", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert client.get("/settings").status_code == 302


def test_a_right_code_after_wrong_ones_clears_the_count(app, client, db, totp_clock):
    import pyotp

    from tests.accounts.conftest import make_user, sign_in

    app.config["RATELIMIT_ENABLED"] = False
    secret = pyotp.random_base32()
    officer = make_user(email="p@example.org", province_officer=True, totp_secret=secret)
    sign_in(client, officer.email)
    right = pyotp.TOTP(secret).at(totp_clock.now)
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(3):
        client.post("/login/code", data={"code": wrong})
    db.session.refresh(officer)
    assert officer.failed_logins == 3
    assert client.post("/login/code", data={"code": right}).status_code == 302
    db.session.refresh(officer)
    assert officer.failed_logins == 0 and officer.locked_until is None
