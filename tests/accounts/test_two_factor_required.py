"""Two-factor sign-in is required for officials: enrolment (QR code drawn here), the pages an
official may reach before it, sessions that never gave a code, and the switch."""

from __future__ import annotations

import re

import pyotp
import pytest
import sqlalchemy as sa

from directory.accounts.models import RecoveryCode
from directory.accounts.services import create_api_token
from directory.audit import AuditEvent
from tests.accounts.conftest import make_user, sign_in
from tests.conftest import next_totp_code, sign_in_client

SECRET_RE = re.compile(r'<code class="secret"[^>]*>([A-Z2-7 ]+)</code>')


def enrolment_secret(client) -> str:
    page = client.get("/settings/2fa").get_data(as_text=True)
    return SECRET_RE.search(page).group(1).replace(" ", "")


def enrol(client, totp_clock) -> tuple[str, list[str]]:
    """Complete enrolment on the page; returns the secret and the recovery codes shown."""
    secret = enrolment_secret(client)
    done = client.post("/settings/2fa", data={"totp-code": pyotp.TOTP(secret).at(totp_clock.now)})
    assert done.status_code == 200, done.get_data(as_text=True)[:500]
    codes = re.findall(r"<li><code>([a-z2-9-]+)</code></li>", done.get_data(as_text=True))
    return secret, codes


@pytest.fixture
def officer(app):
    return make_user(email="new.officer@example.org", province_officer=True)


def test_an_official_not_enrolled_can_do_nothing_but_enrol(client, db, officer):
    first = sign_in(client, officer.email, next="/tokens")
    assert first.status_code == 302 and first.headers["Location"].endswith("/settings/2fa")
    for path in ("/", "/tokens", "/settings", "/people/register", "/search?q=an", "/needs"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].endswith("/settings/2fa"), path
    # Forms too: nothing is written.
    changed = client.post("/settings", data={"lang-locale": "en"})
    assert changed.status_code == 302 and changed.headers["Location"].endswith("/settings/2fa")
    db.session.refresh(officer)
    assert officer.locale == "vi"
    # The API through the browser's session: a clear 403 in the API's error shape.
    api = client.get("/api/v1/me")
    assert api.status_code == 403
    assert api.get_json()["error"]["code"] == "two_factor_setup_required"
    # What stays open: the enrolment page, the language switch, signing out.
    assert client.get("/settings/2fa").status_code == 200
    assert client.post("/lang/en").status_code == 302
    client.post("/logout")
    assert client.get("/settings").headers["Location"].startswith("/login")


def test_the_enrolment_page_draws_the_qr_code_itself_and_shows_the_secret(client, officer):
    sign_in(client, officer.email)
    response = client.get("/settings/2fa")
    page = response.get_data(as_text=True)
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert 'class="qr-code"' in svg and "<path" in svg and "style=" not in svg
    assert 'role="img"' in page and "aria-label=" in page
    secret = SECRET_RE.search(page).group(1).replace(" ", "")
    uri = pyotp.TOTP(secret).provisioning_uri(name=officer.email, issuer_name="Kieu bao Directory")
    assert uri.replace("&", "&amp;") in page
    # The QR code is the one of that URI (segno draws the same symbol for the same text).
    import segno

    expected = segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff")
    assert svg.split("</title>", 1)[1] == expected.split(">", 1)[1].removesuffix("</svg>")
    # No script, image or service from elsewhere; the CSP stays strict.
    assert "<img" not in page and "http" not in svg
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    # The page keeps the same secret until enrolment is done.
    assert enrolment_secret(client) == secret


def test_enrolment_turns_on_two_factor_shows_ten_recovery_codes_once_and_continues(
    client, db, officer, totp_clock
):
    sign_in(client, officer.email, next="/tokens")
    bad = client.post("/settings/2fa", data={"totp-code": "12345"})
    assert bad.status_code == 422
    secret, codes = enrol(client, totp_clock)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-9]{4}(-[a-z2-9]{4}){3}", c) for c in codes)
    db.session.refresh(officer)
    assert officer.totp_secret == secret
    stored = db.session.scalars(
        sa.select(RecoveryCode.code_hash).where(RecoveryCode.user_id == officer.id)
    ).all()
    assert len(stored) == 10 and not set(codes) & set(stored)  # only hashes are kept
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.totp_enable"))
    assert event.details == {"recovery_codes": 10}
    # This session gave its code: the official is free to go on.
    assert client.get("/tokens").status_code == 200
    # Enrolled: the page sends back to the settings (it never shows the secret again).
    again = client.get("/settings/2fa")
    assert again.status_code == 302 and "/settings" in again.headers["Location"]


