"""Reading files: encodings, delimiters, header languages, XLSX sheets, and refused files."""

from __future__ import annotations

import unicodedata

import pytest

from directory.imports.reader import ImportFileError, read_file
from tests.imports.conftest import (
    HEADER_EN,
    HEADER_VI,
    ROWS,
    csv_bytes,
    csv_text,
    to_cp1258,
    xlsx_bytes,
)

MB = 1024 * 1024


def read(data: bytes, name: str = "people.csv", **kwargs):
    return read_file(data, name, max_bytes=10 * MB, **kwargs)


def names(sheet) -> list[str]:
    return [values["full_name"] for _number, values, _extra in sheet.rows]


@pytest.mark.parametrize(
    "encoding, expected",
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("utf-16", "utf-16")],
)
def test_csv_is_read_in_utf8_with_or_without_bom_and_utf16(encoding, expected):
    sheet = read(csv_bytes(encoding=encoding))
    assert sheet.details["encoding"] == expected
    assert names(sheet) == ["Nguyễn Văn An", "Trần Thị Bích"]
    assert sheet.rows[0][1]["hometown"] == "Đà Nẵng"


def test_windows_1258_with_combining_tone_marks_is_composed():
    # Windows-1258 stores "ễ" as "ê" + a combining tilde: the text must come back composed (NFC).
    data = to_cp1258(csv_text(HEADER_EN, ROWS))
    assert "ễ".encode() not in data and b"\xea\xde" in data  # ê + combining tilde
    sheet = read(data)
    assert sheet.details["encoding"] == "cp1258"
    assert names(sheet) == ["Nguyễn Văn An", "Trần Thị Bích"]
    assert unicodedata.is_normalized("NFC", names(sheet)[0])
    assert sheet.rows[0][1]["hometown"] == "Đà Nẵng"


@pytest.mark.parametrize("delimiter, label", [(",", "comma"), (";", "semicolon"), ("\t", "tab")])
def test_delimiter_is_detected(delimiter, label):
    sheet = read(csv_bytes(delimiter=delimiter))
    assert sheet.details["delimiter"] == label
    assert sheet.rows[1][1]["email"] == "bich@example.fr"


def test_a_semicolon_file_keeps_commas_inside_cells():
    rows = [["Lê, Minh", "FR", "Paris", "Huế", "le@example.fr", "", "AI; logistics", "1990"]]
    sheet = read(csv_bytes(rows=rows, delimiter=";"))
    assert sheet.rows[0][1]["full_name"] == "Lê, Minh"
    assert sheet.rows[0][1]["fields"] == "AI; logistics"


def test_vietnamese_headers_match_whatever_the_case_or_accents():
    header = [
        "HỌ VÀ TÊN",
        "quoc gia",
        "Thành Phố",
        "que quan",
        "EMAIL",
        "điện thoại",
        "Linh vuc",
        "năm sinh",
    ]
    sheet = read(csv_bytes(header=header))
    assert sheet.columns == HEADER_EN
    assert sheet.unknown_columns == []


def test_contract_vietnamese_headers_match():
    sheet = read(csv_bytes(header=HEADER_VI))
    assert sheet.columns == HEADER_EN


def test_unknown_columns_are_reported_not_dropped_silently():
    header = [*HEADER_EN, "Ghi chú", "Shoe size"]
    rows = [[*ROWS[0], "gặp ở hội nghị", "42"]]
    sheet = read(csv_bytes(header=header, rows=rows))
    assert sheet.unknown_columns == ["Ghi chú", "Shoe size"]


def test_values_beyond_the_headers_are_reported_on_the_row():
    rows = [[*ROWS[0], "", "stray value"]]
    sheet = read(csv_bytes(rows=rows))
    assert sheet.rows[0][2] == ["stray value"]


def test_blank_rows_are_ignored():
    rows = [ROWS[0], [""] * 8, ROWS[1]]
    assert len(read(csv_bytes(rows=rows)).rows) == 2


def test_xlsx_first_sheet_is_read_by_default():
    data = xlsx_bytes(sheets={"Danh sách": (HEADER_VI, ROWS), "Khác": (HEADER_EN, [ROWS[1]])})
    sheet = read(data, "people.xlsx")
    assert sheet.file_format == "xlsx"
    assert sheet.details["sheet"] == "Danh sách"
    assert names(sheet) == ["Nguyễn Văn An", "Trần Thị Bích"]


def test_xlsx_chosen_sheet_is_read():
    data = xlsx_bytes(sheets={"Danh sách": (HEADER_VI, ROWS), "Khác": (HEADER_EN, [ROWS[1]])})
    sheet = read(data, "people.xlsx", sheet_name="Khác")
    assert names(sheet) == ["Trần Thị Bích"]


