"""The Đà Nẵng officer, the Paris embassy officer and the admin land on their dashboards.

On the demo data, each signs in and lands on their dashboard; at 390 pixels wide nothing makes
the page scroll sideways; a diaspora counter leads to the search list showing the same number;
the admin downloads a table of the overview as CSV.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from directory.seed.cast import DEMO_ACCOUNTS

pytestmark = pytest.mark.browser

OFFICER = next(a for a in DEMO_ACCOUNTS if a.email.startswith("danang@"))
EMBASSY = next(a for a in DEMO_ACCOUNTS if a.email.startswith("paris@"))
ADMIN = next(a for a in DEMO_ACCOUNTS if a.role == "admin")
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


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
    # People and businesses, each by country and by field or sector.
    assert page.locator("svg.chart-bars").count() == 4
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


@pytest.mark.parametrize("screen", [DESKTOP, PHONE], ids=["1280", "390"])
def test_the_admin_lands_on_the_overview_and_downloads_a_table(
    live_server, new_page, sign_in, tmp_path, screen
):
    page = new_page(**screen)
    sign_in(page, ADMIN.email, ADMIN.password)
    assert page.url.endswith("/dashboard/overview"), page.url
    assert page.locator("h1").inner_text() == "Tổng quan"
    # People by country, field, province; businesses by country, sector.
    assert page.locator("svg.chart-bars").count() == 5
    assert (
        page.locator(".table-meta .period").first.inner_text().startswith("Hồ sơ hiện có, tính đến")
    )
    _fits(page)
    width = screen["viewport"]["width"]
    page.screenshot(path=str(tmp_path / f"overview-{width}.png"), full_page=True)
    # The chart by country: its first row's number, then the same table as CSV.
    chart = page.locator("#by-country-caption").locator("xpath=..")
    first = int(chart.locator(".chart-table td.num").first.inner_text())
    with page.expect_download() as info:
        chart.locator("a.csv-link").click()
    download = info.value
    assert re.fullmatch(r"overview-by-country-\d{4}-\d\d-\d\d\.csv", download.suggested_filename)
    body = Path(download.path()).read_bytes()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == ["Mã quốc gia", "Quốc gia", "Số người"]
    assert int(rows[1][2]) == first
