"""A member claims the profile an embassy registered and controls it, in a real browser.

The demo embassy officer registers a person living in France and sends the invitation; the
person claims the profile from the link in the ``.eml`` file, edits it, hides the phone number
and downloads their data; the Đà Nẵng province officer then opens the profile and does not see
the phone number (while they did see it when the member had shown it to officials). At 1280 px
and 390 px in Vietnamese, every page of every person in the journey at that width.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.e2e.journeys import ACCOUNTS, IDS, VIETNAMESE, assert_language, open_page, signed_in

pytestmark = pytest.mark.browser

# One person per run of the journey: the live server is shared, so the second run registers
# someone else (another name, city, email and phone: no likely duplicate of the first).
PEOPLE = {
    "1280": {
        "full_name": "Phan Thị Ngọc Diệp",
        "email": "ngoc-diep.phan@example.org",
        "phone": "06 11 22 33 44",
        "phone_e164": "+33611223344",
        "phone_tail": "33 44",
        "city": "Lyon",
        "hometown": "Quảng Nam",
    },
    "390": {
        "full_name": "Lưu Thị Thanh Tuyền",
        "email": "thanh-tuyen.luu@example.org",
        "phone": "06 55 66 77 88",
        "phone_e164": "+33655667788",
        "phone_tail": "77 88",
        "city": "Marseille",
        "hometown": "Quảng Nam",
    },
}
MEMBER_PASSWORD = "hoa-sen-trang-2026"


def _submit(page, form_selector: str) -> None:
    page.locator(form_selector).locator("[type=submit]").first.click()
    page.wait_for_load_state()


def _set_contact_visibility(page, url: str, level: str) -> None:
    page.goto(f"{url}/people/me/privacy")
    page.locator("select[name=visibility_contact]").select_option(level)
    _submit(page, "form[action$='/people/me/privacy']")
    assert page.url.endswith("/people/me"), page.url


@pytest.mark.parametrize("width, lang", VIETNAMESE, ids=lambda v: IDS.get(v, v))
def test_register_invite_claim_edit_hide_phone_download_and_province_view(
    live_server, new_page, sign_in, width, lang
):
    url = live_server.url
    person = PEOPLE[width]

    # 1. The Paris embassy officer registers a person living in France.
    officer = signed_in(live_server, new_page, sign_in, "paris", width, lang)
    officer.goto(f"{url}/people/register")
    assert_language(officer, lang)
    form = officer.locator("form[action$='/people/register']")
    form.locator("input[name=full_name]").fill(person["full_name"])
    form.locator("input[name=kinds][value=expert]").check()
    form.locator("input[name=fields][value=semiconductors]").check()
    form.locator("input[name=fields][value=nanotechnology]").check()
    form.locator("input[name=languages][value=vi]").check()
    form.locator("input[name=languages][value=fr]").check()
    form.locator("select[name=country]").select_option("FR")
    form.locator("input[name=city]").fill(person["city"])
    form.locator("input[name=hometown_province]").fill(person["hometown"])
    form.locator("input[name=email]").fill(person["email"])
    form.locator("input[name=phone]").fill(person["phone"])
    # Consent the person gave the mission is recorded only with how and when it was given:
    # the evidence inputs appear once a consent box is ticked.
    assert form.locator("select[name=consent_source]").is_hidden()
    form.locator("input[name=consent_listed]").check()
    form.locator("input[name=consent_contact]").check()
    form.locator("select[name=consent_source]").select_option("in_person")
    form.locator("input[name=consent_date]").fill("2026-01-15")
    form.locator("input[name=consent_reference]").fill("Hội nghị Kiều bào Lyon")
    _submit(officer, "form[action$='/people/register']")
    assert re.search(r"/people/[0-9a-f]{16}$", officer.url), officer.url
    person_url = officer.url
    assert officer.locator("h1").inner_text() == person["full_name"]
    # The registering mission sees the contact details it recorded, normalised to E.164.
    assert person["phone_e164"] in officer.content()
    assert "Đà Nẵng" in officer.content()  # Quảng Nam is part of Đà Nẵng since 2025

    # 2. ... and sends the invitation.
    officer.locator("form[action$='/invite'] [type=submit]").click()
    officer.wait_for_load_state()
    assert officer.locator(".flash-success").count() >= 1
    link = live_server.link_in_last_message(person["email"], "/claim/")

    # 3. The person opens the link and claims the profile: password and consent.
    member = open_page(new_page, width, lang)
    member.goto(link)
    assert person["full_name"] in member.content()
    member.locator("input[name=password]").fill(MEMBER_PASSWORD)
    member.locator("input[name=confirm]").fill(MEMBER_PASSWORD)
    member.locator("input[name=consent_listed]").check()
    member.locator("input[name=consent_contact]").check()
    _submit(member, "main form")
    assert member.url.endswith("/people/me"), member.url
    assert member.locator(".nav-logout").count() == 1

    # The link works once.
    other = open_page(new_page, width, lang)
    other.goto(link)
    assert other.locator("input[name=password]").count() == 0

    # 4. The member edits the profile.
    member.goto(person_url + "/edit")
    edit_form = "form[action$='/edit']"
    member.locator(edit_form).locator("input[name=title]").fill("Kỹ sư thiết kế vi mạch")
    member.locator(edit_form).locator("input[name=organization]").fill("STMicroelectronics")
    member.locator(edit_form).locator("textarea[name=bio]").fill(
        "Thiết kế vi mạch tương tự tại Grenoble; muốn giúp Đà Nẵng đào tạo kỹ sư bán dẫn."
    )
    _submit(member, edit_form)
    assert member.url == person_url
    assert "Kỹ sư thiết kế vi mạch" in member.content()

    # Shown to officials first: the province officer then sees the phone number.
    _set_contact_visibility(member, url, "officials")
    province = signed_in(live_server, new_page, sign_in, "danang", width, lang)
    province.goto(person_url)
    assert person["phone_e164"] in province.content()

    # 5. The member hides the phone number (contact details private).
    _set_contact_visibility(member, url, "private")

    # 6. ... and downloads their data.
    member.goto(f"{url}/people/me")
    with member.expect_download() as download_info:
        member.locator("form[action$='/people/me/data'] [type=submit]").click()
    download = download_info.value
    data = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    text = json.dumps(data, ensure_ascii=False)
    assert person["full_name"] in text and person["phone_e164"] in text
    assert "Kỹ sư thiết kế vi mạch" in text

    # 7. The province officer opens the profile and no longer sees the phone number.
    province.reload()
    province.wait_for_load_state()
    content = province.content()
    assert person["full_name"] in content
    assert "Kỹ sư thiết kế vi mạch" in content
    assert person["phone_e164"] not in content
    assert person["email"] not in content
    assert person["phone_tail"] not in content
    assert_language(province, lang)


def test_search_page_renders_for_the_province_officer(live_server, new_page, sign_in):
    page = new_page()
    account = ACCOUNTS["danang"]
    sign_in(page, account.email, account.password)
    response = page.goto(f"{live_server.url}/search?q=b%C3%A1n+d%E1%BA%ABn")
    if response.status == 404:
        pytest.skip("the search page (search.results) does not exist yet")
    assert response.status == 200
    assert page.locator("h1").count() >= 1


def test_wrong_password_is_refused_with_a_message(live_server, new_page):
    page = new_page()
    page.goto(f"{live_server.url}/login")
    page.locator("input[name=email]").fill(ACCOUNTS["paris"].email)
    page.locator("input[name=password]").fill("not the password")
    _submit(page, "form[action$='/login']")
    assert page.locator(".nav-logout").count() == 0
    assert page.locator("[role=alert]").count() >= 1


def test_language_choice_persists_across_pages(live_server, new_page):
    page = new_page(locale="vi-VN")
    page.goto(f"{live_server.url}/")
    assert page.locator("html").get_attribute("lang") == "vi"
    page.locator(".lang-switch button[lang=en]").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    page.goto(f"{live_server.url}/login")
    assert page.locator("html").get_attribute("lang") == "en"


def test_every_form_control_on_the_registration_page_has_a_label(live_server, new_page, sign_in):
    page = new_page()
    paris = ACCOUNTS["paris"]
    sign_in(page, paris.email, paris.password)
    page.goto(f"{live_server.url}/people/register")
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll(
                'main input:not([type=hidden]):not([type=submit]), main select, main textarea')]
              .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
              .map(el => el.name)"""
    )
    assert unlabelled == []
