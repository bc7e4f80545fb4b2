"""The import pages: upload, preview, merge, commit, status and who may see a batch."""

from __future__ import annotations

import io
import threading
import time

import pytest
import sqlalchemy as sa

from directory.imports.models import ImportBatch, ImportRow
from directory.people.models import Person
from tests.factories import PersonFactory, UserFactory
from tests.imports.conftest import HEADER_VI, ROWS, csv_bytes, csv_text, to_cp1258, xlsx_bytes

MB = 1024 * 1024


def upload(client, data: bytes, name: str = "people.csv", **fields):
    """POST the file; the request body (spooled to a temporary file when large) is closed."""
    from werkzeug.test import EnvironBuilder

    form = {"file": (io.BytesIO(data), name), **fields}
    builder = EnvironBuilder(
        path="/imports/",
        method="POST",
        data=form,
        content_type="multipart/form-data",
        base_url="http://localhost/",
    )
    environ = builder.get_environ()
    try:
        return client.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()


def people_count(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Person))


def test_the_upload_page_is_for_embassy_officers(client, login, officer):
    assert client.get("/imports/").status_code in (302, 401)
    member = UserFactory(role="member")
    login(member)
    assert client.get("/imports/").status_code == 403
    login(officer)
    page = client.get("/imports/")
    assert page.status_code == 200
    assert "Họ và tên" in page.get_data(as_text=True)


def test_upload_preview_and_commit(client, login, db, officer):
    login(officer)
    response = upload(client, xlsx_bytes(header=HEADER_VI), "danh-sach.xlsx")
    assert response.status_code == 302
    batch = db.session.scalar(sa.select(ImportBatch))
    assert response.headers["Location"].endswith(f"/imports/{batch.id}/preview")
    page = client.get(f"/imports/{batch.id}/preview").get_data(as_text=True)
    assert "Nguyễn Văn An" in page
    assert "+33612345678" in page  # E.164
    assert "Đà Nẵng" in page and "Lào Cai" in page  # Yên Bái shown as its province today
    assert people_count(db) == 0  # nothing written before the officer confirms
    response = client.post(f"/imports/{batch.id}/commit", data={})
    assert response.status_code == 302
    assert people_count(db) == 2
    done = client.get(f"/imports/{batch.id}").get_data(as_text=True)
    assert "/invitations" in done


def test_preview_reports_unknown_columns_and_cell_errors(client, login, db, officer):
    login(officer)
    header = [*HEADER_VI, "Ghi chú"]
    rows = [[*ROWS[0], "ghi chú riêng"], ["Lê Văn D", "Đức", "Berlin", "Huế", "x", "", "", ""]]
    upload(client, csv_bytes(header=header, rows=[r + [""] * (9 - len(r)) for r in rows]))
    batch = db.session.scalar(sa.select(ImportBatch))
    assert batch.unknown_columns == ["Ghi chú"]
    client.post("/lang/en")
    page = client.get(f"/imports/{batch.id}/preview").get_data(as_text=True)
    assert "Ghi chú" in page
    assert "lives outside your mission" in page
    assert "not a valid email" in page


def test_committing_with_error_rows_needs_an_explicit_confirmation(client, login, db, officer):
    login(officer)
    rows = [ROWS[0], ["Lê Văn D", "DE", "Berlin", "Huế", "d@example.de", "", "", ""]]
    upload(client, csv_bytes(rows=rows))
    batch = db.session.scalar(sa.select(ImportBatch))
    client.post(f"/imports/{batch.id}/commit", data={})
    assert people_count(db) == 0
    client.post(f"/imports/{batch.id}/commit", data={"skip_errors": "y"})
    assert people_count(db) == 1


def test_decisions_are_saved_from_the_preview(client, login, db, officer):
    PersonFactory(full_name="Nguyễn Văn An", birth_year=1980, email=None, phone=None)
    login(officer)
    upload(client, csv_bytes())
    batch = db.session.scalar(sa.select(ImportBatch))
    first = db.session.scalar(sa.select(ImportRow).where(ImportRow.row_number == 2))
    assert first.decision == "skip" and first.match_kind == "probable"
    page = client.get(f"/imports/{batch.id}/preview?show=duplicates").get_data(as_text=True)
    assert "Probable duplicate" in page or "Có thể trùng" in page
    client.post(f"/imports/{batch.id}/preview", data={f"decision-{first.id}": "create"})
    db.session.refresh(first)
    assert first.decision == "create"


