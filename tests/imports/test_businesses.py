"""Batches of businesses through the import preview: reading, checking, duplicates, commit."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import force_locale

from directory.audit import AuditEvent
from directory.businesses.models import Business
from directory.imports import batches, commit, decisions
from directory.imports.columns import detect_kind
from directory.imports.models import ImportBatch, ImportRow
from tests.businesses.conftest import make_business
from tests.imports.conftest import csv_bytes, xlsx_bytes
from tests.imports.test_views import upload

HEADER_EN = [
    "name",
    "country",
    "operates_in",
    "cities",
    "sectors",
    "size_band",
    "founded_year",
    "website",
    "email",
    "phone",
    "presence_in_vietnam",
    "interests",
]
HEADER_VI = [
    "Tên doanh nghiệp",
    "Quốc gia",
    "Hoạt động tại",
    "Thành phố",
    "Ngành",
    "Quy mô",
    "Năm thành lập",
    "Trang web",
    "Thư điện tử",
    "Điện thoại",
    "Hiện diện tại Việt Nam",
    "Quan tâm",
]
GOOD = [
    "Phở Việt SARL",
    "Pháp",
    "Monaco",
    "Paris; Lyon",
    "Dịch vụ lưu trú và ăn uống; food processing",
    "Nhỏ",
    "2012",
    "pho-viet.fr",
    "contact@pho-viet.fr",
    "01 42 00 00 00",
    "Văn phòng đại diện: Hà Nội; joint venture: Đà Nẵng",
    "Đầu tư: Huế, Đà Nẵng; export",
]
SECOND = [
    "Mekong Logistique",
    "FR",
    "",
    "Marseille",
    "transportation",
    "medium",
    "1999",
    "https://mekong-logistique.fr",
    "",
    "",
    "none",
    "import",
]


def _read(mission, officer, data, name="businesses.csv", kind=None):
    batch = batches.start_batch(data, name, mission, officer, kind=kind)
    return batches.read_batch(batch.id)


def _rows(db, batch):
    return db.session.scalars(
        sa.select(ImportRow).where(ImportRow.batch_id == batch.id).order_by(ImportRow.row_number)
    ).all()


def _commit(db, batch, officer, *, skip_errors=False):
    size = decisions.start_commit(batch, officer, skip_errors=skip_errors, evidence=None)
    assert size
    return commit.commit_batch(batch.id, officer.id)


def test_the_kind_is_detected_from_the_headers():
    assert detect_kind(HEADER_EN) == "businesses"
    assert detect_kind(HEADER_VI) == "businesses"
    assert detect_kind(["name", "email", "sector"]) == "businesses"
    # A person's own column (hometown) makes it a file of people; "name" alone says neither.
    assert detect_kind(["name", "sector", "hometown"]) == "people"
    assert detect_kind(["Họ và tên", "Quốc gia"]) == "people"
    assert detect_kind(["name", "email"]) == "people"


def test_a_business_file_in_vietnamese_is_read_checked_and_committed(db, mission, officer):
    batch = _read(mission, officer, xlsx_bytes(header=HEADER_VI, rows=[GOOD, SECOND]), "dn.xlsx")
    assert batch.kind == "businesses" and batch.status == "ready"
    assert batch.error_rows == 0 and batch.duplicate_rows == 0
    first = _rows(db, batch)[0]
    assert first.values["country"] == "FR" and first.values["operates_in"] == ["MC"]
    assert first.values["sectors"] == ["hospitality", "food-processing"]
    assert first.values["size_band"] == "small" and first.values["founded_year"] == 2012
    assert first.values["website"] == "https://pho-viet.fr"
    assert first.values["phone"] == "+33142000000"
    assert first.values["presence_in_vietnam"] == [
        {"kind": "representative_office", "province": "ha-noi"},
        {"kind": "joint_venture", "province": "da-nang"},
    ]
    assert [i["kind"] for i in first.values["interests"]] == ["investment", "export"]
    assert first.values["interests"][0]["provinces"] == ["hue", "da-nang"]

    batch = _commit(db, batch, officer)
    assert batch.status == "done" and batch.created_count == 2
    pho = db.session.scalar(sa.select(Business).where(Business.name == "Phở Việt SARL"))
    assert pho.id == first.person_id
    assert pho.provenance_mission_id == mission.id and pho.registered_by_id == officer.id
    assert pho.consent_listed is False and pho.visibility_contact == "officials"
    assert pho.cities == ["Paris", "Lyon"] and pho.website_domain == "pho-viet.fr"
    second = db.session.scalar(sa.select(Business).where(Business.name == "Mekong Logistique"))
    assert second.presence_in_vietnam == [{"kind": "none", "province": None}]
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action.in_(("business.create", "import.commit")))
    ).all()
    created = [e for e in events if e.action == "business.create"]
    assert {e.object_id for e in created} == {pho.id, second.id}
    assert all(e.details["import"] == batch.id for e in created)
    (summary,) = [e for e in events if e.action == "import.commit"]
    assert summary.details["kind"] == "businesses" and summary.details["created"] == 2


def test_the_kind_chosen_on_upload_wins(db, mission, officer):
    # "name" and "email" alone would be read as people; the officer says businesses.
    data = csv_bytes(header=["name", "country", "sector"], rows=[["Bánh Mì Co", "FR", "ict"]])
    batch = _read(mission, officer, data, kind="businesses")
    assert batch.kind == "businesses" and batch.status == "ready"
    assert _rows(db, batch)[0].values["sectors"] == ["ict"]
    refused = _read(mission, officer, csv_bytes(header=["email"], rows=[["a@b.fr"]]), kind=None)
    assert refused.status == "failed" and refused.error_code == "missing_name_column"
    refused = _read(
        mission, officer, csv_bytes(header=["sector"], rows=[["ict"]]), kind="businesses"
    )
    assert refused.status == "failed" and refused.error_code == "missing_business_name_column"


def test_bad_values_are_reported_per_row_and_column_and_nothing_is_written(
    app, db, mission, officer
):
    bad_rows = [
        ["Alpha GmbH", "Narnia", "", "", "ict", "", "", "", "", "", "", ""],
        ["Beta SARL", "FR", "", "", "alchemy", "", "", "", "", "", "", ""],
        ["Gamma SARL", "FR", "", "", "ict", "", "2999", "", "", "", "", ""],
        ["Delta SARL", "FR", "", "", "ict", "", "", "ftp://delta.fr", "", "", "", ""],
        ["Epsilon SARL", "FR", "", "", "ict", "", "", "", "", "", "kiosk: Huế", ""],
        ["Zeta SARL", "FR", "", "", "ict", "", "", "", "", "", "subsidiary: Atlantis", ""],
        ["Eta SARL", "FR", "", "", "ict", "huge", "", "", "", "", "", "tourism"],
        ["Theta GmbH", "DE", "", "", "ict", "", "", "", "", "", "", ""],
        ["Iota SARL", "FR", "", "", "ict", "", "", "", "", "", "", ""],
    ]
    with force_locale("en"):
        batch = _read(mission, officer, csv_bytes(header=HEADER_EN, rows=bad_rows))
    assert batch.kind == "businesses" and batch.error_rows == 8
    rows = _rows(db, batch)
    errors = {
        r.row_number: {i["field"]: i for i in r.issues if i["level"] == "error"} for r in rows
    }
    assert set(errors[2]) == {"country"} and "Narnia" in errors[2]["country"]["message"]
    assert set(errors[3]) == {"sectors"} and "alchemy" in errors[3]["sectors"]["message"]
    assert set(errors[4]) == {"founded_year"}
    assert set(errors[5]) == {"website"}
    assert set(errors[6]) == {"presence_in_vietnam"}
    assert errors[6]["presence_in_vietnam"]["code"] == "unknown_presence"
    assert "Atlantis" in errors[7]["presence_in_vietnam"]["message"]
    assert set(errors[8]) == {"size_band", "interests"}
    assert errors[9]["country"]["code"] == "business_outside_mission"
    assert errors[10] == {}
    # The row's good values are still shown beside its errors.
    assert rows[1].values["name"] == "Beta SARL" and rows[1].values["country"] == "FR"
    # The messages of the business domain are kept in both languages.
    assert "Narnia" in errors[2]["country"]["messages"]["vi"]
    assert errors[2]["country"]["messages"]["vi"] != errors[2]["country"]["messages"]["en"]
    # The commit is refused until the officer accepts that those rows are left out: nothing.
    try:
        decisions.start_commit(batch, officer, skip_errors=False, evidence=None)
    except decisions.CommitRefused as exc:
        assert exc.code == "errors_not_confirmed"
    else:
        raise AssertionError("the commit should be refused")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Business)) == 0
    assert db.session.get(ImportBatch, batch.id).status == "ready"
    done = _commit(db, batch, officer, skip_errors=True)
    assert done.created_count == 1
    assert db.session.scalars(sa.select(Business.name)).all() == ["Iota SARL"]


def test_duplicates_by_name_and_country_or_website_are_flagged_with_evidence(db, mission, officer):
    registered = make_business(
        name="PHO VIET sarl", country="FR", sectors=["hospitality"], cities=["Paris"]
    )
    by_site = make_business(
        name="Autre Nom", country="DE", website="https://www.mekong-logistique.fr"
    )
    same_file = [*SECOND]
    same_file[0] = "Mekong Logistique SAS"  # another name, same website as row 3
    batch = _read(mission, officer, csv_bytes(header=HEADER_EN, rows=[GOOD, SECOND, same_file]))
    assert batch.duplicate_rows == 3
    first, second, third = _rows(db, batch)
    (match,) = first.matches
    assert match["business_id"] == registered.id and match["reason"] == "name_country"
    assert "sectors" in match["agree"] and "country" in match["agree"]
    assert first.decision == "skip" and second.decision == "skip"
    assert second.matches[0]["business_id"] == by_site.id
    assert second.matches[0]["reason"] == "website" and "country" in second.matches[0]["differ"]
    assert [m.get("row") for m in third.matches] == [None, 3]
    # The officer completes the registered business with the first row, creates the third.
    decisions.apply_decisions(batch, {first.id: "merge", third.id: "create"}, officer)
    assert db.session.get(ImportRow, first.id).merge_target_id == registered.id
    # A business the officer may not edit (registered in Germany only) cannot be merged into.
    assert decisions.apply_decisions(batch, {second.id: "merge"}, officer) == 1
    done = _commit(db, batch, officer)
    assert (done.created_count, done.merged_count, done.skipped_count) == (1, 1, 1)
    db.session.refresh(registered)
    assert registered.name == "PHO VIET sarl" and registered.cities == ["Paris", "Lyon"]
    assert registered.sectors == ["hospitality", "food-processing"]
    assert registered.website == "https://pho-viet.fr" and registered.size_band == "small"
    update = db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.action == "business.update", AuditEvent.object_id == registered.id
        )
    )
    assert update.details["import"] == batch.id and "cities" in update.details["changed"]


def test_the_preview_shows_business_columns_and_duplicates_in_both_languages(
    client, login, db, mission, officer
):
    make_business(name="Phở Việt SARL", country="FR")
    login(officer)
    again = [*SECOND]
    again[0] = "Mekong Logistique SARL"  # the same website as the row before it
    data = csv_bytes(header=HEADER_EN, rows=[GOOD, SECOND, again])
    response = upload(client, data, "dn.csv")
    assert response.status_code == 302
    batch = db.session.scalar(sa.select(ImportBatch))
    client.post("/lang/en")
    page = client.get(f"/imports/{batch.id}/preview").get_data(as_text=True)
    assert "One business per row" in page and "Business name" in page
    assert "Representative office: Hanoi" in page and "same name and country" in page
    assert "Complete the registered business" in page
    assert page.count("Complete the registered business") == 1  # not for a row of the file
    assert "row 3 of this file" in page and "same website" in page
    client.post("/lang/vi")
    page = client.get(f"/imports/{batch.id}/preview").get_data(as_text=True)
    assert "Văn phòng đại diện: Hà Nội" in page and "cùng tên và quốc gia" in page


def test_a_business_file_larger_than_a_commit_chunk(db, mission, officer):
    from directory.imports.analysis import CHUNK

    count = CHUNK + 150
    rows = [
        [f"Công ty {i}", "FR", "", "Paris", "ict", "", "", f"https://c{i}.fr", "", "", "", ""]
        for i in range(count)
    ]
    rows.append(["Công ty 7", "Pháp", "", "", "ict", "", "", "", "", "", "", ""])
    batch = _read(mission, officer, csv_bytes(header=HEADER_EN, rows=rows))
    assert batch.total_rows == count + 1 and batch.duplicate_rows == 1
    done = _commit(db, batch, officer)
    assert done.created_count == count and done.skipped_count == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Business)) == count
    last = db.session.scalar(sa.select(Business).where(Business.name == f"Công ty {count - 1}"))
    assert last.website_domain == f"c{count - 1}.fr" and last.sectors == ["ict"]


def test_the_people_command_reads_people_only(db, mission):
    from directory.imports.jobs import import_file_now
    from directory.imports.reader import ImportFileError

    data = csv_bytes(header=HEADER_VI, rows=[GOOD])
    try:
        import_file_now(data, "dn.csv", mission, None)
    except ImportFileError as exc:
        assert exc.code == "missing_name_column"
    else:
        raise AssertionError("a file of businesses is not a file of people")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Business)) == 0
