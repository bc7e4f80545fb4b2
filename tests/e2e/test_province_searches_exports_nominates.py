"""The province officer searches with the facets, exports what they found and nominates.

In a real browser, at 1280 px and 390 px in Vietnamese, and in English: the Đà Nẵng officer
searches "ban dan" (no accents), narrows the results to the first country of the facets (on
a phone the filters open behind their button, the first result showing on the first screen
before), downloads the filtered results as CSV (one row per person found), then opens the demo's
verified chip designer and the nomination form, which refuses an empty submission with
messages in the officer's language. (The whole nomination is the representatives' journey.)
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.e2e.journeys import (
    EVERY_SCREEN,
    IDS,
    assert_language,
    download_rows,
    signed_in,
    submit,
)

pytestmark = pytest.mark.browser


def _total(page) -> int:
    text = page.locator("#search-results .result-count").inner_text()
    return int(re.search(r"\d+", text.replace(".", "").replace(",", "")).group())


def _wait_for_total(page, expected: int) -> None:
    page.wait_for_function(
        """n => {
            const el = document.querySelector('#search-results .result-count');
            const m = el && el.innerText.replace(/[.,]/g, '').match(/\\d+/);
            return m && Number(m[0]) === n;
        }""",
        arg=expected,
    )


@pytest.fixture(scope="module")
def designer(live_server) -> str:
    """The address of the demo's verified chip designer (Võ Thành Nhân)."""
    from directory.extensions import db
    from directory.people.models import Person

    with live_server.app.app_context():
        person_id = db.session.scalar(
            sa.select(Person.id).where(Person.full_name == "Võ Thành Nhân")
        )
        db.session.remove()
    assert person_id
    return f"/people/{person_id}"


@pytest.mark.parametrize("width, lang", EVERY_SCREEN, ids=lambda v: IDS.get(v, v))
def test_search_with_facets_export_and_open_the_nomination(
    live_server, new_page, sign_in, designer, width, lang
):
    url = live_server.url
    page = signed_in(live_server, new_page, sign_in, "danang", width, lang)
    page.goto(f"{url}/search")
    page.locator("#search-q").fill("ban dan")
    page.wait_for_function("() => window.location.search.includes('q=ban+dan')")
    page.wait_for_selector("#search-results ol.hits > li")
    everything = _total(page)
    assert everything > 0
    if width == "390":
        first = page.locator("ol.hits > li").first.bounding_box()
        assert first is not None and first["y"] + 40 <= 844, first
        page.locator(".facets-button").click()
    entry = page.locator("#facet-country li").first
    count = int(entry.locator(".facet-count").inner_text())
    country = entry.locator("input[type=checkbox]").get_attribute("value")
    assert 0 < count <= everything
    entry.locator("input[type=checkbox]").check()
    page.wait_for_function("c => window.location.search.includes('country=' + c)", arg=country)
    _wait_for_total(page, count)

    export = page.locator(".export-results a[href*='/imports/exports/search.csv']")
    assert f"country={country}" in export.get_attribute("href")
    rows = download_rows(page, export.click)
    # One row per person found (the results may hold associations and businesses too): every
    # person of the first page is in the file, and all of them when the results fit one page.
    people = sorted(
        p.strip() for p in page.locator("ol.hits > li.hit-person h3 a").all_inner_texts()
    )
    exported = sorted(next(iter(row.values())) for row in rows)
    assert people and set(people) <= set(exported) and len(exported) <= count
    if page.locator("#search-results a[rel=next]").count() == 0:
        assert exported == people

    page.goto(url + designer)
    page.locator(f"a[href$='{designer}/nominate']").click()
    page.wait_for_load_state()
    assert page.url.endswith("/nominate"), page.url
    submit(page, "main form[action*='/nominate']")
    assert page.url.split("?")[0].endswith("/nominate"), page.url  # nothing saved
    errors = page.locator("main form p.error").all_inner_texts()
    assert errors, page.url
    required = "Trường này là bắt buộc." if lang == "vi" else "This field is required."
    assert any(required in text for text in errors), errors
    assert_language(page, lang)
