"""Joining as a member, confirming the email address, signing in and out."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from directory.accounts.models import EmailToken, User
from directory.core.errors import ValidationError
from tests.accounts.conftest import PASSWORD, link_in, mail_text, make_user, sign_in


def signup(client, email="new@example.org", password=PASSWORD, locale="vi", accept=True):
    data = {"email": email, "password": password, "locale": locale}
    if accept:
        data["accept_privacy"] = "y"
    return client.post("/signup", data=data)


def test_signup_verify_then_login_leads_to_creating_the_own_profile(client, db, mail_outbox):
    response = signup(client, email="Lan.Nguyen@Example.ORG", locale="en")
    assert response.status_code == 200
    assert "Kiểm tra hộp thư" in response.get_data(as_text=True)

    user = db.session.scalar(sa.select(User).where(User.email == "lan.nguyen@example.org"))
    assert user.role == "member" and user.locale == "en" and user.email_verified_at is None

    (msg,) = mail_outbox()
    assert msg["To"] == "lan.nguyen@example.org"
    assert msg["Subject"] == "Confirm your email address for the Kiều bào Directory"
    verify_path = link_in(msg, "verify")

    # Before confirming, signing in is refused and a new link is sent.
    response = sign_in(client, "lan.nguyen@example.org")
    assert response.status_code == 401
    assert len(mail_outbox()) == 2

    # Confirming signs the new member in and lands on creating their own profile.
    response = client.get(verify_path)
    assert response.status_code == 302
    if _has(client, "people.create_own"):
        from flask import url_for

        expected = url_for("people.create_own", _external=False)
    else:
        expected = "/settings"
    assert response.headers["Location"] == expected
    db.session.refresh(user)
    assert user.email_verified_at is not None and user.last_login_at is not None
    assert client.get("/settings").status_code == 200


def _next_from(response) -> str:
    from urllib.parse import parse_qs, urlparse

    return parse_qs(urlparse(response.headers["Location"]).query).get("next", [""])[0]


def _has(client, endpoint: str) -> bool:
    return endpoint in client.application.view_functions


def test_verification_link_is_single_use_and_stored_hashed(client, db, mail_outbox):
    signup(client)
    path = link_in(mail_outbox()[0], "verify")
    raw = path.rsplit("/", 1)[1]
    token = db.session.scalar(sa.select(EmailToken).where(EmailToken.purpose == "verify_email"))
    assert raw not in token.token_hash and len(token.token_hash) == 64
    assert client.get(path).status_code == 302
    response = client.get(path, headers={"Accept-Language": "vi"})
    assert response.status_code == 410
    assert "đã được sử dụng" in response.get_data(as_text=True)


def test_verification_email_is_in_vietnamese_for_a_vietnamese_member(client, mail_outbox):
    signup(client, locale="vi")
    (msg,) = mail_outbox()
    assert msg["Content-Language"] == "vi"
    assert "Xác nhận" in msg["Subject"]
    assert "/verify/" in mail_text(msg)


def test_signup_requires_privacy_acceptance_and_a_long_password(client, db):
    response = signup(client, accept=False, password="short")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Please accept the privacy notice" in body or "chấp nhận" in body
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


@pytest.mark.parametrize("common", ["password123", "Qwertyuiop", "1234567890", "matkhau123"])
def test_a_common_password_is_refused_everywhere_a_password_is_set(client, db, member, common):
    from directory.accounts.services import change_password, password_problem

    response = signup(client, password=common)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1  # the member
    assert "phổ biến" in response.get_data(as_text=True)
    assert password_problem(common) is not None
    with pytest.raises(ValidationError):
        change_password(member, "correct horse battery", common)
    assert password_problem("ba con vịt trên đồng") is None


def test_signup_with_a_taken_email_looks_the_same_and_warns_the_owner(client, db, mail_outbox):
    make_user(email="taken@example.org")
    response = signup(client, email="taken@example.org")
    assert response.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1
    (msg,) = mail_outbox()
    assert "/reset" in mail_text(msg)


def test_login_with_a_wrong_password_or_unknown_email_gives_one_generic_message(client, member):
    wrong_password = sign_in(client, member.email, "not the password")
    unknown = sign_in(client, "nobody@example.org", "not the password")
    assert wrong_password.status_code == unknown.status_code == 401
    message = "Email hoặc mật khẩu không đúng."
    assert message in wrong_password.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)


def test_login_follows_a_safe_next_and_ignores_an_offsite_one(client, member):
    response = sign_in(client, member.email, next="/settings")
    assert response.headers["Location"] == "/settings"
    client.post("/logout")
    response = sign_in(client, member.email, next="https://evil.example/steal")
    assert "evil" not in response.headers["Location"]


def test_deactivated_accounts_cannot_sign_in(client, db):
    user = make_user(email="gone@example.org", is_active_flag=False)
    response = sign_in(client, user.email)
    assert response.status_code == 401


def test_logout_is_a_post_and_ends_the_session(client, member):
    sign_in(client, member.email)
    assert client.get("/settings").status_code == 200
    assert client.get("/logout").status_code == 405
    response = client.post("/logout")
    assert response.status_code == 302
    assert client.get("/settings").status_code == 302


def test_signed_in_header_shows_the_user_menu_with_a_logout_form(client, member):
    sign_in(client, member.email)
    body = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'action="/logout"' in body
    assert 'href="/settings"' in body and 'href="/tokens"' in body
    assert 'href="/admin/"' not in body


def test_login_is_rate_limited_with_a_translated_429(app, make_app, member):
    limited = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    client = limited.test_client()
    for _ in range(3):
        assert sign_in(client, member.email, "wrong password!").status_code == 401
    response = sign_in(client, member.email, "wrong password!")
    assert response.status_code == 429
    assert "Quá nhiều lần thử" in response.get_data(as_text=True)
    # Showing the form is not limited.
    assert client.get("/login").status_code == 200


def test_confirming_an_address_with_two_factor_keeps_the_second_step(client, db, mail_outbox):
    user = make_user(email="official@example.org", role="admin", email_verified_at=None)
    user.totp_secret = "JBSWY3DPEHPK3PXP"
    db.session.commit()
    from directory.accounts import email_links

    email_links.send_verification(user)
    path = link_in(mail_outbox()[-1], "verify")
    response = client.get(path)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert client.get("/settings").status_code == 302  # not signed in


def test_confirming_the_address_of_a_deactivated_account_does_not_sign_in(client, db, mail_outbox):
    user = make_user(email="gone@example.org", email_verified_at=None)
    from directory.accounts import email_links

    email_links.send_verification(user)
    user.is_active_flag = False
    db.session.commit()
    response = client.get(link_in(mail_outbox()[-1], "verify"))
    assert "/login" in response.headers["Location"]
    assert client.get("/settings").status_code == 302


def test_email_links_use_base_url_not_the_requests_host(app, client, mail_outbox, monkeypatch):
    monkeypatch.setitem(app.config, "SERVER_NAME", None)
    monkeypatch.setitem(app.config, "BASE_URL", "https://kieubao.example.gov.vn/")
    response = client.post(
        "/signup",
        data={
            "email": "host@example.org",
            "password": PASSWORD,
            "locale": "en",
            "accept_privacy": "y",
        },
        base_url="http://other-host.example:8080",
    )
    assert response.status_code == 200
    text = mail_text(mail_outbox()[-1])
    assert "https://kieubao.example.gov.vn/verify/" in text
    assert "other-host" not in text


def test_production_without_base_url_warns_at_start_up(tmp_path, monkeypatch, caplog):
    from directory import create_app
    from tests.conftest import test_config

    monkeypatch.delenv("BASE_URL", raising=False)
    config = test_config(str(tmp_path), PRODUCTION=True)
    del config["BASE_URL"]
    with caplog.at_level("WARNING", logger="directory"):
        create_app(config)
    assert any("BASE_URL is not set" in r.getMessage() for r in caplog.records)
    caplog.clear()
    with caplog.at_level("WARNING", logger="directory"):
        create_app({**config, "BASE_URL": "https://kieubao.example.gov.vn"})
        create_app({**config, "PRODUCTION": False})
    assert not any("BASE_URL" in r.getMessage() for r in caplog.records)
