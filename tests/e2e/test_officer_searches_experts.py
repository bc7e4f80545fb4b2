"""A province officer searches for experts with the facets, in a real browser.

On the demo data, the Đà Nẵng province officer types ``ban dan`` (no accents) and narrows the
results with the facet sidebar, by country and then by hometown; every facet count they click
equals the number of results they then get, the filters live in the URL, and the back button
returns to the previous state.
"""

from __future__ import annotations

import re

import pytest

from directory.seed.cast import DEMO_ACCOUNTS

pytestmark = pytest.mark.browser

OFFICER = next(a for a in DEMO_ACCOUNTS if a.email.startswith("danang@"))


def _total(page) -> int:
    text = page.locator("#search-results .result-count").inner_text()
    return int(re.search(r"\d+", text.replace(".", "").replace(",", "")).group())


def _wait_for_total(page, expected: int) -> None:
    """The results fragment is replaced asynchronously: wait until it shows ``expected``."""
    page.wait_for_function(
        """n => {
            const el = document.querySelector('#search-results .result-count');
            const m = el && el.innerText.replace(/[.,]/g, '').match(/\\d+/);
            return m && Number(m[0]) === n;
        }""",
        arg=expected,
    )


def _first_facet(page, name: str):
    """The first unchecked value of a facet: (its checkbox, its value, its count)."""
    entry = page.locator(f"#facet-{name} li").first
    box = entry.locator("input[type=checkbox]")
    count = int(entry.locator(".facet-count").inner_text())
    return box, box.get_attribute("value"), count


def _wait_for_url(page, fragment: str) -> None:
    page.wait_for_function("f => window.location.search.includes(f)", arg=fragment)
    page.wait_for_load_state("networkidle")


def test_officer_narrows_ban_dan_by_country_and_hometown(live_server, new_page, sign_in):
    page = new_page()
    sign_in(page, OFFICER.email, OFFICER.password)
    page.goto(f"{live_server.url}/search")
    page.locator("#search-q").fill("ban dan")
    _wait_for_url(page, "q=ban+dan")
    page.wait_for_selector("#facet-country")
    everything = _total(page)
    assert everything > 0
    # Results about semiconductors, found without accents through the taxonomy.
    assert page.locator("#search-results mark").count() > 0

    box, country, count = _first_facet(page, "country")
    assert 0 < count <= everything
    box.check()
    _wait_for_url(page, f"country={country}")
    _wait_for_total(page, count)

    box, province, count_in_province = _first_facet(page, "province")
    assert 0 < count_in_province <= count
    box.check()
    _wait_for_url(page, f"province={province}")
    _wait_for_total(page, count_in_province)
    assert f"country={country}" in page.url and f"province={province}" in page.url

    # The URL is shareable: opening it afresh gives the same results.
    fresh = new_page()
    sign_in(fresh, OFFICER.email, OFFICER.password)
    fresh.goto(page.url)
    assert _total(fresh) == count_in_province

    page.go_back()
    page.wait_for_function("() => !window.location.search.includes('province=')")
    _wait_for_total(page, count)
