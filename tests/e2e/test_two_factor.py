"""Two-factor sign-in in a real browser: the admin resets an officer's two-factor sign-in
(after the confirmation page); the officer, on a phone, is taken to enrolment at the next
sign-in, scans (reads) the QR code's secret, enters a code, keeps the recovery codes and goes on;
a recovery code then signs in once."""

from __future__ import annotations

import re

import pyotp
import pytest

from directory.accounts import two_factor
from directory.seed.cast import DEMO_ACCOUNTS

pytestmark = pytest.mark.browser

ACCOUNTS = {a.email.split("@")[0]: a for a in DEMO_ACCOUNTS}
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True}


def _fits(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the window"


def _password_step(page, url: str, account) -> None:
    page.goto(f"{url}/login")
    form = page.locator("form[action$='/login']")
    form.locator("input[name=email]").fill(account.email)
    form.locator("input[name=password]").fill(account.password)
    form.locator("[type=submit]").click()
    page.wait_for_load_state()


def test_reset_by_the_admin_then_enrolment_on_a_phone(live_server, new_page, sign_in):
    admin, berlin = ACCOUNTS["admin"], ACCOUNTS["berlin"]
    desk = new_page(locale="en-GB")
    sign_in(desk, admin.email, admin.password)
    desk.goto(f"{live_server.url}/admin/users?q=berlin")
    desk.locator("a", has_text=berlin.email).click()
    desk.locator("a[href$='/reset-two-factor']").click()
    desk.wait_for_load_state()
    assert berlin.email in desk.locator("h1").inner_text()
    desk.locator("button[type=submit].danger").click()
    desk.wait_for_load_state()
    assert "/reset-two-factor" not in desk.url
    mail = live_server.messages_to(berlin.email)[-1]
    assert "two-factor" in str(mail["Subject"]).lower() or "hai bước" in str(mail["Subject"])

    phone = new_page(**PHONE)
    _password_step(phone, live_server.url, berlin)
    assert phone.url.endswith("/settings/2fa")
    _fits(phone)
    qr = phone.locator(".qr svg")
    box = qr.bounding_box()
    assert box is not None and 150 <= box["width"] <= 390 and box["height"] == box["width"]
    assert phone.locator(".qr").get_attribute("aria-label")
    # Any other page leads back here until enrolment is done.
    phone.goto(f"{live_server.url}/dashboard")
    assert phone.url.endswith("/settings/2fa")
    secret = phone.locator("code.secret").inner_text().replace(" ", "")
    phone.locator("input[name='totp-code']").fill(pyotp.TOTP(secret).at(two_factor.totp_clock()))
    phone.locator("form[action$='/settings/2fa'] [type=submit]").click()
    phone.wait_for_load_state()
    codes = [c.strip() for c in phone.locator("ol.recovery-codes code").all_inner_texts()]
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-9-]{19}", c) for c in codes)
    _fits(phone)
    phone.locator("a.button").click()
    phone.wait_for_load_state()
    assert "/settings/2fa" not in phone.url and phone.locator(".nav-logout").count() == 1

    # Signed out, a recovery code signs in instead of the app's code, once.
    other = new_page(**PHONE)
    _password_step(other, live_server.url, berlin)
    assert other.url.endswith("/login/code")
    _fits(other)
    other.locator("details.recovery summary").click()
    other.locator("input[name='recovery-recovery_code']").fill(codes[0].upper())
    other.locator("form:has(input[name='recovery-recovery_code']) [type=submit]").click()
    other.wait_for_load_state()
    assert other.locator(".nav-logout").count() == 1
