"""A member signs up, creates a profile, chooses who sees what, previews it and leaves.

In a real browser, at 1280 px and 390 px in Vietnamese, and in English: a person signs up,
confirms the address from the link in the ``.eml`` file (which signs them in), creates their
own profile, edits it, shows it to the public but the contact details to officials only, previews the
profile as the public (no phone number) and as an official (the phone number), downloads
their data, and deletes the account: the browser first asks for the confirmation box,
then anonymises the profile, and the old password no longer opens a session.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.e2e.journeys import EVERY_SCREEN, IDS, assert_language, open_page, submit

pytestmark = pytest.mark.browser

PASSWORD = "cay-tre-xanh-2026"
# One new member per run of the journey (each signs up with their own address).
NEWCOMERS = {
    ("1280", "vi"): ("Trương Gia Bảo", "+49 151 2345 6701", "+4915123456701"),
    ("390", "vi"): ("Quách Ngọc Hân", "+49 151 2345 6702", "+4915123456702"),
    ("1280", "en"): ("Mạc Đăng Khoa", "+49 151 2345 6703", "+4915123456703"),
    ("390", "en"): ("Lâm Tuệ Nhi", "+49 151 2345 6704", "+4915123456704"),
}


@pytest.mark.parametrize("width, lang", EVERY_SCREEN, ids=lambda v: IDS.get(v, v))
def test_sign_up_create_profile_preview_download_and_delete(live_server, new_page, width, lang):
    url = live_server.url
    name, phone, phone_e164 = NEWCOMERS[(width, lang)]
    address = f"newcomer-{width}-{lang}@member.example.org"
    page = open_page(new_page, width, lang)

    # 1. Sign up: address, password, language, the privacy notice.
    page.goto(f"{url}/signup")
    assert_language(page, lang)
    form = "form[action$='/signup']"
    page.locator(form).locator("input[name=email]").fill(address)
    page.locator(form).locator("input[name=password]").fill(PASSWORD)
    assert page.locator(form).locator("select[name=locale]").input_value() == lang
    page.locator(form).locator("input[name=accept_privacy]").check()
    submit(page, form)
    assert page.locator(".nav-logout").count() == 0  # not before the address is confirmed

    # 2. The link in the email confirms the address and signs the member in.
    page.goto(live_server.link_in_last_message(address, "/verify/"))
    page.wait_for_load_state()
    assert page.url.endswith("/people/me/new"), page.url
    assert page.locator(".nav-logout").count() == 1

    # 3. Their own profile.
    form = "form[action$='/people/me/new']"
    profile_form = page.locator(form)
    profile_form.locator("input[name=full_name]").fill(name)
    profile_form.locator("input[name=kinds][value=expert]").check()
    profile_form.locator("input[name=fields][value=semiconductors]").check()
    profile_form.locator("select[name=country]").select_option("DE")
    profile_form.locator("input[name=city]").fill("Dresden")
    profile_form.locator("input[name=hometown_province]").fill("Đà Nẵng")
    profile_form.locator("input[name=phone]").fill(phone)
    profile_form.locator("input[name=consent_listed]").check()
    profile_form.locator("input[name=consent_contact]").check()
    submit(page, form)
    assert page.url.endswith("/people/me"), page.url
    assert page.locator(".flash-success").count() >= 1

    # 4. ... edits it ...
    page.locator("a[href$='/edit']").first.click()
    page.wait_for_load_state()
    edit_form = page.locator("form[action$='/edit']")
    edit_form.locator("input[name=title]").fill("Kỹ sư quy trình bán dẫn")
    edit_form.locator("input[name=organization]").fill("Infineon Dresden")
    submit(page, "form[action$='/edit']")
    assert re.search(r"/people/[0-9a-f]{16}$", page.url), page.url
    assert "Kỹ sư quy trình bán dẫn" in page.locator("main").inner_text()

    # 5. Privacy: the profile public, the contact details for officials only.
    page.goto(f"{url}/people/me/privacy")
    page.locator("select[name=visibility_profile]").select_option("public")
    page.locator("select[name=visibility_contact]").select_option("officials")
    submit(page, "form[action$='/people/me/privacy']")
    assert page.url.endswith("/people/me"), page.url

    # 6. Preview as the public, then as an official.
    page.locator("a[href$='?as=public']").first.click()
    page.wait_for_load_state()
    assert page.locator(".preview-banner").count() == 1
    assert page.locator("h1").inner_text().strip() == name
    assert phone_e164 not in page.content()
    page.locator(".preview-banner a[href$='?as=official']").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().strip() == name
    assert phone_e164 in page.content()
    person_url = page.url.split("?")[0]
    assert re.search(r"/people/[0-9a-f]{16}$", person_url), person_url

    # 7. Their data, as JSON.
    page.goto(f"{url}/people/me")
    with page.expect_download() as download:
        page.locator("form[action$='/people/me/data'] [type=submit]").click()
    data = json.dumps(
        json.loads(Path(download.value.path()).read_text(encoding="utf-8")), ensure_ascii=False
    )
    assert name in data and phone_e164 in data and address in data

    # 8. Deleting asks for the box to be ticked, then anonymises the profile.
    page.locator("a[href$='/people/me/delete']").click()
    page.wait_for_load_state()
    form = "form[action$='/people/me/delete']"
    submit(page, form)
    assert page.url.endswith("/people/me/delete"), page.url
    box = page.locator(form).locator("input[name=confirm]")
    assert box.evaluate("b => b.validity.valueMissing")  # the browser asks for the tick first
    page.locator(form).locator("input[name=confirm]").check()
    submit(page, form)
    assert page.locator(".nav-logout").count() == 0
    assert page.locator(".flash-success").count() >= 1

    page.goto(person_url)
    assert name not in page.content() and phone_e164 not in page.content()
    page.goto(f"{url}/login")
    page.locator("input[name=email]").fill(address)
    page.locator("input[name=password]").fill(PASSWORD)
    submit(page, "form[action$='/login']")
    assert page.locator(".nav-logout").count() == 0
    assert page.locator("[role=alert]").count() >= 1
    assert_language(page, lang)
