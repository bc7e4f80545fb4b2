"""An embassy imports a contact list and sends claim invitations, in a real browser.

On the demo data, the Paris embassy officer uploads an XLSX of 50 people living in France with
Vietnamese headers, sees the 3 probable duplicates of the demo's French residents in the
preview, merges one field by field (keeping the file's organisation), skips one, creates the
third anyway, commits, and sends the claim invitations; the imported people are then found by
the search at once, typed without accents. At 1280 px and 390 px in Vietnamese: the second run's
file holds other people (other names, emails and phones) but the same three probable
duplicates, and merges another organisation into "Nguyễn Văn An".
"""

from __future__ import annotations

import urllib.parse

import pytest
import sqlalchemy as sa

from directory.seed.cast import DUPLICATE_CANDIDATES
from search_index.normalize import fold, name_key
from tests.e2e.journeys import IDS, VIETNAMESE, assert_language, signed_in

pytestmark = pytest.mark.browser

HEADERS = [
    "Họ và tên",
    "Quốc gia",
    "Thành phố",
    "Quê quán",
    "Lĩnh vực",
    "Chức danh",
    "Cơ quan",
    "Ngôn ngữ",
    "Email",
    "Điện thoại",
    "Năm sinh",
    "Đồng ý công khai",
]
FAMILIES = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ"]
FAMILIES += ["Ngô", "Dương", "Lý", "Khổng"]
MIDDLES = ["Thị", "Văn", "Ngọc", "Minh Thị", "Quốc", "Thanh", "Hữu"]
GIVENS = [
    "Tường Vi",
    "Khải Hoàn",
    "Diễm Quỳnh",
    "Bảo Ngọc",
    "Thục Đoan",
    "Gia Huy",
    "Hải Yến",
    "Phúc Lâm",
    "Thùy Dương",
    "Nhật Quang",
    "Kim Chi",
    "Đăng Khoa",
    "Mỹ Duyên",
    "Trọng Nghĩa",
    "Hồng Nhung",
    "Tuấn Kiệt",
    "Lan Hương",
    "Quang Vinh",
    "Bích Ngân",
    "Đức Trí",
    "Thảo Nguyên",
    "Hoài Nam",
    "Cẩm Tú",
    "Anh Thư",
    "Thiện Nhân",
    "Ngọc Hân",
    "Xuân Trường",
    "Phương Thảo",
    "Việt Hùng",
    "Khánh Linh",
    "Mạnh Cường",
    "Quỳnh Anh",
    "Tùng Lâm",
    "Như Ý",
    "Hiếu Trung",
    "Thu Trang",
    "Bảo Long",
    "Kiều Oanh",
    "Sĩ Nguyên",
    "Ánh Tuyết",
    "Chí Thanh",
    "Hạnh Dung",
    "Lộc Phát",
    "Vân Khánh",
    "Đình Phong",
    "Tố Uyên",
    "Gia Bảo",
]
CITIES = ["Rennes", "Nantes", "Strasbourg", "Montpellier", "Bordeaux", "Lille", "Nice", "Dijon"]
PROVINCES = ["Hà Nội", "Hải Phòng", "Đà Nẵng", "Nghệ An", "Thanh Hóa", "Cần Thơ", "Huế"]
FIELDS = ["Bán dẫn", "Trí tuệ nhân tạo", "Năng lượng tái tạo", "Du lịch", "Chuyển đổi số"]
COUNTRIES = ["Pháp", "FR", "France"]
DOMAIN = "embassy-import.example.org"
# One file per run of the journey (the live server is shared): the second holds other people
# (family and middle names shifted, other phones and emails), yet the same three probable
# duplicates, and it brings "Nguyễn Văn An" another organisation than the first run merged.
RUNS = {
    "1280": {"shift": 0, "phones": 4950, "mail": "", "organisation": "Egis Rail"},
    "390": {"shift": 5, "phones": 5950, "mail": ".2", "organisation": "Systra"},
}


