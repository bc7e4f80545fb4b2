"""The province approver reviews the province's appointments and initiatives, in a real browser.

At 1280 px and 390 px in Vietnamese, and in English: the Đà Nẵng approver lands on the
dashboard, lists the active appointments (the demo's representatives in Germany), opens one
and finds their own approval in its timeline, then opens the province's initiatives and one of
them. (Approving a new appointment is played by the representatives' journey.)
"""

from __future__ import annotations

import pytest

from tests.e2e.journeys import ACCOUNTS, IDS, MAIN, assert_language, signed_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width, lang", MAIN, ids=lambda v: IDS.get(v, v))
def test_the_approver_reviews_appointments_and_initiatives(
    live_server, new_page, sign_in, width, lang
):
    url = live_server.url
    page = signed_in(live_server, new_page, sign_in, "danang.approver", width, lang)
    assert "/dashboard" in page.url, page.url

    page.goto(f"{url}/nominations")
    page.locator("#state-filter").select_option("active")
    page.locator("main form.actions [type=submit]").click()
    page.wait_for_load_state()
    assert "state=active" in page.url
    rows = page.locator("main table tbody tr")
    assert rows.count() >= 1
    rows.first.locator("a[href^='/nominations/']").click()
    page.wait_for_load_state()
    assert ACCOUNTS["danang.approver"].display_name in page.locator("main").inner_text()

    page.goto(f"{url}/initiatives")
    link = page.locator("main table tbody a[href^='/initiatives/']").first
    title = link.inner_text().strip()
    link.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().strip() == title
    assert_language(page, lang)
