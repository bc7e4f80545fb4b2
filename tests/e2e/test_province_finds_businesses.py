"""A province finds diaspora businesses and gets in touch with one, in a real browser.

On the demo data, the Đà Nẵng officer searches businesses in Germany in logistics interested
in Đà Nẵng: the joint venture Rồng Xanh Logistik GmbH (Hamburg) comes first, and the presence
filter finds it too. The officer publishes an investment need (transport, logistics, import-export; Germany and
France): businesses
rank beside people, each card with its reasons (sector, target country, interest in Đà Nẵng,
the joint venture there). From the business's card the officer asks to be put in touch: the
request goes to its contact person, who hears of it by email, naming the business. Every page
is checked at 1280 and 390 px wide: nothing overflows.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from directory.seed.cast import DEMO_ACCOUNTS

pytestmark = pytest.mark.browser

OFFICER = next(a for a in DEMO_ACCOUNTS if a.email.startswith("danang@"))
VENTURE = "Rồng Xanh Logistik GmbH"
TITLE = "Trung tâm logistics và kho lạnh cảng Liên Chiểu"
NEED_URL = re.compile(r"/needs/([0-9a-zA-Z_-]+)$")
REQUEST_URL = re.compile(r"/contact-requests/([0-9a-zA-Z_-]+)$")
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def _fits(page) -> None:
    """No horizontal overflow at desktop and phone width."""
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= size["width"], (size, width)
    page.set_viewport_size(DESKTOP)


def _hit_titles(page) -> list[str]:
    return [t.strip() for t in page.locator("#search-results .hit-title").all_inner_texts()]


def _contact_account(live_server) -> tuple[str, str]:
    """(the venture's id, its contact person's account email), from the database."""
    from directory.businesses.models import Business
    from directory.businesses.queries import contact_person
    from directory.extensions import db

    with live_server.app.app_context():
        venture = db.session.scalar(sa.select(Business).where(Business.name == VENTURE))
        found = (venture.id, contact_person(venture).user.email)
        db.session.remove()
    return found


def _publish_investment_need(page, url: str) -> str:
    page.goto(f"{url}/needs/new")
    form = page.locator("form.need-form")
    form.locator("input[name=title]").fill(TITLE)
    form.locator("select[name=type]").select_option("investment")
    form.locator("textarea[name=description]").fill(
        "Đà Nẵng mời doanh nghiệp kiều bào đầu tư trung tâm logistics và kho lạnh."
    )
    for code in ("transportation", "logistics", "import-export"):
        form.locator(f"input[name=fields][value={code}]").check()
    for code in ("DE", "FR"):
        form.locator(f"input[name=countries][value={code}]").check()
    form.locator("[type=submit]").click()
    page.wait_for_load_state()
    assert NEED_URL.search(page.url), page.content()
    return page.url


def test_officer_finds_ranks_and_asks_a_business(live_server, new_page, sign_in):
    url = live_server.url
    venture_id, contact_email = _contact_account(live_server)
    page = new_page(viewport=DESKTOP)
    sign_in(page, OFFICER.email, OFFICER.password)

    # 1. Businesses in Germany, in logistics, interested in Đà Nẵng: the joint venture first.
    page.goto(f"{url}/search?q=logistics&kind=business&country=DE&interest_province=da-nang")
    titles = _hit_titles(page)
    assert titles and titles[0].startswith(VENTURE), titles
    for name, value in (("kind", "business"), ("country", "DE"), ("interest_province", "da-nang")):
        box = page.locator(f"#facet-{name} input[value='{value}']")
        assert box.is_checked(), name
    _fits(page)
    # Present in Đà Nẵng (any kind), by a legacy name: the joint venture again.
    page.goto(f"{url}/search?kind=business&presence_province=Quảng+Nam")
    assert any(t.startswith(VENTURE) for t in _hit_titles(page))
    assert page.locator("#facet-presence_province input[value='da-nang']").is_checked()
    _fits(page)

    # 2. An investment need: businesses rank beside people, with their reasons.
    need_url = _publish_investment_need(page, url)
    cards = page.locator("section[aria-labelledby=matches-title] .card.match")
    venture = cards.filter(has=page.locator(f"a[href='/businesses/{venture_id}']"))
    assert venture.count() == 1, page.content()
    first = cards.first.locator("h3 a").first.inner_text().strip()
    assert first == VENTURE, first
    reasons = venture.locator("p").first.inner_text()
    for reason in (
        "Ngành:",
        "Giao thông vận tải",
        "Đăng ký tại Đức (quốc gia mục tiêu)",
        "Quan tâm đến Đà Nẵng",
        "Hiện diện tại Đà Nẵng: Liên doanh",
    ):
        assert reason in reasons, reasons
    _fits(page)
    # People are ranked in the same list (ten candidates a page): the first one shown.
    for number in range(1, 6):
        page.goto(f"{need_url}?page={number}")
        people = cards.filter(has=page.locator("a[href^='/people/']"))
        if people.count():
            break
    assert people.count() > 0, page.content()
    assert "Lĩnh vực:" in people.first.locator("p").first.inner_text()
    _fits(page)
    page.goto(need_url)

    # 3. From the business's card, ask to be put in touch (about the need).
    venture.locator(".ask-contact a.button").click()
    page.wait_for_load_state()
    assert VENTURE in page.locator("h1").inner_text()
    assert page.locator(".need-ref").inner_text().endswith(TITLE)
    _fits(page)
    page.locator("textarea[name=message]").fill(
        "Sở Kế hoạch và Đầu tư Đà Nẵng mời công ty trao đổi về trung tâm kho lạnh Liên Chiểu."
    )
    page.locator("form[action$='/contact-request'] [type=submit]").click()
    page.wait_for_load_state()
    assert REQUEST_URL.search(page.url), page.content()
    assert VENTURE in page.locator(".business-ref").inner_text()
    _fits(page)
    page.goto(need_url)
    asked = page.locator("section[aria-labelledby=matches-title] .card.match").filter(
        has=page.locator(f"a[href='/businesses/{venture_id}']")
    )
    assert asked.locator(".ask-contact a.tag").count() == 1  # pending: no second request

    # 4. The contact person hears of it by email, naming the business.
    [message] = live_server.messages_to(contact_email)[-1:]
    assert VENTURE in message.get_body(preferencelist=("plain",)).get_content()