def _duplicates(run: dict) -> dict[str, list]:
    """The demo's French residents, as an association's sheet would spell them: same folded
    name and the same city as the seeded profile, but a new email and phone (so: probable
    duplicates)."""
    block = f"{run['phones'] // 100} {run['phones'] % 100:02d}"  # 4950: "49 50"
    mail = run["mail"]
    return {
        "an": ["Nguyen Van An", "Pháp", "Lyon", "Nghệ An", "Xây dựng", "Kỹ sư cầu đường",
               run["organisation"], "vi; fr", f"an.nguyen-van{mail}@{DOMAIN}",
               f"+33 6 {block} 90 01", None, "có"],
        "mai": ["TRAN Thi Mai", "Pháp", "Paris", "Thái Bình", "Du lịch", "Chủ nhà hàng",
                "Sen Vàng", "vi; fr", f"mai.tran-thi{mail}@{DOMAIN}", f"06 {block} 90 02",
                None, "có"],
        "minh": ["Minh Hoang Duc", "Pháp", "Toulouse", "Hà Nội", "Robot và tự động hóa",
                 "Kỹ sư hàng không", "Airbus", "vi; fr; en", f"minh.hoang-duc{mail}@{DOMAIN}",
                 f"06 {block} 90 03", 1984, "có"],
    }  # fmt: skip


def _people(run: dict) -> list[list]:
    """47 new people living in France, each with a unique folded name, email and phone."""
    rows = []
    shift = run["shift"]
    for i, given in enumerate(GIVENS):
        family = FAMILIES[(i + shift) % len(FAMILIES)]
        middle = MIDDLES[(i + shift) % len(MIDDLES)]
        full_name = f"{family} {middle} {given}"
        local = f"{fold(given).replace(' ', '')}.{fold(family)}.{i}"
        digits = f"{run['phones'] + i:04d}{i:02d}{i * 3 % 100:02d}"
        national = f"06 {digits[0:2]} {digits[2:4]} {digits[4:6]} {digits[6:8]}"
        phone = national if i % 2 else "+33 " + national[1:]
        rows.append(
            [
                full_name,
                COUNTRIES[i % len(COUNTRIES)],
                CITIES[i % len(CITIES)],
                PROVINCES[i % len(PROVINCES)],
                "; ".join(
                    dict.fromkeys([FIELDS[i % len(FIELDS)], FIELDS[(i * 2 + 1) % len(FIELDS)]])
                ),
                "Kỹ sư" if i % 3 else "Nghiên cứu viên",
                "Hội người Việt tại Pháp",
                "vi; fr",
                f"{local}@{DOMAIN}",
                phone,
                1960 + i,
                "có" if i % 4 else "không",
            ]
        )
    return rows


def _build_xlsx(path, width: str) -> list[list]:
    """The run's workbook at ``path``; returns its 50 data rows (the duplicates at rows 9, 24,
    42)."""
    from openpyxl import Workbook

    run = RUNS[width]
    duplicates = _duplicates(run)
    rows = _people(run)
    rows.insert(7, duplicates["an"])
    rows.insert(22, duplicates["mai"])
    rows.insert(40, duplicates["minh"])
    assert len(rows) == 50
    assert len({name_key(r[0]) for r in rows}) == 50
    assert len({r[8] for r in rows}) == 50
    # The other runs' new people are neither this run's people nor their duplicates.
    for other in RUNS.values():
        if other is not run:
            theirs = _people(other)
            assert not {name_key(r[0]) for r in theirs} & {name_key(r[0]) for r in rows}
            assert not {r[8] for r in theirs + list(_duplicates(other).values())} & {
                r[8] for r in rows
            }
            assert not {r[9] for r in theirs + list(_duplicates(other).values())} & {
                r[9] for r in rows
            }
    book = Workbook()
    sheet = book.active
    sheet.title = "Danh sách hội viên"
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return rows


def _submit(page, form_selector: str) -> None:
    page.locator(form_selector).locator("[type=submit]").first.click()
    page.wait_for_load_state()


