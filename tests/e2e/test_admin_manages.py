"""The administrator manages users and missions and reads the audit log, in a real browser.

At 1280 px and 390 px in Vietnamese, and in English: the admin filters the users by role and
opens the Paris embassy officer's account, opens the Paris mission, then filters the audit log
by action, actor and date (the Đà Nẵng officer's nominations) and downloads the filtered
events as CSV: the file holds as many events as the page counts, all of that action.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.journeys import ACCOUNTS, IDS, MAIN, assert_language, download_rows, signed_in

pytestmark = pytest.mark.browser


def _count(page) -> int:
    text = page.locator("main p.muted").first.inner_text()
    return int(re.search(r"\d+", text.replace(".", "").replace(",", "")).group())


@pytest.mark.parametrize("width, lang", MAIN, ids=lambda v: IDS.get(v, v))
def test_users_missions_and_the_audit_log_with_filters_and_csv(
    live_server, new_page, sign_in, width, lang
):
    url = live_server.url
    page = signed_in(live_server, new_page, sign_in, "admin", width, lang)
    paris = ACCOUNTS["paris"].email

    page.goto(f"{url}/admin/users")
    page.locator("#f-role").select_option("embassy")
    page.locator("form[action$='/admin/users'] [type=submit]").click()
    page.wait_for_load_state()
    assert "role=embassy" in page.url
    emails = page.locator("main table tbody tr td:first-child").all_inner_texts()
    assert paris in emails and "admin@demo.kieubao.vn" not in emails
    page.locator(f"main table a:text-is('{paris}')").click()
    page.wait_for_load_state()
    assert re.search(r"/admin/users/[^/]+$", page.url), page.url
    assert page.locator("h1").inner_text().strip() == paris

    page.goto(f"{url}/admin/missions")
    page.locator("main table a:text-is('FR-PARIS')").click()
    page.wait_for_load_state()
    assert re.search(r"/admin/missions/[^/]+$", page.url), page.url

    page.goto(f"{url}/admin/audit")
    form = page.locator("form[action$='/admin/audit']")
    form.locator("select[name=action]").select_option("nomination.submit")
    form.locator("input[name=actor]").fill(ACCOUNTS["danang"].email)
    form.locator("input[name=date_from]").fill("2024-01-01")
    form.locator("[type=submit]").click()
    page.wait_for_load_state()
    assert "action=nomination.submit" in page.url and "date_from=2024-01-01" in page.url
    shown = _count(page)
    assert shown >= 1
    codes = page.locator("table.audit-log tbody td code").all_inner_texts()
    assert len(codes) == shown and set(codes) == {"nomination.submit"}
    who = page.locator("table.audit-log tbody tr td:nth-child(2)").all_inner_texts()
    officer = ACCOUNTS["danang"]
    assert all(officer.display_name in text or officer.email in text for text in who), who

    rows = download_rows(page, page.locator("a[href*='/admin/audit.csv']").click)
    assert len(rows) == shown
    assert all("nomination.submit" in row.values() for row in rows), rows[:2]
    assert_language(page, lang)
