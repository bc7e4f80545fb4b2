"""``flask people import FILE --mission CODE [--dry-run]``."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from directory.imports.models import ImportBatch
from directory.people.models import Person
from tests.factories import PersonFactory
from tests.imports.conftest import HEADER_VI, ROWS, csv_bytes, csv_text, xlsx_bytes

MB = 1024 * 1024


def run(runner, tmp_path, data: bytes, name: str = "people.csv", *args):
    path = tmp_path / name
    path.write_bytes(data)
    return runner.invoke(args=["people", "import", str(path), "--mission", "PARIS", *args])


def people(db) -> list[str]:
    return sorted(db.session.scalars(sa.select(Person.full_name)))


def test_import_writes_the_people_and_exits_zero(runner, db, tmp_path, mission):
    result = run(runner, tmp_path, xlsx_bytes(header=HEADER_VI), "danh-sach.xlsx")
    assert result.exit_code == 0, result.output
    assert "imported: 2 row(s): 2 to create" in result.output
    assert people(db) == ["Nguyễn Văn An", "Trần Thị Bích"]
    person = db.session.scalar(sa.select(Person).where(Person.full_name == "Nguyễn Văn An"))
    assert person.provenance_source == "import:danh-sach.xlsx"
    assert person.provenance_mission_id == mission.id
    assert db.session.scalar(sa.select(ImportBatch)).created_count == 2


def test_dry_run_writes_nothing(runner, db, tmp_path, mission):
    result = run(runner, tmp_path, csv_bytes(), "people.csv", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "dry run: 2 row(s): 2 to create" in result.output
    assert people(db) == []
    assert db.session.scalar(sa.select(ImportBatch)) is None


def test_a_row_with_errors_rejects_the_file_with_a_row_report(runner, db, tmp_path, mission):
    rows = [ROWS[0], ["Lê Văn D", "Đức", "Berlin", "Huế", "nope", "", "", ""]]
    result = run(runner, tmp_path, csv_bytes(rows=rows))
    assert result.exit_code == 1
    assert "row 3: error: country: This person lives outside your mission's countries" in (
        result.output
    )
    assert "row 3: error: email: This is not a valid email address." in result.output
    assert "nothing was written" in result.output
    assert people(db) == []


def test_duplicates_are_skipped_and_reported(runner, db, tmp_path, mission):
    PersonFactory(full_name="Nguyễn Văn An", email="an@example.fr")
    result = run(runner, tmp_path, csv_bytes())
    assert result.exit_code == 0, result.output
    assert "row 2: duplicate of person" in result.output
    assert people(db) == ["Nguyễn Văn An", "Trần Thị Bích"]


def test_duplicates_can_reject_the_file(runner, db, tmp_path, mission):
    PersonFactory(full_name="Nguyễn Văn An", email="an@example.fr")
    result = run(runner, tmp_path, csv_bytes(), "people.csv", "--duplicates", "fail")
    assert result.exit_code == 1
    assert people(db) == ["Nguyễn Văn An"]


def test_unknown_mission_is_an_error(runner, db, tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes(csv_bytes())
    result = runner.invoke(args=["people", "import", str(path), "--mission", "NOPE"])
    assert result.exit_code != 0 and "unknown mission" in result.output


BAD_FILES = [
    ("not a spreadsheet", b"%PDF-1.7", "list.pdf", "This is not a spreadsheet"),
    ("empty", b"", "empty.csv", "The file is empty"),
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
    (
        "over 10 MB",
        b"full_name\r\n" + b"Nguyen Van An\r\n" * 800_000,
        "big.csv",
        "larger than 10 MB",
    ),
]


@pytest.mark.parametrize("label, data, name, message", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_files_exit_non_zero_with_a_clear_message(
    runner, db, tmp_path, mission, label, data, name, message
):
    result = run(runner, tmp_path, data, name)
    assert result.exit_code == 2
    assert message in result.output
    assert "nothing was written" in result.output
    assert people(db) == []
    assert db.session.scalar(sa.select(ImportBatch)) is None
