"""A province finds experts for a need and gets in touch with them, in a real browser.

On the demo data, the Đà Nẵng officer publishes "Chip design training partnership, 2027
roadmap" (semiconductors and education, for France and the United States); the verified
Grenoble chip designer Võ Thành Nhân, whose hometown is given as Quảng Nam, ranks first with his
reasons. The officer shortlists him and another candidate who can be asked, and asks both to be
put in touch from the shortlist, about the need. The designer accepts from his inbox and shares
his email: the officer then sees it on the request (each view audited). The other candidate
(a member whose account has no password yet: they set one through "Forgot your password?")
declines: the officer sees the refusal and nothing of their contact details.

Screenshots of the pages at desktop and phone width are written to ``$E2E_SHOTS`` when set.
"""

from __future__ import annotations

import os
import re

import pytest
import sqlalchemy as sa

from directory.seed.cast import DEMO_ACCOUNTS

pytestmark = pytest.mark.browser

ACCOUNTS = {a.email.split("@")[0]: a for a in DEMO_ACCOUNTS}
TITLE = "Chip design training partnership, 2027 roadmap"
DESIGNER = "Võ Thành Nhân"
DESIGNER_EMAIL = "thanh-nhan.vo@example.org"  # his profile's address, shared on acceptance
NEED_URL = re.compile(r"/needs/([0-9a-zA-Z_-]+)$")
REQUEST_URL = re.compile(r"/contact-requests/([0-9a-zA-Z_-]+)$")
PHONE = {"width": 390, "height": 844}


def _shot(page, name: str) -> None:
    """Desktop and phone-width screenshots of the current page (when ``E2E_SHOTS`` is set)."""
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


def _publish_need(page, url: str) -> str:
    page.goto(f"{url}/needs")
    page.locator("a[href$='/needs/new']").click()
    page.wait_for_load_state()
    form = page.locator("form.need-form")
    form.locator("input[name=title]").fill(TITLE)
    form.locator("select[name=type]").select_option("training")
    form.locator("textarea[name=description]").fill(
        "Đà Nẵng tìm chuyên gia thiết kế vi mạch để cùng xây dựng chương trình đào tạo kỹ sư."
    )
    form.locator("input[name=fields][value=semiconductors]").check()
    form.locator("input[name=fields][value=education-training]").check()
    form.locator("input[name=countries][value=FR]").check()
    form.locator("input[name=countries][value=US]").check()
    form.locator("textarea[name=milestones]").fill(
        "2027-03-01 Khoá đào tạo đầu tiên\n2027-09-01 Phòng thí nghiệm thiết kế chung"
    )
    form.locator("[type=submit]").click()
    page.wait_for_load_state()
    assert NEED_URL.search(page.url), page.content()
    assert page.locator(".flash-success").count() == 1
    return page.url


def _match_cards(page):
    return page.locator("section[aria-labelledby=matches-title] .card.match")


