"""The embassy officer registers a person, verifies the profile and sends the claim invitation.

In a real browser, at 1280 px and 390 px in Vietnamese, and in English: the Paris officer
registers a person living in France (with the consent the person gave the mission), verifies
the profile, sends the claim invitation (an ``.eml`` with the claim link is written), and finds
the person in the mission's list filtered to verified, unclaimed profiles.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.journeys import IDS, MAIN, assert_language, signed_in, submit

pytestmark = pytest.mark.browser

# The mission's list is in name order, 25 to a page: these names come first.
NEWCOMERS = {
    ("1280", "vi"): "An Thị Bích Ngân",
    ("390", "vi"): "An Văn Thịnh",
    ("1280", "en"): "An Minh Khôi",
}


@pytest.mark.parametrize("width, lang", MAIN, ids=lambda v: IDS.get(v, v))
def test_register_verify_invite_and_find_in_the_mission_list(
    live_server, new_page, sign_in, width, lang
):
    url = live_server.url
    name = NEWCOMERS[(width, lang)]
    address = f"registered-{width}-{lang}@embassy.example.org"
    page = signed_in(live_server, new_page, sign_in, "paris", width, lang)

    page.goto(f"{url}/people/register")
    form = page.locator("form[action$='/people/register']")
    form.locator("input[name=full_name]").fill(name)
    form.locator("input[name=kinds][value=entrepreneur]").check()
    form.locator("select[name=country]").select_option("FR")
    form.locator("input[name=city]").fill("Toulouse")
    form.locator("input[name=email]").fill(address)
    form.locator("input[name=consent_listed]").check()
    form.locator("select[name=consent_source]").select_option("email")
    form.locator("input[name=consent_date]").fill("2026-02-03")
    submit(page, "form[action$='/people/register']")
    assert re.search(r"/people/[0-9a-f]{16}$", page.url), page.url
    person_id = page.url.rsplit("/", 1)[1]
    assert page.locator("h1").inner_text().strip() == name

    submit(page, "form[action$='/verify']")
    assert page.locator(".flash-success").count() >= 1
    assert page.locator("form[action$='/verify']").count() == 0  # verified: nothing to do

    submit(page, "form[action$='/invite']")
    assert page.locator(".flash-success").count() >= 1
    link = live_server.link_in_last_message(address, "/claim/")
    assert re.search(r"/claim/\S+$", link)

    page.goto(f"{url}/mission/people?verified=yes&claimed=no")
    assert page.locator(f"main a[href$='/people/{person_id}']").count() == 1
    assert_language(page, lang)