def test_merge_screen_shows_both_values_and_saves_the_choices(client, login, db, officer, mission):
    existing = PersonFactory(
        full_name="Nguyễn Văn An",
        email="an@example.fr",
        city="Lyon",
        phone=None,
        provenance_mission_id=mission.id,
        provenance="mission",
    )
    login(officer)
    upload(client, csv_bytes())
    batch = db.session.scalar(sa.select(ImportBatch))
    dup = db.session.scalar(sa.select(ImportRow).where(ImportRow.row_number == 2))
    url = f"/imports/{batch.id}/rows/{dup.id}/merge?person={existing.id}"
    page = client.get(url).get_data(as_text=True)
    assert "Lyon" in page and "Paris" in page
    assert 'name="choice-city"' in page
    client.post(url, data={"choice-city": "import", "choice-phone": "import"})
    db.session.refresh(dup)
    assert dup.decision == "merge" and dup.merge_target_id == existing.id
    client.post(f"/imports/{batch.id}/commit", data={})
    person = db.session.get(Person, existing.id)
    assert person.city == "Paris"
    assert person.field_sources["city"]["source"] == "import:people.csv"


def test_after_commit_the_merge_page_shows_the_committed_state_read_only(
    client, login, db, officer, mission
):
    existing = PersonFactory(
        full_name="Nguyễn Văn An",
        email="an@example.fr",
        city="Lyon",
        phone=None,
        provenance_mission_id=mission.id,
        provenance="mission",
    )
    login(officer)
    upload(client, csv_bytes())
    batch = db.session.scalar(sa.select(ImportBatch))
    dup = db.session.scalar(sa.select(ImportRow).where(ImportRow.row_number == 2))
    url = f"/imports/{batch.id}/rows/{dup.id}/merge?person={existing.id}"
    page = client.get(url).get_data(as_text=True)
    # The first column's header is not the word of the "Fields" row (Vietnamese: "Lĩnh vực").
    header = page.split("<thead>")[1].split("</th>")[0]
    assert "Mục hồ sơ" in header and "Lĩnh vực" not in header
    client.post(url, data={"choice-city": "import"})
    client.post(f"/imports/{batch.id}/commit", data={})
    db.session.refresh(batch)
    assert batch.status == "done"
    response = client.get(url)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="committed-state"' in page and 'name="choice-city"' not in page
    response = client.post(url, data={"choice-city": "existing"})
    assert response.status_code == 409
    assert db.session.get(Person, existing.id).city == "Paris"


def test_the_preview_shows_the_evidence_of_a_match(client, login, db, officer, mission):
    PersonFactory(full_name="Nguyễn Văn An", birth_year=1980, email=None, phone=None)
    login(officer)
    with client.session_transaction() as sess:
        sess["lang"] = "en"
    upload(client, csv_bytes())
    batch = db.session.scalar(sa.select(ImportBatch))
    page = client.get(f"/imports/{batch.id}/preview?show=duplicates").get_data(as_text=True)
    assert "match-evidence" in page and "Same:" in page


def test_a_batch_is_invisible_to_other_missions(client, login, db, officer, other_officer):
    login(officer)
    upload(client, csv_bytes())
    batch = db.session.scalar(sa.select(ImportBatch))
    login(other_officer)
    assert client.get(f"/imports/{batch.id}").status_code == 404
    assert client.get(f"/imports/{batch.id}/preview").status_code == 404
    assert client.get(f"/imports/{batch.id}/status.json").status_code == 404
    assert client.post(f"/imports/{batch.id}/commit", data={}).status_code == 404
    assert people_count(db) == 0


def test_admin_imports_for_a_chosen_mission(client, login, db, admin, mission):
    login(admin)
    response = upload(client, csv_bytes(), mission=mission.id)
    assert response.status_code == 302
    assert db.session.scalar(sa.select(ImportBatch)).mission_id == mission.id


def test_an_officer_always_imports_for_their_own_mission(client, login, db, officer, other_officer):
    login(officer)
    upload(client, csv_bytes(), mission=other_officer.mission_id)
    assert db.session.scalar(sa.select(ImportBatch)).mission_id == officer.mission_id