def _duplicate_row(page, file_name: str):
    return page.locator("tr.row-duplicate", has_text=file_name)


def _batch(live_server, batch_id: str):
    from directory.extensions import db
    from directory.imports.models import ImportBatch

    with live_server.app.app_context():
        batch = db.session.get(ImportBatch, batch_id)
        db.session.expunge(batch)
        db.session.remove()
    return batch


def _person_by_email(live_server, address: str):
    from directory.extensions import db
    from directory.people.models import Person

    with live_server.app.app_context():
        person = db.session.scalar(sa.select(Person).where(Person.email == address))
        if person is not None:
            db.session.expunge(person)
        db.session.remove()
    return person


def _person_by_name(live_server, full_name: str):
    from directory.extensions import db
    from directory.people.models import Person

    with live_server.app.app_context():
        people = db.session.scalars(sa.select(Person).where(Person.full_name == full_name)).all()
        for person in people:
            db.session.expunge(person)
        db.session.remove()
    return people


@pytest.mark.parametrize("width, lang", VIETNAMESE, ids=lambda v: IDS.get(v, v))
def test_officer_imports_50_people_dedupes_commits_invites_and_finds_them(
    live_server, new_page, sign_in, tmp_path, width, lang
):
    url = live_server.url
    xlsx = tmp_path / "hoi-vien-phap-2026.xlsx"
    rows = _build_xlsx(xlsx, width)
    duplicates = _duplicates(RUNS[width])
    organisation_from_file = RUNS[width]["organisation"]

    # 1. The Paris officer uploads the workbook from the import page.
    page = signed_in(live_server, new_page, sign_in, "paris", width, lang)
    page.goto(f"{url}/imports/")
    assert_language(page, lang)
    form = page.locator("form[action$='/imports/']")
    form.locator("input[type=file][name=file]").set_input_files(str(xlsx))
    _submit(page, "form[action$='/imports/']")
    if "/preview" not in page.url:  # a large file: follow the progress page until it is read
        page.wait_for_selector("a[href$='/preview']", timeout=60_000)
        page.locator("a[href$='/preview']").first.click()
        page.wait_for_load_state()
    assert page.url.split("?")[0].endswith("/preview"), page.url
    batch_id = page.url.split("/imports/")[1].split("/")[0]

    # 2. The preview: 50 rows, normalised, no error, exactly the 3 probable duplicates.
    assert page.locator("table.import-preview tbody tr").count() == 50
    assert page.locator("tr.row-error").count() == 0, page.locator("tr.row-error").all_inner_texts()
    flagged = page.locator("tr.row-duplicate")
    assert flagged.count() == 3, flagged.all_inner_texts()
    for spelled in DUPLICATE_CANDIDATES.values():
        assert _duplicate_row(page, spelled).count() == 1, spelled
    batch = _batch(live_server, batch_id)
    assert (batch.total_rows, batch.probable_rows, batch.duplicate_rows) == (50, 3, 0)
    content = page.content()
    assert duplicates["an"][9].replace(" ", "") in content  # phones in E.164
    assert rows[0][9].replace(" ", "") in content  # "+33 6 49 50 00 00" (row 1)
    # Each flagged row links to the seeded profile it resembles.
    for existing in DUPLICATE_CANDIDATES:
        assert page.locator("tr.row-duplicate a", has_text=existing).count() == 1, existing

    # 3. "Nguyen Van An" is merged field by field, taking the organisation from the file.
    _duplicate_row(page, "Nguyen Van An").locator("a[href*='/merge']").click()
    page.wait_for_load_state()
    assert "/merge" in page.url, page.url
    assert page.locator("h1").count() == 1
    assert "Nguyễn Văn An" in page.content() and organisation_from_file in page.content()
    merge_form = page.locator("form[action*='/merge']")
    organisation = merge_form.locator("input[name=choice-organization][value=import]")
    assert merge_form.locator("input[name=choice-organization][value=existing]").is_checked()
    organisation.check()
    _submit(page, "form[action*='/merge']")
    assert "/preview" in page.url, page.url
    assert page.locator(".flash-success").count() >= 1
    assert _duplicate_row(page, "Nguyen Van An").locator("select option[value=merge]").count() == 1

    # 4. "TRAN Thi Mai" is skipped; "Minh Hoang Duc" is created anyway.
    _duplicate_row(page, "TRAN Thi Mai").locator("select").select_option("skip")
    _duplicate_row(page, "Minh Hoang Duc").locator("select").select_option("create")
    _submit(page, "form[action*='/preview']")
    assert page.locator(".flash-success").count() >= 1
    assert _duplicate_row(page, "Minh Hoang Duc").locator("select").input_value() == "create"
    assert _duplicate_row(page, "TRAN Thi Mai").locator("select").input_value() == "skip"
    assert _duplicate_row(page, "Nguyen Van An").locator("select").input_value() == "merge"

    # 5. The file's consent column counts only with the officer's attestation for the batch:
    # the preview warns, and the officer says how and when the people gave consent.
    assert page.locator("#consent-warning").count() == 1
    commit_form = page.locator("form[action$='/commit']")
    commit_form.locator("select[name=consent_source]").select_option("paper")
    commit_form.locator("input[name=consent_date]").fill("2026-01-18")
    commit_form.locator("input[name=consent_reference]").fill("Phiếu đăng ký hội viên 2026")

    # Commit: 48 created (47 new + the one created anyway), 1 merged, 1 skipped.
    _submit(page, "form[action$='/commit']")
    if page.locator("a[href$='/invitations']").count() == 0:
        page.wait_for_selector("a[href$='/invitations']", timeout=60_000)
    batch = _batch(live_server, batch_id)
    assert batch.status == "done"
    assert (batch.created_count, batch.merged_count, batch.skipped_count) == (48, 1, 1)
    an = _person_by_email(live_server, "van-an.nguyen@example.net")
    assert an.organization == organisation_from_file
    assert an.field_sources["organization"]["batch"] == batch_id
    assert an.field_sources["organization"]["source"] == f"import:{xlsx.name}"
    assert len(_person_by_name(live_server, "Trần Thị Mai")) == 1
    assert _person_by_email(live_server, duplicates["mai"][8]) is None
    minh = _person_by_email(live_server, duplicates["minh"][8])
    assert minh is not None and minh.consent_listed  # "có", attested on paper
    assert not _person_by_email(live_server, rows[0][8]).consent_listed  # row 1 says "không"

    # 6. Claim invitations: previewed in Vietnamese and English, sent, reported.
    page.locator("a[href$='/invitations']").first.click()
    page.wait_for_load_state()
    assert page.locator("section[lang=vi] .email-preview").count() == 1
    assert page.locator("section[lang=en] .email-preview").count() == 1
    _submit(page, "form[action$='/invitations']")
    assert page.locator(".flash-success").count() >= 1
    report = page.locator("section[aria-labelledby=report-title]")
    assert report.count() == 1
    sent = _batch(live_server, batch_id).invitation_report["sent"]
    assert sent >= len(rows) - 2, sent
    assert str(sent) in report.inner_text()
    first = rows[0]
    for address in (first[8], duplicates["minh"][8]):
        messages = live_server.messages_to(address)
        assert len(messages) == 1, address
        body = messages[0].get_body(preferencelist=("plain",)).get_content()
        assert f"{url}/claim/" in body
    assert live_server.messages_to(duplicates["mai"][8]) == []

    # 7. Searchable at once, typed without accents.
    for full_name in (first[0], rows[30][0], duplicates["minh"][0]):
        query = urllib.parse.quote_plus(fold(full_name))
        page.goto(f"{url}/search?q={query}")
        results = page.locator("#search-results")
        assert full_name in results.inner_text(), (full_name, results.inner_text()[:500])
    assert_language(page, lang)
