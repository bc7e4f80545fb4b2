"""A province appoints its representative in a host country, in a real browser.

On the demo data, the Đà Nẵng province officer finds Lê Thị Thu Hà (a verified expert living in
Paris, who agreed to be contacted) through search and nominates her as Đà Nẵng's representative
in France → the Paris embassy officer endorses from the inbox → she reads the province's
rationale and accepts → the Đà Nẵng approver approves → the public register lists her, and the
nomination page shows every step as a timeline. A second nomination for the same seat (Võ Thành
Nhân) is refused on the nomination form, beside the country, with a message naming the
representative, while the first appointment is active.
"""

from __future__ import annotations

import os
import re
from urllib.parse import quote_plus

import pytest

from directory.seed.cast import DEMO_ACCOUNTS

pytestmark = pytest.mark.browser

ACCOUNTS = {a.email.split("@")[0]: a for a in DEMO_ACCOUNTS}
FIRST = "Lê Thị Thu Hà"
SECOND = "Võ Thành Nhân"
RATIONALE = (
    "Phó giáo sư kinh tế tại Sorbonne, chủ nhiệm hội đồng hương Đà Nẵng tại Paris: "
    "người kết nối sinh viên và doanh nghiệp Đà Nẵng với Pháp."
)
ENDORSEMENT = "Hồ sơ đã xác minh; uy tín tốt trong cộng đồng tại Paris."
NOMINATION_URL = re.compile(r"/nominations/([0-9a-zA-Z_-]+)$")


def _signed_in(new_page, sign_in, key: str):
    page = new_page()
    sign_in(page, ACCOUNTS[key].email, ACCOUNTS[key].password)
    return page


def _open_profile_from_search(page, url: str, name: str) -> None:
    """Search for ``name`` and open the person's profile from the results."""
    page.goto(f"{url}/search?q={quote_plus(name)}")
    link = page.locator("#search-results .hit-person .hit-title a").filter(
        has_text=re.compile(rf"^\s*{re.escape(name)}\s*$")
    )
    assert link.count() == 1, page.content()
    link.click()
    page.wait_for_load_state()
    assert re.search(r"/people/[0-9a-zA-Z_-]+$", page.url), page.url
    assert page.locator("h1").inner_text().strip() == name


def _nominate_and_submit(page, rationale: str) -> str:
    """From the open profile: the nominate form, France, a rationale, save and submit."""
    page.locator("a[href$='/nominate']").click()
    page.wait_for_load_state()
    form = page.locator("form[action*='/nominate']")
    form.locator("select[name=country]").select_option("FR")
    form.locator("textarea[name=rationale]").fill(rationale)
    form.locator("button[name=submit_now]").click()
    page.wait_for_load_state()
    assert NOMINATION_URL.search(page.url), page.url
    assert page.locator(".flash-success").count() == 1
    return page.url


def _act(page, action: str, comment: str = "") -> None:
    """Take one workflow step from the nomination page's panel (the button posting to
    ``/<action>``), through its confirmation page for a step that refuses or ends."""
    button = page.locator(f".step-panel button[formaction$='/{action}']")
    assert button.count() == 1, f"no {action} button on {page.url}"
    if comment:
        page.locator(".step-panel textarea[name$=comment]").fill(comment)
    button.click()
    page.wait_for_load_state()
    if page.locator(".confirm-step").count():
        page.locator(".confirm-step button[type=submit]").click()
        page.wait_for_load_state()


def _open_from_inbox(page, url: str, nomination_url: str, name: str) -> None:
    """The inbox lists the nomination (with a badge in the navigation); open it from there."""
    page.goto(f"{url}/inbox")
    assert int(page.locator("a[href$='/inbox'] .badge").inner_text()) >= 1
    path = nomination_url.removeprefix(url)
    card = page.locator(f"main a[href='{path}']")
    assert card.count() == 1, page.content()
    assert card.inner_text().strip() == name
    card.click()
    page.wait_for_load_state()
    assert page.url == nomination_url


def _state(page) -> str:
    return page.locator("#nomination-title + p .tag").first.inner_text().strip()