def test_xlsx_numbers_become_plain_text():
    rows = [["Phạm Thu Hà", "FR", "Paris", "Hà Nội", "ha@example.fr", "+33612345670", "AI", 1985]]
    sheet = read(xlsx_bytes(rows=rows), "people.xlsx")
    assert sheet.rows[0][1]["birth_year"] == "1985"


# --- refused files --------------------------------------------------------------------------


def refused(data: bytes, name: str = "people.csv", **kwargs) -> ImportFileError:
    with pytest.raises(ImportFileError) as info:
        read_file(data, name, max_bytes=kwargs.pop("max_bytes", 10 * MB), **kwargs)
    return info.value


def test_a_pdf_is_not_a_spreadsheet():
    assert refused(b"%PDF-1.4\n...binary...", "list.pdf").code == "not_spreadsheet"


def test_a_word_document_is_not_a_spreadsheet():
    assert refused(b"PK\x03\x04 not really a workbook", "list.docx").code == "not_spreadsheet"


def test_a_broken_zip_named_xlsx_is_not_a_spreadsheet():
    assert refused(b"PK\x03\x04garbage", "list.xlsx").code == "not_spreadsheet"


def test_old_excel_format_gets_its_own_message():
    assert (
        refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "list.xls").code == "old_excel"
    )


def test_an_empty_file_is_refused():
    assert refused(b"").code == "empty"
    assert refused(b"\xef\xbb\xbf\r\n  \r\n").code == "empty"


def test_headers_only_is_refused():
    assert refused(csv_bytes(rows=[])).code == "headers_only"
    assert refused(xlsx_bytes(rows=[]), "x.xlsx").code == "headers_only"


def test_a_file_over_the_limit_is_refused():
    error = refused(csv_bytes(), max_bytes=100)
    assert error.code == "too_large"


def test_duplicated_headers_are_refused():
    error = refused(csv_bytes(header=["full_name", "Email", "E-mail"], rows=[["A", "a@b.fr", ""]]))
    assert error.code == "duplicate_headers"
    assert "Email / E-mail" in error.params["headers"]


def test_the_same_column_in_both_languages_is_a_duplicate():
    error = refused(csv_bytes(header=["full_name", "Họ và tên"], rows=[["A", "A"]]))
    assert error.code == "duplicate_headers"


def test_a_file_without_a_name_column_is_refused():
    assert refused(csv_bytes(header=["email"], rows=[["a@b.fr"]])).code == "missing_name_column"


def test_a_formula_in_xlsx_is_refused_with_its_cell():
    rows = [ROWS[0], ["Lê Văn C", "FR", "Paris", "Huế", "c@example.fr", "", "AI", "=1900+90"]]
    error = refused(xlsx_bytes(rows=rows), "x.xlsx")
    assert error.code == "formula"
    assert error.params["cell"] == "H3"


def test_undecodable_text_is_refused():
    # UTF-16 without its byte-order mark: NUL bytes everywhere.
    data = csv_text(HEADER_EN, ROWS).encode("utf-16-le")
    assert refused(data).code == "encoding"
    # Bytes that Windows-1258 leaves undefined.
    assert refused(b"full_name\r\nNguy\x81n\x8a\r\n").code == "encoding"


def test_a_row_with_a_thousand_columns_is_refused():
    rows = [ROWS[0], ["Lê Văn C"] + ["x"] * 999]
    error = refused(csv_bytes(rows=rows))
    assert error.code == "too_many_columns"
    assert error.params["row"] == 3 and error.params["count"] == 1000


def test_a_cell_of_one_megabyte_is_refused():
    rows = [ROWS[0], ["Lê Văn C", "FR", "Paris", "Huế", "c@example.fr", "", "x" * MB, "1990"]]
    error = refused(csv_bytes(rows=rows))
    assert error.code == "cell_too_large"
    assert error.params["cell"] == "G3"


def test_a_cell_of_one_megabyte_in_xlsx_is_refused():
    rows = [["Lê Văn C", "FR", "Paris", "Huế", "c@example.fr", "", "x" * 32000, "1990"]]
    assert refused(xlsx_bytes(rows=rows), "x.xlsx").code == "cell_too_large"


def test_an_unknown_sheet_is_refused_with_the_sheet_names():
    error = refused(xlsx_bytes(), "x.xlsx", sheet_name="Nope")
    assert error.code == "no_such_sheet"
    assert error.params["sheets"] == "Sheet1"
