"""XLSX files read by the compiled reader give exactly what the streaming reader gives.

The compiled reader (python-calamine) takes a sheet whole, with a slot for every cell up to the
farthest one the file names; the streaming reader (openpyxl) is the reference and the fallback.
Every workbook below is read both ways and must give the same sheet, or the same refusal (for
a file whose declared dimension is right: the streaming reader stops there, the compiled one
reads every cell).
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import unicodedata
import zipfile
from datetime import date, datetime, time
from pathlib import Path

import pytest

from directory.imports import reader
from directory.imports.reader import ImportFileError, read_file
from tests.imports.conftest import HEADER_EN, HEADER_VI, ROWS, xlsx_bytes


def workbook_bytes(build, *, write_only: bool = False) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=write_only)
    if not write_only:
        workbook.remove(workbook.active)
    build(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sheet_of(rows, *, title="Danh sách", header=HEADER_EN, write_only=False) -> bytes:
    def build(workbook):
        sheet = workbook.create_sheet(title)
        sheet.append(header)
        for row in rows:
            sheet.append(row)

    return workbook_bytes(build, write_only=write_only)


def outcome(data: bytes, *, fast: bool, sheet_name=None, monkeypatch=None):
    """What ``read_file`` gives (the sheet's fields) or raises (code and parameters)."""
    if not fast:
        monkeypatch.setattr(reader, "_read_xlsx_fast", lambda data, sheet_name: None)
    try:
        sheet = read_file(data, "people.xlsx", max_bytes=50 * 1024 * 1024, sheet_name=sheet_name)
    except ImportFileError as error:
        result = ("refused", error.code, error.params)
    else:
        result = (
            sheet.file_format,
            sheet.columns,
            sheet.headers,
            sheet.unknown_columns,
            sheet.rows,
            sheet.details,
            sheet.kind,
        )
    finally:
        monkeypatch.undo()
    return result


def rich_text_workbook() -> bytes:
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    def build(workbook):
        sheet = workbook.create_sheet("Rich")
        sheet.append(HEADER_EN)
        sheet.append(ROWS[0])
        sheet["A3"] = CellRichText(
            "Lê ", TextBlock(InlineFont(b=True), "Thị"), TextBlock(InlineFont(i=True), " Hoa")
        )
        sheet["B3"] = "Đức"

    return workbook_bytes(build)


def error_cell_workbook() -> bytes:
    def build(workbook):
        sheet = workbook.create_sheet("Errors")
        sheet.append(HEADER_EN)
        sheet.append(ROWS[0])
        sheet["A3"] = "Phan Văn Khải"
        sheet["H3"] = "#N/A"
        sheet["H3"].data_type = "e"

    return workbook_bytes(build)


def sparse_workbook() -> bytes:
    def build(workbook):
        sheet = workbook.create_sheet("Thưa")
        sheet.append(HEADER_VI)
        sheet["A40"] = "Đỗ Mười Một"
        sheet["H40"] = 1971
        sheet["A5000"] = "Hồ Thị Năm"
        sheet["C5000"] = "  Huế  "

    return workbook_bytes(build)


def leading_blank_row_workbook() -> bytes:
    def build(workbook):
        sheet = workbook.create_sheet("Trống")
        sheet["A2"] = "full_name"
        sheet["A3"] = "Vũ Văn Mậu"

    return workbook_bytes(build)


TYPED_ROWS = [
    ["Phạm Thu Hà", "FR", "Paris", "Hà Nội", "ha@example.fr", 33612345670, 1.5, 1985],
    ["Ngô Bảo Châu", "FR", "Orsay", "Hà Tĩnh", None, "", True, 1972.0],
    [None, None, None, None, None, None, None, None],  # a blank row in the middle
    ["Trần Đại Nghĩa", "DE", None, "Vĩnh Long", "n@example.de", 1e20, False, date(1990, 5, 1)],
    ["Lý Tự Trọng", "US", "Boston", datetime(1990, 5, 1, 10, 30), "x", time(9, 15), -3, 0.1],
    [unicodedata.normalize("NFD", "Nguyễn Thị Định"), "VN", "Hội An\nQuảng Nam", "", "", "", ""],
    ["   ", "FR"],  # only spaces in the name
    ["Vương Đình Huệ", "FR", "Paris", "Nghệ An", "h@example.fr", "", "AI", "", "thêm", "", "x"],
]

CASES = {
    "shared strings": lambda: xlsx_bytes(),
    "Vietnamese headers": lambda: xlsx_bytes(HEADER_VI, ROWS),
    "inline strings (write-only)": lambda: sheet_of(ROWS, write_only=True),
    "numbers, dates, booleans, gaps": lambda: sheet_of(TYPED_ROWS),
    "the same, write-only": lambda: sheet_of(TYPED_ROWS, write_only=True),
    "rich text": rich_text_workbook,
    "sparse cells far down": sparse_workbook,
    "the header not in row 1": leading_blank_row_workbook,
    "one hundred columns": lambda: sheet_of(
        [["Mai Văn Một"] + [f"c{i}" for i in range(99)]],
        header=["full_name"] + [f"extra {i}" for i in range(99)],
    ),
    "headers only": lambda: sheet_of([]),
    "no name column": lambda: sheet_of([["a@b.fr"]], header=["email"]),
    "duplicated headers": lambda: sheet_of([["A", "B"]], header=["full_name", "Họ và tên"]),
    "a cell of 32,000 characters": lambda: sheet_of([["Lê Văn C", "FR", "x" * 32000]]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_both_readers_give_the_same_sheet_or_refusal(case, monkeypatch):
    data = CASES[case]()
    taken = []
    original = reader._read_xlsx_fast
    monkeypatch.setattr(
        reader, "_read_xlsx_fast", lambda *a: taken.append(original(*a)) or taken[-1]
    )
    fast = outcome(data, fast=True, monkeypatch=monkeypatch)
    slow = outcome(data, fast=False, monkeypatch=monkeypatch)
    assert taken and taken[0] is not None, "the compiled reader was not used"
    assert fast == slow


def test_a_chosen_sheet_and_an_unknown_one_read_alike(monkeypatch):
    data = xlsx_bytes(sheets={"Danh sách": (HEADER_VI, ROWS), "Khác": (HEADER_EN, [ROWS[1]])})
    for name in ("Khác", "Danh sách", "Nope"):
        fast = outcome(data, fast=True, sheet_name=name, monkeypatch=monkeypatch)
        slow = outcome(data, fast=False, sheet_name=name, monkeypatch=monkeypatch)
        assert fast == slow
    assert outcome(data, fast=True, sheet_name="Khác", monkeypatch=monkeypatch)[5] == {
        "sheet": "Khác",
        "sheets": ["Danh sách", "Khác"],
    }


def rewritten(data: bytes, change) -> bytes:
    """The workbook with its first worksheet's XML passed through ``change``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = change(content)
            target.writestr(info.filename, content)
    return buffer.getvalue()


def test_a_formula_goes_the_streaming_way_and_is_refused_with_its_cell():
    rows = [ROWS[0], ["Lê Văn C", "FR", "Paris", "Huế", "c@example.fr", "", "AI", "=1900+90"]]
    data = xlsx_bytes(rows=rows)
    assert reader._read_xlsx_fast(data, None) is None
    with pytest.raises(ImportFileError) as info:
        read_file(data, "x.xlsx", max_bytes=10 * 1024 * 1024)
    assert (info.value.code, info.value.params["cell"]) == ("formula", "H3")


def test_an_error_value_goes_the_streaming_way_and_stays_as_written():
    data = error_cell_workbook()
    assert reader._read_xlsx_fast(data, None) is None
    sheet = read_file(data, "x.xlsx", max_bytes=10 * 1024 * 1024)
    assert sheet.rows[-1][1] == {"full_name": "Phan Văn Khải", "birth_year": "#N/A"}


def test_cells_placed_by_their_order_go_the_streaming_way(monkeypatch):
    data = rewritten(xlsx_bytes(), lambda xml: re.sub(rb'(<c) r="[A-Z]+[0-9]+"', rb"\1", xml))
    assert reader._read_xlsx_fast(data, None) is None
    sheet = read_file(data, "x.xlsx", max_bytes=10 * 1024 * 1024)
    assert [values["full_name"] for _, values, _ in sheet.rows] == [row[0] for row in ROWS]


@pytest.mark.parametrize(
    "far, row, expected",
    [
        ("XFD1048576", 1048576, ["refused", "too_many_columns"]),
        ("CW9", 9, ["refused", "too_many_columns"]),
        ("A250003", 250003, ["read", str(len(ROWS) + 1)]),
    ],
)
def test_a_cell_beyond_the_limits_never_reaches_the_compiled_reader(far, row, expected):
    """A file naming a far cell would make the compiled reader allocate a slot for every cell
    up to it (XFD1048576: half a terabyte, and the process aborts). Read in a child process so
    that a regression kills the child, not the test run."""

    def add_far_cell(xml: bytes) -> bytes:
        xml = re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="A1:{far}"'.encode(), xml)
        cell = f'<row r="{row}"><c r="{far}" t="inlineStr"><is><t>loin</t></is></c></row>'
        return xml.replace(b"</sheetData>", cell.encode() + b"</sheetData>")

    data = rewritten(xlsx_bytes(), add_far_cell)
    script = (
        "import sys\n"
        "from directory.imports import reader\n"
        "data = sys.stdin.buffer.read()\n"
        "assert reader._read_xlsx_fast(data, None) is None\n"
        "try:\n"
        "    sheet = reader.read_file(data, 'x.xlsx', max_bytes=10 * 1024 * 1024)\n"
        "    print('read', len(sheet.rows))\n"
        "except reader.ImportFileError as error:\n"
        "    print('refused', error.code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], input=data, capture_output=True, timeout=300
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert done.stdout.decode().split() == expected


def test_more_cells_than_the_bound_go_the_streaming_way(monkeypatch):
    monkeypatch.setattr(reader, "FAST_MAX_CELLS", 8 * len(ROWS))  # header row + rows, 8 wide
    assert reader._read_xlsx_fast(xlsx_bytes(), None) is None
    monkeypatch.setattr(reader, "FAST_MAX_CELLS", 8 * (len(ROWS) + 1))
    assert reader._read_xlsx_fast(xlsx_bytes(), None) is not None


def test_a_damaged_sheet_is_refused_as_before():
    data = rewritten(xlsx_bytes(), lambda xml: xml[: len(xml) // 2])
    assert reader._read_xlsx_fast(data, None) is None
    with pytest.raises(ImportFileError) as info:
        read_file(data, "x.xlsx", max_bytes=10 * 1024 * 1024)
    assert info.value.code == "not_spreadsheet"


def test_sheet_data_the_chosen_sheet_does_not_name_is_bounded_too():
    """The compiled reader finds the sheet's part itself: a far cell in any part of the
    archive (another sheet, a second entry of the same name) keeps it away."""
    import warnings

    far = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c>'
        b"</row></sheetData></worksheet>"
    )
    plain = xlsx_bytes()
    assert reader._read_xlsx_fast(plain, None) is not None
    for name in ("xl/worksheets/sheet1.xml", "xl/worksheets/other.xml"):
        buffer = io.BytesIO(plain)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Duplicate name": the point of the file
            with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
                archive.writestr(name, far)
        assert reader._read_xlsx_fast(buffer.getvalue(), None) is None, name


def test_two_sheets_of_one_name_go_the_streaming_way():
    data = rewritten(xlsx_bytes(), lambda xml: xml)
    source = zipfile.ZipFile(io.BytesIO(data))
    workbook = source.read("xl/workbook.xml")
    sheet = re.search(rb"<sheet [^>]*/>", workbook).group(0)
    twice = workbook.replace(sheet, sheet + sheet.replace(b'sheetId="1"', b'sheetId="2"'))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = twice if info.filename == "xl/workbook.xml" else source.read(info)
            target.writestr(info.filename, content)
    assert reader._read_xlsx_fast(buffer.getvalue(), None) is None


FILES = Path(__file__).parent / "files"


def test_a_libreoffice_workbook_reads_alike_both_ways(monkeypatch):
    data = (FILES / "libreoffice-people.xlsx").read_bytes()
    assert reader._read_xlsx_fast(data, None) is not None
    fast = outcome(data, fast=True, monkeypatch=monkeypatch)
    assert fast == outcome(data, fast=False, monkeypatch=monkeypatch)
    assert [(number, values.get("full_name")) for number, values, _ in fast[4]] == [
        (2, "Nguyễn Văn An"),
        (3, "Trần Thị Bích"),
        (5, "Lê Hoàng Cường"),
        (6, "Phạm Thu Hà"),
    ]


def test_libreoffice_booleans_are_read_as_booleans_not_refused_as_formulas(monkeypatch):
    """LibreOffice saves a TRUE typed in a cell as the formula TRUE(): a constant, not a
    computation; the file reads as the same workbook written by openpyxl."""
    data = (FILES / "libreoffice-typed-values.xlsx").read_bytes()
    assert reader._read_xlsx_fast(data, None) is None  # formulas: the streaming way
    from_libreoffice = outcome(data, fast=False, monkeypatch=monkeypatch)
    from_openpyxl = outcome(sheet_of(TYPED_ROWS), fast=False, monkeypatch=monkeypatch)
    assert from_libreoffice[4] == from_openpyxl[4]
    fields = [values.get("fields") for _, values, _ in from_libreoffice[4]]
    assert fields[1:3] == ["yes", "no"]