def _shortlist(page, card, note: str) -> None:
    """Add the card's candidate to the shortlist, then write the note on the shortlist."""
    name = card.locator("h3 a").first.inner_text()
    card.locator("form[action$='/shortlist'] [type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".flash-success").count() == 1
    entry = page.locator("#shortlist .card").filter(has_text=name)
    entry.locator("input[name=note]").fill(note)
    entry.locator("form[action$='/shortlist'] [type=submit]").click()
    page.wait_for_load_state()
    assert (
        page.locator("#shortlist .card")
        .filter(has_text=name)
        .locator("input[name=note]")
        .input_value()
        == note
    )


def _ask_from_shortlist(page, need_url: str, name: str, message: str) -> str:
    """From the need's shortlist, ask to be put in touch with ``name``; the request's URL."""
    page.goto(need_url)
    entry = page.locator("#shortlist .card").filter(has_text=name)
    assert entry.count() == 1, page.content()
    entry.locator(".ask-contact a.button").click()
    page.wait_for_load_state()
    assert page.locator(".need-ref").inner_text().endswith(TITLE)
    page.locator("textarea[name=message]").fill(message)
    page.locator("form[action$='/contact-request'] [type=submit]").click()
    page.wait_for_load_state()
    assert REQUEST_URL.search(page.url), page.content()
    return page.url


def _open_request_from_inbox(page, url: str, request_url: str) -> None:
    page.goto(f"{url}/inbox")
    link = page.locator(f"main a[href='{request_url.removeprefix(url)}']")
    assert link.count() == 1, page.content()
    link.click()
    page.wait_for_load_state()
    assert page.url == request_url
    # The member sees which need it is about (an officials-only need: its title, no link).
    assert TITLE in page.locator(".need-ref").inner_text()


def _set_password_and_sign_in(page, live_server, address: str, sign_in) -> None:
    """An account seeded without a password: "Forgot your password?", the link, sign in."""
    page.goto(f"{live_server.url}/reset")
    page.locator("input[name=email]").fill(address)
    page.locator("main form [type=submit]").click()
    page.wait_for_load_state()
    page.goto(live_server.link_in_last_message(address, "/reset/"))
    page.locator("input[name=password]").fill("mot-mat-khau-dai-2026")
    page.locator("input[name=confirm]").fill("mot-mat-khau-dai-2026")
    page.locator("main form [type=submit]").click()
    page.wait_for_load_state()
    sign_in(page, address, "mot-mat-khau-dai-2026")


def _account_of(live_server, person_id: str) -> tuple[str, str | None]:
    """(the member account's email, the profile's email) of a person, from the database."""
    from directory.extensions import db
    from directory.people.models import Person

    with live_server.app.app_context():
        person = db.session.get(Person, person_id)
        found = (person.user.email, person.email)
        db.session.remove()
    return found


def _contact_views(live_server, request_id: str) -> list[dict]:
    from directory.audit import AuditEvent
    from directory.extensions import db

    with live_server.app.app_context():
        events = db.session.scalars(
            sa.select(AuditEvent).where(
                AuditEvent.action == "contact_request.contact_view",
                AuditEvent.object_id == request_id,
            )
        ).all()
        found = [dict(e.details or {}) for e in events]
        db.session.remove()
    return found


def test_officer_publishes_a_need_and_gets_in_touch_with_the_designer(
    live_server, new_page, sign_in
):
    url = live_server.url

    # 1. The Đà Nẵng officer publishes the need; the designer ranks first, with his reasons.
    officer = _signed_in(new_page, sign_in, "danang")
    need_url = _publish_need(officer, url)
    cards = _match_cards(officer)
    first = cards.first
    assert first.locator("h3 a").inner_text().strip() == DESIGNER
    reasons = first.locator("p").first.inner_text()
    for reason in ("Bán dẫn", "Sống tại Pháp", "Quê Đà Nẵng (ghi là Quảng Nam)", "Đã xác minh"):
        assert reason in reasons, reasons
    assert first.locator(".ask-contact a.button").count() == 1
    _shot(officer, "need-matches")

    # 2. He shortlists the designer and the best other candidate who can be asked.
    _shortlist(officer, first, "Thiết kế vi mạch, Grenoble")
    other = _match_cards(officer).filter(has=officer.locator(".ask-contact a.button"))
    other = other.filter(has=officer.locator("form[action$='/shortlist']")).first
    other_name = other.locator("h3 a").inner_text().strip()
    other_id = other.locator("input[name=person_id]").get_attribute("value")
    assert other_name != DESIGNER
    _shortlist(officer, other, "Đào tạo")
    entries = officer.locator("#shortlist .card")
    assert entries.count() == 2
    _shot(officer, "need-shortlist")

    # 3. He asks both to be put in touch, from the shortlist, about the need.
    designer_request = _ask_from_shortlist(
        officer, need_url, DESIGNER, "Sở KH&CN Đà Nẵng mời anh tham gia chương trình đào tạo."
    )
    _shot(officer, "request-sent")
    other_request = _ask_from_shortlist(
        officer, need_url, other_name, "Sở KH&CN Đà Nẵng muốn trao đổi về đào tạo kỹ sư vi mạch."
    )
    officer.goto(need_url)
    pending = officer.locator("#shortlist .ask-contact a.tag")
    assert pending.count() == 2  # no second request is offered while one waits
    assert officer.locator("#shortlist .ask-contact a.button").count() == 0

    # 4. The designer opens the request from his inbox and accepts, sharing his email.
    designer = _signed_in(new_page, sign_in, "expert")
    _open_request_from_inbox(designer, url, designer_request)
    _shot(designer, "request-member")
    accept = designer.locator("form[action$='/accept']")
    assert accept.locator("input[name=accept-share_email]").is_checked()
    accept.locator("[type=submit]").click()
    designer.wait_for_load_state()
    assert designer.locator(".flash-success").count() == 1

    # 5. The officer sees the email he shared, and that view is audited.
    officer.goto(designer_request)
    shared = officer.locator("dl.contact")
    assert DESIGNER_EMAIL in shared.inner_text()
    request_id = REQUEST_URL.search(designer_request).group(1)
    views = _contact_views(live_server, request_id)
    assert views and views[-1]["fields"] == ["email"]
    _shot(officer, "request-accepted")
    officer.goto(need_url)
    assert officer.locator("#shortlist .ask-contact a.tag.ok").count() == 1

    # 6. The other candidate sets a password, opens the request from the inbox and declines.
    account_email, profile_email = _account_of(live_server, other_id)
    member = new_page()
    _set_password_and_sign_in(member, live_server, account_email, sign_in)
    _open_request_from_inbox(member, url, other_request)
    decline = member.locator("form[action$='/decline']")
    decline.locator("textarea[name$=reason]").fill("Năm nay tôi không có thời gian.")
    decline.locator("[type=submit]").click()
    member.wait_for_load_state()
    assert member.locator(".flash-success").count() == 1

    # 7. The officer sees the refusal and nothing of that person's contact details.
    officer.goto(other_request)
    assert officer.locator("dl.contact").count() == 0
    content = officer.content()
    for secret in {account_email, profile_email} - {None}:
        assert secret not in content
    other_id_request = REQUEST_URL.search(other_request).group(1)
    assert _contact_views(live_server, other_id_request) == []
    _shot(officer, "request-declined")