BAD_FILES = [
    ("not a spreadsheet", b"%PDF-1.7 binary", "list.pdf", "not a spreadsheet"),
    ("empty", b"", "empty.csv", "file is empty"),
    ("headers only", csv_bytes(rows=[]), "h.csv", "headers but no rows"),
    ("duplicated headers", b"full_name,email,Email\r\nA,a@b.fr,\r\n", "d.csv", "more than once"),
    (
        "formula",
        xlsx_bytes(rows=[[*ROWS[0][:7], "=1900+80"]]),
        "f.xlsx",
        "Cell H2 contains a formula",
    ),
    (
        "encoding",
        csv_text(["full_name"], [["An"]]).encode("utf-16-le"),
        "e.csv",
        "could not be read",
    ),
    ("1,000 columns", csv_bytes(rows=[["A"] * 1000]), "c.csv", "1000 columns"),
    ("cell of 1 MB", csv_bytes(rows=[["A" * MB]]), "m.csv", "Cell A2 is too long"),
]


@pytest.mark.parametrize("label, data, name, message", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_files_get_a_clear_message_and_nothing_is_written(
    client, login, db, officer, label, data, name, message
):
    login(officer)
    client.post("/lang/en")
    response = upload(client, data, name)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "This file cannot be imported." in page
    assert message in page
    assert "Nothing was saved." in page
    assert people_count(db) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ImportRow)) == 0


def test_a_file_over_ten_megabytes_is_refused(client, login, db, app, officer):
    app.config["IMPORT_MAX_BYTES"] = 1000
    login(officer)
    client.post("/lang/en")
    response = upload(client, csv_bytes(rows=ROWS * 50))
    assert response.status_code == 422
    assert "larger than" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(ImportBatch)) is None


def test_bad_file_message_in_vietnamese(client, login, officer):
    login(officer)
    client.post("/lang/vi")
    page = upload(client, b"", "empty.csv").get_data(as_text=True)
    assert "Tệp trống" in page or "tệp trống" in page


def test_windows_1258_upload(client, login, db, officer):
    login(officer)
    upload(client, to_cp1258(csv_text(HEADER_VI, ROWS)))
    row = db.session.scalar(sa.select(ImportRow).where(ImportRow.row_number == 2))
    assert row.values["full_name"] == "Nguyễn Văn An"


def test_large_uploads_run_in_the_background_with_a_progress_page(client, login, db, app, officer):
    app.config["IMPORT_RUN_INLINE"] = False
    app.config["IMPORT_INLINE_BYTES"] = 10
    app.config["IMPORT_INLINE_ROWS"] = 0
    login(officer)
    response = upload(client, csv_bytes())
    batch_id = db.session.scalar(sa.select(ImportBatch.id))
    assert response.headers["Location"].endswith(f"/imports/{batch_id}")
    page = client.get(f"/imports/{batch_id}").get_data(as_text=True)
    assert "js/imports.js" in page
    assert 'http-equiv="refresh"' not in page
    status = _wait(client, batch_id, "ready")
    assert status["percent"] == 100 and status["total_rows"] == 2
    client.post(f"/imports/{batch_id}/commit", data={})
    _wait(client, batch_id, "done")
    # The job's thread goes on after "done" (search sync, releasing its connection): let it end
    # before the test's engine is disposed, or its connection is collected open.
    for thread in threading.enumerate():
        if thread.name == f"import-{batch_id}":
            thread.join(timeout=30)
    db.session.expire_all()
    assert people_count(db) == 2


def _wait(client, batch_id, wanted, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        data = client.get(f"/imports/{batch_id}/status.json").get_json()
        if data["status"] == wanted:
            return data
        assert data["status"] != "failed"
        time.sleep(0.1)
    raise AssertionError(f"batch did not reach {wanted}")


def test_status_page_without_javascript_offers_a_reload_link(client, login, db, officer, mission):
    batch = ImportBatch(file_name="x.csv", mission_id=mission.id, status="reading", total_rows=10)
    db.session.add(batch)
    db.session.commit()
    login(officer)
    page = client.get(f"/imports/{batch.id}").get_data(as_text=True)
    assert "<progress" in page and f'href="/imports/{batch.id}"' in page
