"""A member's initiative is received, assigned, answered and adopted, in a real browser.

On the demo data, the member Lê Thị Thu Hà sends Đà Nẵng an initiative about chip-design
training and sees its due date at once. The Đà Nẵng officer finds it first on the dashboard
("new initiatives to triage"), triages it and assigns it to a colleague, the approver Huỳnh Văn
Tài; he starts the review, writes a private note and the answer, and adopts it. The member
then sees the state and the answer, and never the note; the dashboard's counters moved.

Screenshots of the last pages at desktop and phone width are written to ``$E2E_SHOTS`` when set.
"""

from __future__ import annotations

import os
import re

import pytest

from directory.seed.cast import DEMO_ACCOUNTS

pytestmark = pytest.mark.browser

ACCOUNTS = {a.email.split("@")[0]: a for a in DEMO_ACCOUNTS}
TITLE = "Đào tạo thiết kế vi mạch cho kỹ sư trẻ Đà Nẵng"
TEXT = "Tôi đề xuất một khoá đào tạo thiết kế vi mạch 6 tháng, giảng viên từ Grenoble."
NOTE = "Ghi chú nội bộ: cần hỏi ý kiến Sở Giáo dục trước."
ANSWER = "Thành phố tiếp nhận đề xuất và sẽ đưa vào kế hoạch đào tạo năm 2027."
INITIATIVE_URL = re.compile(r"/initiatives/([0-9a-zA-Z_-]+)$")
PHONE = {"width": 390, "height": 844}
NEW_LABEL = "Sáng kiến mới cần phân loại"


def _shot(page, name: str) -> None:
    folder = os.environ.get("E2E_SHOTS")
    if not folder:
        return
    os.makedirs(folder, exist_ok=True)
    size = page.viewport_size
    page.screenshot(path=os.path.join(folder, f"{name}-desktop.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=os.path.join(folder, f"{name}-phone.png"), full_page=True)
    page.set_viewport_size(size)


def _signed_in(new_page, sign_in, key: str):
    page = new_page()
    sign_in(page, ACCOUNTS[key].email, ACCOUNTS[key].password)
    return page


def _figure(page, label: str):
    """The dashboard counter with ``label``."""
    figure = page.locator("a.figure", has_text=label)
    assert figure.count() == 1, label
    return figure


def _act(page, action: str, text: str | None = None, **selects) -> None:
    """Take the step ``action`` from the initiative's page (its form posts to .../<action>)."""
    form = page.locator(f"form[action$='/{action}']")
    if text is not None:
        form.locator("textarea").fill(text)
    for name, label in selects.items():
        form.locator(f"select[name$='{name}']").select_option(label=label)
    form.locator("[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".flash-success").count() == 1, page.content()


def test_a_members_initiative_is_answered_and_adopted(live_server, new_page, sign_in):
    url = live_server.url

    # The member sends it to Đà Nẵng and sees when the answer is due.
    member = _signed_in(new_page, sign_in, "member")
    member.goto(f"{url}/initiatives/new")
    member.locator("select[name=province]").select_option("da-nang")
    member.locator("input[name=title]").fill(TITLE)
    member.locator("input[name=fields][value=semiconductors]").check()
    member.locator("input[name=fields][value=education-training]").check()
    member.locator("textarea[name=text]").fill(TEXT)
    member.locator("textarea[name=links]").fill("https://example.org/vi-mach")
    member.locator("form[action$='/initiatives/new'] [type=submit]").click()
    member.wait_for_load_state()
    found = INITIATIVE_URL.search(member.url)
    assert found, member.content()
    initiative_url = f"{url}/initiatives/{found.group(1)}"
    assert member.locator("dd time").first.get_attribute("datetime")  # the due date, at once

    # The officer lands on the dashboard; the new initiative waits for triage.
    officer = _signed_in(new_page, sign_in, "danang")
    assert officer.url.endswith("/dashboard/province/da-nang"), officer.url
    waiting = officer.locator("#waiting-heading ~ .figures").first
    new = int(_figure(waiting, NEW_LABEL).locator(".figure-value").inner_text())
    assert new >= 1
    _figure(waiting, NEW_LABEL).click()
    officer.wait_for_load_state()
    row = officer.locator("table tbody tr", has_text=TITLE)  # the inbox: soonest due first
    assert row.count() == 1, officer.content()
    row.locator("a", has_text=TITLE).click()
    officer.wait_for_load_state()
    _act(officer, "triage")
    _act(officer, "assign", assignee_id="Huỳnh Văn Tài")
    officer.goto(f"{url}/dashboard/province/da-nang")
    waiting = officer.locator("#waiting-heading ~ .figures").first
    assert int(_figure(waiting, NEW_LABEL).locator(".figure-value").inner_text()) == new - 1

    # The colleague reviews it, writes a private note and the answer; as approver he adopts it.
    approver = _signed_in(new_page, sign_in, "danang.approver")
    approver.goto(initiative_url)
    _act(approver, "review")
    _act(approver, "note", NOTE)
    _act(approver, "answer", ANSWER)
    _act(approver, "adopt")
    assert NOTE in approver.content()
    assert approver.locator("#actions-title").count() == 0  # no step left: no empty section
    _shot(approver, "initiative-official")

    # The member sees the state and the answer, never the note.
    member.goto(initiative_url)
    body = member.locator("main").inner_text()
    assert ANSWER in body
    assert "Đã tiếp nhận áp dụng" in member.locator("h1 ~ p .tag").first.inner_text()
    assert NOTE not in member.content()
    _shot(member, "initiative-member")
