"""Settings: language, password, and two-factor sign-in for officials."""

from __future__ import annotations

import pyotp
import pytest
import sqlalchemy as sa

from directory.accounts.passwords import verify_password
from directory.audit import AuditEvent
from tests.accounts.conftest import PASSWORD, make_user, sign_in
from tests.conftest import next_totp_code


def test_language_preference_persists_on_the_account(client, db, login, member):
    login(member)
    response = client.post("/settings", data={"lang-locale": "en"})
    assert response.status_code == 302
    db.session.refresh(member)
    assert member.locale == "en"
    assert '<html lang="en">' in client.get("/settings").get_data(as_text=True)


def test_change_password_needs_the_current_one(client, db, login, member):
    login(member)
    new = "another long password"
    bad = client.post(
        "/settings/password",
        data={"pw-current_password": "wrong one!", "pw-new_password": new, "pw-confirm": new},
    )
    assert bad.status_code == 422
    db.session.refresh(member)
    assert verify_password(member.password_hash, PASSWORD)
    good = client.post(
        "/settings/password",
        data={"pw-current_password": PASSWORD, "pw-new_password": new, "pw-confirm": new},
    )
    assert good.status_code == 302
    db.session.refresh(member)
    assert verify_password(member.password_hash, new)


def test_members_are_not_offered_two_factor(client, login, member):
    login(member)
    assert "/settings/2fa" not in client.get("/settings").get_data(as_text=True)
    assert client.get("/settings/2fa").status_code == 403
    assert client.post("/settings/2fa", data={"totp-code": "123456"}).status_code == 403


def test_the_service_refuses_two_factor_to_those_the_policy_does_not_offer_it(db, member):
    from directory import policy
    from directory.accounts.two_factor import enable_totp
    from directory.core.errors import ValidationError

    secret = pyotp.random_base32()
    assert not policy.can(member, "account.two_factor")
    with pytest.raises(ValidationError) as refused:
        enable_totp(member, secret, pyotp.TOTP(secret).now())
    assert "code" in refused.value.fields
    db.session.refresh(member)
    assert member.totp_secret is None


def setup_secret(page: str) -> str:
    """The secret key the enrolment page shows as text (in groups of four)."""
    return (
        page.split('<code class="secret"', 1)[1]
        .split(">", 1)[1]
        .split("</code>")[0]
        .replace(" ", "")
    )


def test_official_enrols_in_two_factor_and_then_login_asks_for_the_code(
    client, db, embassy_officer, totp_clock
):
    first = sign_in(client, embassy_officer.email, next="/tokens")
    assert first.headers["Location"].endswith("/settings/2fa")
    page = client.get("/settings/2fa").get_data(as_text=True)
    assert "<svg" in page and "otpauth://totp/" in page
    secret = setup_secret(page)
    assert len(secret) == 32

    wrong = client.post("/settings/2fa", data={"totp-code": "000000"})
    assert wrong.status_code == 422
    assert setup_secret(wrong.get_data(as_text=True)) == secret  # the same secret, kept
    ok = client.post("/settings/2fa", data={"totp-code": pyotp.TOTP(secret).at(totp_clock.now)})
    assert ok.status_code == 200 and ok.headers["Cache-Control"] == "no-store"
    assert 'href="/tokens"' in ok.get_data(as_text=True)  # then on to where the sign-in led
    db.session.refresh(embassy_officer)
    assert embassy_officer.totp_secret == secret
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.totp_enable"))
    assert client.get("/tokens").status_code == 200

    client.post("/logout")
    totp_clock.advance(30)  # the code that enabled two-factor is used up
    step_one = sign_in(client, embassy_officer.email, next="/tokens")
    assert step_one.headers["Location"].endswith("/login/code")
    assert client.get("/settings").status_code == 302  # not signed in yet
    assert client.post("/login/code", data={"code": "123456"}).status_code == 422
    done = client.post("/login/code", data={"code": pyotp.TOTP(secret).at(totp_clock.now)})
    assert done.status_code == 302 and done.headers["Location"] == "/tokens"
    assert client.get("/settings").status_code == 200


def test_code_step_without_a_password_step_goes_back_to_login(client):
    response = client.post("/login/code", data={"code": "123456"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_official_can_turn_two_factor_off_with_a_code_only_when_it_is_not_required(
    app, client, db, login
):
    secret = pyotp.random_base32()
    officer = make_user(email="p@example.org", province_officer=True, totp_secret=secret)
    login(officer)
    assert "/settings/2fa/disable" not in client.get("/settings").get_data(as_text=True)
    client.post("/lang/en")
    refused = client.post("/settings/2fa/disable", data={"totp-code": next_totp_code(officer)})
    assert refused.status_code == 422
    assert "required for officials" in refused.get_data(as_text=True)
    db.session.refresh(officer)
    assert officer.totp_secret == secret

    app.config["TWO_FACTOR_REQUIRED"] = False
    assert client.post("/settings/2fa/disable", data={"totp-code": "111111"}).status_code == 422
    response = client.post("/settings/2fa/disable", data={"totp-code": next_totp_code(officer)})
    assert response.status_code == 302
    db.session.refresh(officer)
    assert officer.totp_secret is None