def test_a_session_that_never_gave_a_code_is_ended(app, db, totp_clock):
    """An enrolled official's session opened without the second step (opened before the
    requirement, or forged in a test) is not accepted: sign in again, with the code."""
    secret = pyotp.random_base32()
    officer = make_user(email="e@example.org", admin=True, totp_secret=secret)
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = officer.id
        sess["_fresh"] = True
    response = client.get("/admin/users")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/admin/users").headers["Location"].startswith("/login")
    api = app.test_client()
    with api.session_transaction() as sess:
        sess["_user_id"] = officer.id
    assert api.get("/api/v1/me").status_code == 401
    # The real second step opens it.
    assert sign_in_client(client, officer).get("/admin/users").status_code == 200


def test_api_tokens_keep_working_for_an_official_not_enrolled(app, db, officer):
    """A bearer token is not a browser session: made by an enrolled user or by the operator
    (``flask users token``), it is not asked for a second factor."""
    _token, raw = create_api_token(officer, "script")
    db.session.commit()
    response = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert response.get_json()["email"] == officer.email


def test_members_sign_in_with_a_password_only(client, member):
    response = sign_in(client, member.email)
    assert response.status_code == 302 and "/settings/2fa" not in response.headers["Location"]
    assert client.get("/settings").status_code == 200


def test_the_requirement_can_be_switched_off(make_app, db):
    from tests.conftest import _reset_database

    app = make_app(TWO_FACTOR_REQUIRED=False)
    with app.app_context():
        _reset_database(app)
        officer = make_user(email="free@example.org", province_officer=True)
        client = app.test_client()
        response = sign_in(client, officer.email)
        assert response.status_code == 302
        assert "/settings/2fa" not in response.headers["Location"]
        assert client.get("/settings").status_code == 200
        # Still offered.
        assert "/settings/2fa" in client.get("/settings").get_data(as_text=True)


def test_the_setting_defaults_to_on_and_reads_the_environment(monkeypatch, tmp_path):
    from directory.config import DEFAULTS, from_environment

    assert DEFAULTS["TWO_FACTOR_REQUIRED"] is True
    monkeypatch.delenv("TWO_FACTOR_REQUIRED", raising=False)
    assert from_environment(str(tmp_path))["TWO_FACTOR_REQUIRED"] is True
    monkeypatch.setenv("TWO_FACTOR_REQUIRED", "0")
    assert from_environment(str(tmp_path))["TWO_FACTOR_REQUIRED"] is False


def test_the_test_sign_in_gives_a_real_code_each_time(app, db, client, login):
    """The suite's ``login`` enrols an official if needed and sends a real code; several
    sign-ins of one account in a row each use a newer code (each code signs in once)."""
    officer = make_user(email="many@example.org", embassy=True)
    steps = []
    for _ in range(5):
        login(officer)
        assert client.get("/tokens").status_code == 200
        db.session.refresh(officer)
        steps.append(officer.totp_last_step)
    assert steps == sorted(steps) and len(set(steps)) == 5
    assert next_totp_code(officer) != pyotp.TOTP(officer.totp_secret).at(steps[-1] * 30)


def test_the_session_forgets_the_second_factor_when_it_changes_hands(client, login, officer):
    from directory.accounts.two_factor import VERIFIED_KEY

    login(officer)
    with client.session_transaction() as sess:
        assert sess.get(VERIFIED_KEY) is True
    client.post("/logout")
    with client.session_transaction() as sess:
        assert VERIFIED_KEY not in sess
    # A member signing in on the same browser does not inherit it either.
    member = make_user(email="next.member@example.org")
    with client.session_transaction() as sess:
        sess[VERIFIED_KEY] = True  # as if left over
    sign_in(client, member.email)
    with client.session_transaction() as sess:
        assert VERIFIED_KEY not in sess
