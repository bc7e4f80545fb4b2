"""An administrator resets a user's two-factor sign-in (lost phone and recovery codes), after a
confirmation page: audited, the user emailed, their sessions ended, enrolment at next sign-in."""

from __future__ import annotations

import pyotp
import pytest
import sqlalchemy as sa

from directory.accounts import two_factor
from directory.accounts.models import RecoveryCode, User
from directory.accounts.passwords import hash_password
from directory.audit import AuditEvent
from tests.conftest import sign_in_client
from tests.factories import UserFactory

PASSWORD = "correct horse battery"


@pytest.fixture
def admin(app):
    return UserFactory(email="admin@example.org", admin=True)


@pytest.fixture
def officer(app, db):
    user = UserFactory(
        email="lost.phone@example.org",
        province_officer=True,
        totp_secret=pyotp.random_base32(),
        password_hash=hash_password(PASSWORD),
        locale="en",
    )
    two_factor._replace_recovery_codes(user)
    db.session.commit()
    return user


def test_the_user_page_offers_the_reset_behind_a_confirmation(client, login, admin, officer):
    login(admin)
    client.post("/lang/en")
    page = client.get(f"/admin/users/{officer.id}").get_data(as_text=True)
    confirm_url = f"/admin/users/{officer.id}/reset-two-factor"
    assert confirm_url in page
    confirm = client.get(confirm_url)
    assert confirm.status_code == 200
    html = confirm.get_data(as_text=True)
    assert "Reset two-factor sign-in of lost.phone@example.org?" in html
    assert "Yes, reset two-factor sign-in" in html
    # Looking at the confirmation changes nothing.
    assert officer.totp_secret is not None


def test_the_reset_clears_the_enrolment_ends_sessions_audits_and_emails(
    app, client, db, login, admin, officer, mail_outbox
):
    theirs = sign_in_client(app.test_client(), officer)
    assert theirs.get("/tokens").status_code == 200

    login(admin)
    response = client.post(f"/admin/users/{officer.id}/reset-two-factor")
    assert response.status_code == 302 and response.headers["Location"].endswith(officer.id)

    user = db.session.get(User, officer.id)
    db.session.refresh(user)
    assert user.totp_secret is None and user.totp_last_step is None
    assert not db.session.scalars(
        sa.select(RecoveryCode).where(RecoveryCode.user_id == officer.id)
    ).all()
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.totp_reset"))
    assert event.actor_id == admin.id and event.object_id == officer.id
    [message] = [m for m in mail_outbox() if "lost.phone@example.org" in str(m["To"])]
    assert message["Subject"] == "Your two-factor sign-in was reset"
    assert "set two-factor sign-in up again" in message.get_body().get_content()

    # Their open session has ended; the next sign-in leads to enrolment.
    assert theirs.get("/tokens").headers["Location"].startswith("/login")
    step = theirs.post("/login", data={"email": officer.email, "password": PASSWORD})
    assert step.headers["Location"].endswith("/settings/2fa")
    assert theirs.get("/tokens").headers["Location"].endswith("/settings/2fa")


def test_no_reset_of_ones_own_or_of_an_account_without_two_factor(client, db, login, admin):
    login(admin)
    client.post("/lang/en")
    own = client.post(f"/admin/users/{admin.id}/reset-two-factor")
    assert own.status_code == 409 and "ask another administrator" in own.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.totp_secret is not None
    member = UserFactory(email="m@example.org")
    none = client.post(f"/admin/users/{member.id}/reset-two-factor")
    assert none.status_code == 409
    assert "no two-factor sign-in to reset" in none.get_data(as_text=True)
    assert client.post("/admin/users/nobody/reset-two-factor").status_code == 404
    assert not db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "user.totp_reset")
    )


@pytest.mark.parametrize("trait", ["embassy", "province_officer", "approver"])
def test_only_admins_reset(client, db, login, officer, trait):
    login(UserFactory(**{trait: True}))
    assert client.get(f"/admin/users/{officer.id}/reset-two-factor").status_code == 403
    assert client.post(f"/admin/users/{officer.id}/reset-two-factor").status_code == 403
    db.session.refresh(officer)
    assert officer.totp_secret is not None


def test_the_reset_reads_in_the_audit_log(client, login, admin, officer):
    login(admin)
    client.post(f"/admin/users/{officer.id}/reset-two-factor")
    client.post("/lang/en")
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "Two-factor sign-in reset by an administrator" in page
