"""An anonymous visitor browses the directory, in a real browser.

From the home page the visitor searches "ban dan" in the header (no accents), opens the first
expert found, then the public register of representatives and the associations, and opens
one. At 1280 px and 390 px in Vietnamese, and in English: every page in the visitor's
language, checked by axe-core, nothing scrolling sideways on a phone; on a phone the first
result shows on the first screen, the filters behind their button.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.journeys import IDS, MAIN, assert_language, open_page

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width, lang", MAIN, ids=lambda v: IDS.get(v, v))
def test_a_visitor_searches_opens_a_profile_and_the_registers(live_server, new_page, width, lang):
    page = open_page(new_page, width, lang)
    page.goto(live_server.url + "/")
    assert_language(page, lang)
    assert page.locator(".nav-logout").count() == 0

    page.locator("#header-q").fill("ban dan")
    page.locator("#header-q").press("Enter")
    page.wait_for_load_state()
    assert "/search" in page.url and "q=ban+dan" in page.url, page.url
    first = page.locator("ol.hits > li").first
    if width == "390":  # the first result on the first screen, the filters folded away
        box = first.bounding_box()
        assert box is not None and box["y"] + 40 <= 844, box
        assert page.locator(".facets").is_hidden()
    name = first.locator("a").first.inner_text().strip()
    first.locator("a").first.click()
    page.wait_for_load_state()
    assert re.search(r"/people/[0-9a-f]{16}$", page.url), page.url
    assert page.locator("h1").inner_text().strip() == name
    # What only officials may do is not offered to a visitor.
    assert page.locator("form[action$='/verify'], a[href$='/nominate']").count() == 0

    page.goto(live_server.url + "/representatives")
    assert page.locator("main table tbody tr").count() >= 1

    page.goto(live_server.url + "/associations")
    link = page.locator("main h2 a[href^='/associations/']").first
    association = link.inner_text().strip()
    link.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().strip() == association
    assert_language(page, lang)
