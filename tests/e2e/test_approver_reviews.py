"""The province approver decides on an appointment and reviews the province's work, in a real
browser.

At 1280 px and 390 px in Vietnamese, and in English: the Đà Nẵng approver lands on the
dashboard, finds an appointment awaiting approval in the inbox (a person living in Germany,
registered and verified by the Berlin embassy, nominated by the Đà Nẵng officer, endorsed,
who accepted: each step through the workflow's own services, one nominee and city per run),
opens it, sets the end of the term and approves; the nomination is then active, with the
approval in its timeline and on the list of active appointments. Then the approver opens the
province's initiatives and one of them.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.e2e.journeys import ACCOUNTS, IDS, MAIN, assert_language, say, signed_in

pytestmark = pytest.mark.browser

# One nominee per run (own name, address and city, so that each run has its own seat).
NOMINEES = {
    ("1280", "vi"): ("Đoàn Thị Minh Nguyệt", "minh-nguyet.doan@example.de", "Hamburg"),
    ("390", "vi"): ("Tạ Quang Khải", "quang-khai.ta@example.de", "Leipzig"),
    ("1280", "en"): ("Lục Thị Bảo Trâm", "bao-tram.luc@example.de", "Dresden"),
}
RATIONALE = "Kỹ sư cảng biển, kết nối doanh nghiệp logistics của vùng với cảng Liên Chiểu."


def _awaiting_approval(live_server, full_name: str, address: str, city: str) -> str:
    """A nomination waiting for the approver, every step taken by the account whose step it
    is; its id."""
    from directory.accounts.models import User
    from directory.accounts.services import create_claimed_account
    from directory.core.models import utcnow
    from directory.extensions import db
    from directory.people.services import register_person, verify_person
    from directory.representatives import nominating, workflow

    def account(key: str) -> User:
        return db.session.scalar(sa.select(User).where(User.email == ACCOUNTS[key].email))

    with live_server.app.app_context():
        try:
            berlin, officer = account("berlin"), account("danang")
            person = register_person(
                {
                    "full_name": full_name,
                    "kinds": ["expert"],
                    "fields": ["logistics"],
                    "country": "DE",
                    "city": city,
                    "hometown_province": "Đà Nẵng",
                    "email": address,
                    "consent_listed": True,
                    "consent_contact": True,
                    "consent_evidence": {"source": "in_person", "date": "2026-03-02"},
                },
                berlin,
            )
            verify_person(person, berlin)
            member = create_claimed_account(
                address, "cang-lien-chieu-2026", person, locale="vi", at=utcnow()
            )
            db.session.commit()
            nomination = nominating.create_nomination(
                {"person_id": person.id, "country": "DE", "region": city, "rationale": RATIONALE},
                officer,
            )
            workflow.submit(nomination, officer)
            workflow.endorse(nomination, berlin, "Hồ sơ đã xác minh tại Đại sứ quán.")
            workflow.accept(nomination, member)
            assert nomination.state == "awaiting_approval"
            return nomination.id
        finally:
            db.session.remove()


@pytest.mark.parametrize("width, lang", MAIN, ids=lambda v: IDS.get(v, v))
def test_the_approver_approves_an_appointment_and_reviews_initiatives(
    live_server, new_page, sign_in, width, lang
):
    url = live_server.url
    full_name, address, city = NOMINEES[(width, lang)]
    nomination_id = _awaiting_approval(live_server, full_name, address, city)
    nomination_url = f"{url}/nominations/{nomination_id}"

    page = signed_in(live_server, new_page, sign_in, "danang.approver", width, lang)
    assert "/dashboard" in page.url, page.url
    assert_language(page, lang)

    # The inbox lists the appointment that waits for the approver; open it from there.
    page.goto(f"{url}/inbox")
    card = page.locator(f"main a[href='/nominations/{nomination_id}']")
    assert card.count() == 1, page.content()
    assert card.inner_text().strip() == full_name
    card.click()
    page.wait_for_load_state()
    assert page.url == nomination_url
    assert RATIONALE in page.locator("main").inner_text()

    # One panel: the term (empty start: from the approval's day; the end chosen here),
    # approve as the primary button.
    panel = page.locator(".step-panel")
    assert panel.count() == 1
    end = (date.today() + timedelta(days=3 * 365)).isoformat()
    panel.locator("#approve-term-end").fill(end)
    panel.locator("textarea[name$=comment]").fill(say(lang, "Đồng ý bổ nhiệm.", "Appointed."))
    approve = panel.locator("button[formaction$='/approve']")
    assert approve.count() == 1 and "primary" in (approve.get_attribute("class") or "")
    approve.click()
    page.wait_for_load_state()
    assert page.locator(".flash-success").count() == 1, page.content()
    assert page.locator("#nomination-title + p .tag.ok").count() == 1  # active
    assert page.locator("[formaction$='/approve']").count() == 0
    timeline = page.locator("ol.timeline > li")
    assert ACCOUNTS["danang.approver"].display_name in timeline.last.inner_text()

    # Listed among the province's active appointments.
    page.goto(f"{url}/nominations")
    page.locator("#state-filter").select_option("active")
    page.locator("main form.actions [type=submit]").click()
    page.wait_for_load_state()
    assert "state=active" in page.url
    assert page.locator(f"main table tbody a[href='/nominations/{nomination_id}']").count() == 1

    # The province's initiatives.
    page.goto(f"{url}/initiatives")
    link = page.locator("main table tbody a[href^='/initiatives/']").first
    title = link.inner_text().strip()
    link.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().strip() == title
    assert_language(page, lang)
