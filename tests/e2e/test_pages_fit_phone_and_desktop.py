"""Every role's main pages fit a phone (390 px) and a desktop (1280 px), in a real browser.

On the demo data, each role signs in and opens its main pages at both widths: no page is wider
than the window (nothing scrolls sideways), the header stays short on a phone and the
officials' menu is one row on a desktop; on /search at 390 px the first result shows on the
first screen, above the filters. The Paris officer's import preview and claim invitations are
checked on a batch the test uploads. Screenshots of every page go to ``$E2E_SHOTS``
(default: the test's temporary folder).
"""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from directory.seed.cast import DEMO_ACCOUNTS

pytestmark = pytest.mark.browser

ACCOUNTS = {a.email.split("@")[0]: a for a in DEMO_ACCOUNTS}
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
WIDTHS = {"390": PHONE, "1280": DESKTOP}
HEADER_MAX_ON_A_PHONE = 120  # pixels: brand, language, menu button and the search box
ROW_MAX_ON_A_DESKTOP = 200  # pixels: one import preview row (five rows once made 3,866 px)

# Each role's main pages ({profile} is a public profile's address).
PAGES = {
    "anonymous": [
        "/",
        "/search?q=ban+dan",
        "{profile}",
        "/associations",
        "/representatives",
        "/needs",
        "/businesses",
        "{business}",
        "/login",
    ],
    "member": ["/people/me", "/search?q=ban+dan", "/needs", "/initiatives/mine", "/settings"],
    "paris": [
        "/dashboard/mission",
        "/mission/people",
        "/people/register",
        "/search?q=ban+dan",
        "{profile}",
        "/imports/",
        "/associations/new",
        "/needs",
        "/businesses",
        "/businesses/new",
        "{business}",
        "/tokens",
    ],
    "danang": [
        "/dashboard/province/da-nang",
        "/search?q=ban+dan",
        "{profile}",
        "{profile}/nominate",
        "/needs",
        "/initiatives",
        "/nominations",
        "/inbox",
        "/businesses",
        "{business}",
    ],
    "danang.approver": ["/dashboard", "/nominations", "/initiatives", "/search?q=ban+dan"],
    "admin": [
        "/admin/",
        "/admin/audit",
        "/admin/audit?action=person.verify&date_from=2025-01-01",
        "/admin/users",
        "/admin/missions",
        "/dashboard/province/da-nang",
        "/search?q=ban+dan",
        "/needs",
        "/initiatives",
    ],
}


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = os.environ.get("E2E_SHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def profile(live_server) -> str:
    """The address of the demo's public, verified expert (Võ Thành Nhân)."""
    from directory.extensions import db
    from directory.people.models import Person

    with live_server.app.app_context():
        person_id = db.session.scalar(
            sa.select(Person.id).where(
                Person.full_name == "Võ Thành Nhân", Person.visibility_profile == "public"
            )
        )
        db.session.remove()
    assert person_id
    return f"/people/{person_id}"


@pytest.fixture(scope="module")
def business(live_server) -> str:
    """The address of a listed demo business (the one with a joint venture in Đà Nẵng, the
    longest page: presence, interests, people)."""
    from directory.businesses.models import Business
    from directory.extensions import db

    with live_server.app.app_context():
        found = db.session.scalars(
            sa.select(Business).where(Business.consent_listed.is_(True)).order_by(Business.id)
        ).all()
        db.session.remove()
    assert found
    joint = [
        b
        for b in found
        if any(p.get("kind") == "joint_venture" for p in b.presence_in_vietnam or [])
    ]
    return f"/businesses/{(joint or found)[0].id}"


def _fits(page, what: str) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{what} is {overflow}px wider than the window"


def _visit(page, url: str, shots: Path, name: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status < 400, (url, response and response.status)
    page.wait_for_load_state()
    _fits(page, url)
    file_name = re.sub(r"[^\w.=+-]+", "_", name).strip("_")
    page.screenshot(path=str(shots / f"{file_name}.png"), full_page=True)


def _check_header(page, width: str) -> None:
    if width == "390":
        height = page.evaluate("document.querySelector('.site-header').offsetHeight")
        assert height <= HEADER_MAX_ON_A_PHONE, f"the header takes {height}px"
        assert page.locator(".main-nav").is_hidden()  # behind the Menu button
    else:
        assert page.locator(".menu-button").is_hidden()
        rows = page.evaluate(
            """[...new Set([...document.querySelectorAll('.main-nav > ul > li')]
                .map(li => Math.round(li.getBoundingClientRect().top)))].length"""
        )
        assert rows == 1, f"the menu takes {rows} rows"


def _check_search(page) -> None:
    """At 390 px the first result shows on the first screen, the filters behind a button."""
    first = page.locator("ol.hits > li").first.bounding_box()
    assert first is not None
    assert first["y"] + 40 <= page.viewport_size["height"], f"the first result is at {first['y']}"
    assert page.locator(".facets").is_hidden()
    page.locator(".facets-button").click()
    assert page.locator(".facets").is_visible()


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("role", list(PAGES))
def test_the_main_pages_of_each_role_fit(
    live_server, new_page, sign_in, shots, profile, business, role, width
):
    page = new_page(**WIDTHS[width])
    if role != "anonymous":
        account = ACCOUNTS[role]
        sign_in(page, account.email, account.password)
    for path in PAGES[role]:
        url = live_server.url + path.format(profile=profile, business=business)
        shown = path.format(profile="profile", business="business").strip("/") or "home"
        _visit(page, url, shots, f"{role}-{width}-{shown}")
        _check_header(page, width)
        if path.startswith("/search") and width == "390":
            _check_search(page)


def test_a_visitor_in_english_on_a_phone(live_server, new_page, shots, profile):
    page = new_page(locale="en-GB", **PHONE)
    for path in ("/", "/search?q=semiconductor", profile, "/needs"):
        _visit(page, live_server.url + path, shots, f"anonymous-en-390-{path.strip('/') or 'home'}")
        assert page.locator("html").get_attribute("lang") == "en"
        _check_header(page, "390")
        if path.startswith("/search"):
            _check_search(page)


def test_the_menus_work_without_javascript(live_server, browser, shots):
    for width, options in WIDTHS.items():
        context = browser.new_context(locale="vi-VN", java_script_enabled=False, **options)
        try:
            page = context.new_page()
            page.goto(f"{live_server.url}/search?q=ban+dan")
            if width == "390":
                assert page.locator(".main-nav").is_hidden()
                page.locator(".menu-button").click()
                assert page.locator(".main-nav a[href='/needs']").is_visible()
                page.locator(".facets-button").click()
                assert page.locator(".facets").is_visible()
            else:
                assert page.locator(".main-nav a[href='/needs']").is_visible()
                assert page.locator(".facets").is_visible()
            page.screenshot(path=str(shots / f"nojs-{width}-search.png"), full_page=True)
        finally:
            context.close()


# --- the Paris officer's import pages ----------------------------------------------------------

HEADERS = ["Họ và tên", "Quốc gia", "Thành phố", "Quê quán", "Email", "Điện thoại"]
ROWS = [
    ["Tôn Nữ Thị Phương Thảo", "Monaco", "Monaco", "Thừa Thiên Huế",
     "phuong-thao.ton-nu@layout.example.org", "+377 6 40 10 20 31"],
    ["Khúc Thừa Dụ Nguyên", "Monaco", "Monaco", "Hải Dương",
     "thua-du.khuc@layout.example.org", "+377 6 40 10 20 32"],
    ["Âu Dương Thanh Tuyền", "Pháp", "Besançon", "Nơi không có",
     "khong-phai-email", "12"],
]  # fmt: skip


def _upload(page, url: str, path: Path) -> str:
    page.goto(f"{url}/imports/")
    form = page.locator("form[action$='/imports/']")
    form.locator("input[type=file][name=file]").set_input_files(str(path))
    form.locator("[type=submit]").first.click()
    page.wait_for_load_state()
    if "/preview" not in page.url:
        page.wait_for_selector("a[href$='/preview']", timeout=60_000)
        page.locator("a[href$='/preview']").first.click()
        page.wait_for_load_state()
    assert page.url.split("?")[0].endswith("/preview"), page.url
    return page.url.split("?")[0]


def test_the_import_preview_and_invitations_fit(live_server, new_page, sign_in, shots, tmp_path):
    url = live_server.url
    source = tmp_path / "hoi-vien-monaco.csv"
    with source.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([HEADERS, *ROWS])
    account = ACCOUNTS["paris"]
    pages = {width: new_page(**options) for width, options in WIDTHS.items()}
    for page in pages.values():
        sign_in(page, account.email, account.password)

    preview = _upload(pages["1280"], url, source)
    for width, page in pages.items():
        _visit(page, preview, shots, f"paris-{width}-import-preview")
        assert page.locator("table.import-preview tbody tr").count() == 3
    # On a phone each row is a card; the action list is wide enough to read.
    phone = pages["390"]
    card = phone.locator("table.import-preview tbody tr").first.bounding_box()
    assert card["width"] <= 390
    select = pages["1280"].locator("table.import-preview select").first
    assert select.evaluate("s => s.scrollWidth <= s.clientWidth + 1")  # "Bỏ qua" in full
    # Compact rows: on a desktop a row of the preview stays a few lines high.
    rows = pages["1280"].locator("table.import-preview tbody tr")
    heights = [rows.nth(i).bounding_box()["height"] for i in range(rows.count())]
    assert max(heights) <= ROW_MAX_ON_A_DESKTOP, f"preview rows are {heights}px high"

    desktop = pages["1280"]
    commit = desktop.locator("form[action$='/commit']")
    commit.locator("input[name=skip_errors]").check()
    commit.locator("[type=submit]").click()
    desktop.wait_for_load_state()
    if desktop.locator("a[href$='/invitations']").count() == 0:
        desktop.wait_for_selector("a[href$='/invitations']", timeout=60_000)
    invitations = preview.replace("/preview", "/invitations")
    for width, page in pages.items():
        _visit(page, invitations, shots, f"paris-{width}-invitations")
        assert page.locator("section[lang=vi] .email-preview").count() == 1
        family = page.locator(".email-preview").first.evaluate(
            "e => getComputedStyle(e).fontFamily"
        )
        assert "mono" not in family.lower()