def test_nominate_endorse_accept_approve_register_and_second_refused(
    live_server, new_page, sign_in
):
    url = live_server.url

    # 1. The Đà Nẵng officer finds the member through search and nominates her for France.
    officer = _signed_in(new_page, sign_in, "danang")
    _open_profile_from_search(officer, url, FIRST)
    nomination_url = _nominate_and_submit(officer, RATIONALE)
    submitted_state = _state(officer)
    assert officer.locator("[formaction$='/withdraw']").count() == 1
    assert officer.locator("[formaction$='/approve']").count() == 0  # not an approver
    # The mission covering France is told by email.
    review = live_server.messages_to(ACCOUNTS["paris"].email)
    assert review and nomination_url in review[-1].get_body(("plain",)).get_content()

    # 2. The Paris embassy officer opens it from the inbox and endorses it with a note.
    paris = _signed_in(new_page, sign_in, "paris")
    _open_from_inbox(paris, url, nomination_url, FIRST)
    assert paris.locator("[formaction$='/object']").count() == 1
    _act(paris, "endorse", ENDORSEMENT)
    assert paris.locator(".flash-success").count() == 1
    assert _state(paris) != submitted_state
    assert paris.locator("[formaction$='/endorse']").count() == 0

    # 3. The member sees it in her inbox, reads the province's rationale, and accepts.
    member = _signed_in(new_page, sign_in, "member")
    _open_from_inbox(member, url, nomination_url, FIRST)
    consent = member.locator("section[aria-labelledby=consent-title]")
    assert RATIONALE in consent.inner_text()
    assert ENDORSEMENT not in member.content()  # the mission's vetting note is for officials
    assert member.locator("[formaction$='/decline']").count() == 1
    _act(member, "accept")
    assert member.locator(".flash-success").count() == 1
    assert member.locator("[formaction$='/accept']").count() == 0

    # 4. The Đà Nẵng approver approves from the inbox.
    approver = _signed_in(new_page, sign_in, "danang.approver")
    _open_from_inbox(approver, url, nomination_url, FIRST)
    # One panel: approve is the primary button, the refusing steps are secondary.
    assert approver.locator(".step-panel").count() == 1
    assert approver.locator(".step-panel textarea").count() == 1
    assert approver.locator(".step-panel button.primary").inner_text().strip()
    assert approver.locator(".step-panel button.danger").count() >= 1
    if os.environ.get("E2E_SHOTS"):
        approver.screenshot(
            path=os.path.join(os.environ["E2E_SHOTS"], "approver-nomination.png"), full_page=True
        )
    _act(approver, "approve", "Phê duyệt nhiệm kỳ ba năm.")
    assert approver.locator(".flash-success").count() == 1, approver.content()
    assert approver.locator("#nomination-title + p .tag.ok").count() == 1  # active
    assert approver.locator("[formaction$='/approve']").count() == 0
    assert approver.locator("[formaction$='/revoke']").count() == 1

    # The history timeline shows each step, by whom.
    timeline = approver.locator("ol.timeline > li")
    assert timeline.count() == 5  # drafted, submitted, endorsed, accepted, approved
    events = [timeline.nth(i).inner_text() for i in range(5)]
    assert ACCOUNTS["danang"].display_name in events[0]
    assert ACCOUNTS["danang"].display_name in events[1]
    assert ACCOUNTS["paris"].display_name in events[2] and ENDORSEMENT in events[2]
    assert FIRST in events[3]
    assert ACCOUNTS["danang.approver"].display_name in events[4]
    assert all(timeline.nth(i).locator("time[datetime]").count() == 1 for i in range(5))
    # ... and the profile shows the appointment it holds.
    approver.locator("dl.details a[href*='/people/']").first.click()
    approver.wait_for_load_state()
    assert (
        approver.locator(
            "section.appointments a[href$='" + nomination_url.removeprefix(url) + "']"
        ).count()
        == 1
    )

    # The member was told the outcome.
    outcome = live_server.messages_to(ACCOUNTS["member"].email)
    assert outcome and nomination_url in outcome[-1].get_body(("plain",)).get_content()

    # 5. Signed out, the public register answers "who represents Đà Nẵng in France?".
    public = new_page()
    response = public.goto(f"{url}/representatives?province=da-nang&country=FR")
    assert response.status == 200
    rows = public.locator("main table tbody tr")
    assert rows.count() == 1
    row = rows.first.inner_text()
    assert FIRST in row and "Sorbonne Université" in row
    public.goto(f"{url}/representatives?province=da-nang&country=DE")
    assert FIRST not in public.locator("main").inner_text()

    # 6. A second nomination for the same province and country (Võ Thành Nhân, verified, in
    # France, agreed to be contacted) is refused on the form, which names the representative.
    _open_profile_from_search(officer, url, SECOND)
    officer.locator("a[href$='/nominate']").click()
    officer.wait_for_load_state()
    form = officer.locator("form[action*='/nominate']")
    form.locator("select[name=country]").select_option("FR")
    form.locator("textarea[name=rationale]").fill("Kỹ sư trưởng vi mạch, hỗ trợ đào tạo bán dẫn.")
    form.locator("button[name=submit_now]").click()
    officer.wait_for_load_state()
    assert officer.url.endswith("/nominate"), officer.url
    assert officer.locator(".flash-success").count() == 0
    error = officer.locator("#country-err")
    assert error.count() == 1 and FIRST in error.inner_text(), officer.content()

    # The register still lists only the first representative.
    public.goto(f"{url}/representatives?province=da-nang&country=FR")
    rows = public.locator("main table tbody tr")
    assert rows.count() == 1 and FIRST in rows.first.inner_text()
    assert SECOND not in public.locator("main").inner_text()


def test_a_person_who_refused_contact_cannot_be_nominated(live_server, new_page, sign_in):
    """Trần Thị Mai did not agree to be contacted by officials: no nomination form."""
    officer = _signed_in(new_page, sign_in, "danang")
    _open_profile_from_search(officer, live_server.url, "Trần Thị Mai")
    officer.locator("a[href$='/nominate']").click()
    officer.wait_for_load_state()
    assert officer.locator("main [role=alert]").count() == 1
    assert officer.locator("textarea[name=rationale]").count() == 0
    assert officer.locator("button[name=submit_now]").count() == 0
