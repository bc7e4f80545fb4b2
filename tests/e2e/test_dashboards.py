"""The Đà Nẵng officer and the Paris embassy officer land on their dashboards, on a phone.

On the demo data, each signs in and lands on their dashboard; at 390 pixels wide nothing makes
the page scroll sideways; a diaspora counter leads to the search list showing the same number.
"""

from __future__ import annotations

import re

import pytest

from directory.seed.cast import DEMO_ACCOUNTS

pytestmark = pytest.mark.browser

OFFICER = next(a for a in DEMO_ACCOUNTS if a.email.startswith("danang@"))
EMBASSY = next(a for a in DEMO_ACCOUNTS if a.email.startswith("paris@"))
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True}


def _fits(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the phone"


def test_the_officer_lands_on_the_province_dashboard_on_a_phone(
    live_server, new_page, sign_in, tmp_path
):
    page = new_page(**PHONE)
    sign_in(page, OFFICER.email, OFFICER.password)
    assert page.url.endswith("/dashboard/province/da-nang"), page.url
    assert page.locator("h1").inner_text().endswith("Đà Nẵng")
    assert page.locator("svg.chart-bars").count() == 2
    _fits(page)
    page.screenshot(path=str(tmp_path / "province-390.png"), full_page=True)
    profiles = page.locator("#diaspora-heading ~ .figures .figure").first
    shown = int(profiles.locator(".figure-value").inner_text())
    assert profiles.get_attribute("title")
    profiles.click()
    page.wait_for_load_state()
    text = page.locator("#search-results .result-count").inner_text()
    assert int(re.search(r"\d+", text.replace(".", "").replace(",", "")).group()) == shown


def test_the_embassy_officer_lands_on_the_mission_dashboard_on_a_phone(
    live_server, new_page, sign_in, tmp_path
):
    page = new_page(locale="en-GB", **PHONE)
    sign_in(page, EMBASSY.email, EMBASSY.password)
    assert page.url.endswith("/dashboard/mission"), page.url
    assert page.locator(".figure").count() == 4
    _fits(page)
    page.screenshot(path=str(tmp_path / "mission-390.png"), full_page=True)
