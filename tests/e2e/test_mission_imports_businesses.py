"""The Berlin mission imports businesses, and an owner then manages one, in a real browser.

On the demo data, the Berlin embassy officer uploads an XLSX of six businesses in Germany with
Vietnamese headers (the kind is detected from them); the preview flags the one that repeats a
registered German business (same name, spelled without accents and in capitals) and skips it;
the officer commits the other five and links a member to one of them as its owner. The member
signs in on a phone, accepts the link, edits the business page and makes its profile public
and the business listed; a visitor then reads it. Every page fits 1280 px and 390 px.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from directory.seed.cast import DEMO_ACCOUNTS
from search_index.normalize import fold

pytestmark = pytest.mark.browser

OFFICER = next(a for a in DEMO_ACCOUNTS if a.email == "berlin@demo.kieubao.vn")
OWNER = next(a for a in DEMO_ACCOUNTS if a.email == "member@demo.kieubao.vn")
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
HEADERS = [
    "Tên doanh nghiệp",
    "Quốc gia",
    "Thành phố",
    "Ngành",
    "Quy mô",
    "Năm thành lập",
    "Trang web",
    "Hiện diện tại Việt Nam",
    "Quan tâm",
]
NEW = [
    ["Cơ khí Rhein-Mekong GmbH", "Đức", "Köln", "Công nghiệp chế biến, chế tạo", "Vừa", 2004,
     "rhein-mekong.example.de", "Liên doanh: Đà Nẵng", "Đầu tư: Đà Nẵng"],
    ["Bánh mì Hanse UG", "Đức", "Hamburg", "Dịch vụ lưu trú và ăn uống", "Siêu nhỏ", 2019,
     "banhmi-hanse.example.de", "Không", "Nhập khẩu"],
    ["Phần mềm Sông Spree GmbH", "DE", "Berlin", "ict", "Nhỏ", 2015,
     "song-spree.example.de", "", "Chuyển giao công nghệ; Đào tạo"],
    ["Dệt may Bavaria Việt GmbH", "Germany", "München", "Dệt may và da giày", "Lớn", 1998,
     "bavaria-viet.example.de", "Văn phòng đại diện: Hà Nội", "Xuất khẩu"],
    ["Nông sản Elbe KG", "Đức", "Dresden", "Nông nghiệp", "Nhỏ", 2011,
     "nongsan-elbe.example.de", "", ""],
]  # fmt: skip
OWNED = NEW[0][0]
DESCRIPTION = "Gia công cơ khí chính xác cho ngành ô tô, liên doanh tại Đà Nẵng từ 2021."


def _registered_german_business(live_server):
    from directory.businesses.models import Business
    from directory.extensions import db

    with live_server.app.app_context():
        business = db.session.scalar(
            sa.select(Business)
            .where(Business.country == "DE", Business.provenance_mission_id.is_not(None))
            .order_by(Business.name_key)
            .limit(1)
        )
        found = (business.id, business.name)
        db.session.remove()
    return found


def _records(live_server, batch_id: str):
    from directory.businesses.models import Business
    from directory.extensions import db
    from directory.imports.models import ImportBatch
    from directory.people.models import Person

    with live_server.app.app_context():
        batch = db.session.get(ImportBatch, batch_id)
        counts = (batch.kind, batch.status, batch.created_count, batch.skipped_count)
        owned = db.session.scalar(sa.select(Business).where(Business.name == OWNED))
        owner = db.session.scalar(sa.select(Person).where(Person.email == OWNER.email))
        found = (counts, owned.id if owned else None, owner.id if owner else None)
        db.session.remove()
    return found


def _business(live_server, business_id: str):
    from directory.businesses.models import Business
    from directory.extensions import db

    with live_server.app.app_context():
        business = db.session.get(Business, business_id)
        db.session.expunge(business)
        db.session.remove()
    return business


def _fits(page, what: str) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{what} is {overflow}px wider than the window"


def _submit(page, form_selector: str) -> None:
    page.locator(form_selector).locator("[type=submit]").first.click()
    page.wait_for_load_state()


def test_berlin_imports_businesses_and_an_owner_manages_one(
    live_server, new_page, sign_in, tmp_path
):
    url = live_server.url
    existing_id, existing_name = _registered_german_business(live_server)
    duplicate = [fold(existing_name).upper(), "DE", "Berlin", "Xuất nhập khẩu", "Nhỏ", 2010,
                 "", "", ""]  # fmt: skip
    path = tmp_path / "doanh-nghiep-duc-2026.xlsx"
    book = Workbook()
    book.active.append(HEADERS)
    for row in [*NEW[:2], duplicate, *NEW[2:]]:
        book.active.append(row)
    book.save(path)

    # 1. The Berlin officer uploads the workbook; the kind is read from the headers.
    page = new_page(**DESKTOP)
    sign_in(page, OFFICER.email, OFFICER.password)
    page.goto(f"{url}/imports/")
    page.locator("form[action$='/imports/'] input[type=file][name=file]").set_input_files(str(path))
    _submit(page, "form[action$='/imports/']")
    if "/preview" not in page.url:  # read in the background: follow the progress page
        page.wait_for_selector("a[href$='/preview']", timeout=60_000)
        page.locator("a[href$='/preview']").first.click()
        page.wait_for_load_state()
    assert page.url.split("?")[0].endswith("/preview"), page.url
    batch_id = page.url.split("/imports/")[1].split("/")[0]
    assert page.locator("#batch-kind").count() == 1

    # 2. Six rows, no error, the repeated business flagged with a link to it and skipped.
    assert page.locator("table.import-preview tbody tr").count() == 6
    assert page.locator("tr.row-error").count() == 0, page.locator("tr.row-error").all_inner_texts()
    flagged = page.locator("tr.row-duplicate")
    assert flagged.count() == 1, flagged.all_inner_texts()
    assert flagged.locator(f"a[href$='/businesses/{existing_id}']").count() == 1
    assert "cùng tên và quốc gia" in flagged.inner_text()
    assert flagged.locator("select").input_value() == "skip"
    assert "Liên doanh: Đà Nẵng" in page.content()
    _fits(page, "the preview at 1280 px")
    phone = new_page(**PHONE)
    sign_in(phone, OFFICER.email, OFFICER.password)
    phone.goto(f"{url}/imports/{batch_id}/preview")
    _fits(phone, "the preview at 390 px")

    # 3. The commit registers the five new businesses.
    _submit(page, "form[action$='/commit']")
    assert f"/imports/{batch_id}" in page.url
    page.wait_for_selector("text=5 doanh nghiệp đã đăng ký", timeout=60_000)
    (kind, status, created, skipped), owned_id, owner_id = _records(live_server, batch_id)
    assert (kind, status, created, skipped) == ("businesses", "done", 5, 1)
    assert owned_id and owner_id
    assert "5 doanh nghiệp đã đăng ký" in page.content()

    # 4. The officer links the member to the joint-venture company as its owner.
    page.goto(f"{url}/businesses/{owned_id}")
    assert "Cơ khí Rhein-Mekong GmbH" in page.locator("h1").inner_text()
    link_form = page.locator("form[action$='/people']")
    link_form.locator("input[name=person_id]").fill(owner_id)
    link_form.locator("select[name=role]").select_option("owner")
    _submit(page, "form[action$='/people']")

    # 5. The member, on a phone, accepts the link on their profile …
    member = new_page(**PHONE)
    sign_in(member, OWNER.email, OWNER.password)
    member.goto(f"{url}/people/me")
    pending = member.locator("section.businesses .card", has_text=OWNED)
    assert pending.count() == 1
    pending.locator("form[action$='/accept'] [type=submit]").click()
    member.wait_for_load_state()
    _fits(member, "the profile at 390 px")

    # … edits the business, makes its profile public and lists it.
    member.goto(f"{url}/businesses/{owned_id}")
    member.locator(f"a[href$='/businesses/{owned_id}/edit']").click()
    member.wait_for_load_state()
    form = member.locator("form[action$='/edit']")
    form.locator("textarea[name=description]").fill(DESCRIPTION)
    form.locator("select[name=visibility_profile]").select_option("public")
    form.locator("input[name=consent_listed]").check()
    _fits(member, "the business form at 390 px")
    form.locator("[type=submit]").last.click()
    member.wait_for_load_state()
    assert member.url.rstrip("/").endswith(f"/businesses/{owned_id}"), member.url
    assert DESCRIPTION in member.content()
    _fits(member, "the business page at 390 px")
    business = _business(live_server, owned_id)
    assert business.consent_listed and business.visibility_profile == "public"
    assert business.description == DESCRIPTION

    # 6. A visitor now finds the business and reads its profile.
    visitor = new_page(**DESKTOP)
    visitor.goto(f"{url}/businesses/{owned_id}")
    assert DESCRIPTION in visitor.content()
    _fits(visitor, "the business page at 1280 px")


def _business_association_and_business(live_server, offset: int):
    """A business association in Germany (created here if the demo has none) and a German
    business of a name no other business has (the ``offset``-th, by name)."""
    from directory.associations import services
    from directory.associations.models import Association
    from directory.businesses.models import Business
    from directory.extensions import db

    with live_server.app.app_context():
        association = db.session.scalar(
            sa.select(Association)
            .where(Association.kind == "business", Association.country == "DE")
            .order_by(Association.id)
        )
        if association is None:
            from directory.accounts.models import User

            officer = db.session.scalar(sa.select(User).where(User.email == OFFICER.email))
            association = services.create_association(
                {"name": "Hội Doanh nghiệp Việt Nam tại Đức", "kind": "business", "country": "DE"},
                officer,
            )
        names = db.session.scalars(sa.select(Business.name)).all()
        business = [
            b
            for b in db.session.scalars(
                sa.select(Business).where(Business.country == "DE").order_by(Business.name_key)
            )
            if names.count(b.name) == 1
        ][offset]
        found = (association.id, business.id, business.name)
        db.session.remove()
    return found


@pytest.mark.parametrize("width, offset", [(1280, 0), (390, 1)])
def test_the_mission_adds_a_member_business_with_the_picker(
    live_server, new_page, sign_in, width, offset
):
    association_id, business_id, name = _business_association_and_business(live_server, offset)
    page = new_page(viewport={"width": width, "height": 900})
    sign_in(page, OFFICER.email, OFFICER.password)
    page.goto(f"{live_server.url}/associations/{association_id}/businesses")
    box = page.get_by_role("combobox", name="Tìm doanh nghiệp theo tên")
    box.fill(fold(name).split()[0] + " " + fold(name).split()[1])  # without diacritics
    options = page.locator("#person-q-listbox [role=option]")
    options.first.wait_for()
    index = [o.inner_text().startswith(name) for o in options.all()].index(True)
    for _ in range(index + 1):
        box.press("ArrowDown")
    box.press("Enter")
    assert page.locator("[data-picker-chosen]").inner_text().startswith(f"Đã chọn: {name}")
    assert page.locator("[data-picker-form] input[name=business]").input_value() == business_id
    _fits(page, f"the member businesses page at {width} px")
    page.locator("[data-picker-form] [type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".flash-success").count() == 1, page.content()
    assert page.locator("#business-members", has_text=name).count() == 1
    # The association's page and the business's page show the membership.
    page.goto(f"{live_server.url}/associations/{association_id}")
    assert page.locator("#member-businesses + ul", has_text=name).count() == 1
    page.goto(f"{live_server.url}/businesses/{business_id}")
    assert page.locator("#business-associations a[href$='/" + association_id + "']").count() == 1
    _fits(page, f"the business page at {width} px")
