"""What the role journeys share: the demo accounts, the two screens and the two languages.

Every journey runs at 1280 px and at 390 px in Vietnamese; the main journey of each role also
runs in English (``MAIN``), and the main job of a member and of a province officer in English on a
phone as well (``EVERY_SCREEN``). Each page the journey loads is checked by ``pagechecks`` (axe-core,
no sideways scrolling on a phone, no English form default in Vietnamese) and its last page is
kept as a screenshot.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from directory.seed.cast import DEMO_ACCOUNTS

ACCOUNTS = {a.email.split("@")[0]: a for a in DEMO_ACCOUNTS}
SCREENS = {
    "1280": {"viewport": {"width": 1280, "height": 800}},
    "390": {"viewport": {"width": 390, "height": 844}, "has_touch": True},
}
LOCALES = {"vi": "vi-VN", "en": "en-GB"}
# (width, language) pairs: a role's journeys in Vietnamese on both screens; its main one in
# English as well.
VIETNAMESE = [("1280", "vi"), ("390", "vi")]
MAIN = [*VIETNAMESE, ("1280", "en")]
# The main job of a member and of a province officer, also in English on a phone.
EVERY_SCREEN = [*MAIN, ("390", "en")]
IDS = {"1280": "desktop", "390": "phone"}


def open_page(new_page, width: str, lang: str):
    """A fresh page (own cookies) at that width, its browser asking for that language."""
    return new_page(locale=LOCALES[lang], **SCREENS[width])


def signed_in(live_server, new_page, sign_in, who: str, width: str, lang: str):
    """A page signed in as the demo account ``who`` (the key before the @), in ``lang``.

    The demo accounts prefer Vietnamese, and an account's choice outweighs the browser's: for
    English the visitor picks it with the language switch before signing in (kept in the
    session only, so the account's own choice is left as it was for the other tests).
    """
    page = open_page(new_page, width, lang)
    if lang != "vi":
        page.goto(live_server.url + "/login")
        button = page.locator(f".lang-switch button[lang={lang}]")
        if button.is_visible():
            button.click()
        else:
            # On a phone the switch hides the language the page is already in (the browser's):
            # its form still records the choice in the session.
            with page.expect_navigation():
                button.evaluate("b => b.click()")
        page.wait_for_load_state()
        assert_language(page, lang)
    account = ACCOUNTS[who]
    sign_in(page, account.email, account.password)
    return page


def submit(page, form_selector: str) -> None:
    """Press the form's (first) submit button and wait for the page it leads to."""
    page.locator(form_selector).locator("[type=submit]").first.click()
    page.wait_for_load_state()


def assert_language(page, lang: str) -> None:
    assert page.locator("html").get_attribute("lang") == lang, page.url


def say(lang: str, vi: str, en: str) -> str:
    """The text a page shows in the journey's language."""
    return vi if lang == "vi" else en


def download_rows(page, click) -> list[dict]:
    """Click what downloads a CSV; the file's rows as dicts (BOM-tolerant)."""
    with page.expect_download() as info:
        click()
    text = Path(info.value.path()).read_text(encoding="utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))
