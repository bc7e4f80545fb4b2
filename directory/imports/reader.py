"""Reading an uploaded spreadsheet: CSV in any of the accepted encodings and delimiters, or XLSX.

Every refusal is an :class:`ImportFileError` with a message code (translated by
:func:`directory.imports.messages.file_error_message`), raised before anything is written.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from directory.imports.columns import NAME_COLUMN, detect_kind, match_headers

DELIMITERS = (",", ";", "\t")
MAX_COLUMNS = 100
MAX_CELL_CHARS = 10_000
MAX_ROWS = 250_000

_BINARY_MAGIC = (
    (b"%PDF", "pdf"),
    (b"\x89PNG", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF8", "gif"),
    (b"\xd0\xcf\x11\xe0", "xls"),  # legacy Office (xls, doc)
    (b"\x1f\x8b", "gzip"),
    (b"Rar!", "rar"),
    (b"7z\xbc\xaf", "7z"),
)


class ImportFileError(Exception):
    """A file refused as a whole: ``code`` names the message, ``params`` fill it."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code, self.params = code, params

    def __repr__(self) -> str:
        return f"<ImportFileError {self.code} {self.params}>"


@dataclass
class Sheet:
    """A read file: matched headers and the data rows (canonical column -> cell text)."""

    file_format: str
    columns: list[str | None]  # canonical name per position, None for unknown columns
    headers: list[str]  # as written
    unknown_columns: list[str]
    rows: list[tuple[int, dict[str, str], list[str]]]  # (row number, values, extra cells)
    details: dict = field(default_factory=dict)
    kind: str = "people"  # or "businesses": as asked, or detected from the headers


def read_file(
    data: bytes,
    file_name: str,
    *,
    max_bytes: int,
    sheet_name: str | None = None,
    kind: str | None = None,
) -> Sheet:
    """Read and check a whole file; raise :class:`ImportFileError` when it cannot be imported.

    ``kind`` ("people" or "businesses") says what the rows are; None detects it from the
    headers (:func:`directory.imports.columns.detect_kind`).
    """
    if len(data) > max_bytes:
        raise ImportFileError("too_large", limit_mb=max_bytes // (1024 * 1024))
    if not data or not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise ImportFileError("empty")
    extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if data[:4] == b"PK\x03\x04":
        if extension not in ("xlsx", "xlsm", ""):
            raise ImportFileError("not_spreadsheet")
        header, rows, details = _read_xlsx(data, sheet_name)
        file_format = "xlsx"
    else:
        for magic, binary in _BINARY_MAGIC:
            if data.startswith(magic):
                raise ImportFileError("old_excel" if binary == "xls" else "not_spreadsheet")
        if extension in ("xlsx", "xlsm", "xls", "pdf", "doc", "docx", "ods", "png", "jpg"):
            raise ImportFileError("not_spreadsheet")
        text, encoding = decode_text(data)
        header, rows, details = _read_csv(text)
        details["encoding"] = encoding
        file_format = "csv"
    return _build_sheet(file_format, header, rows, details, kind)


def decode_text(data: bytes) -> tuple[str, str]:
    """Text of a CSV file (UTF-8 with or without BOM, UTF-16 with BOM, or Windows-1258), NFC."""
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    else:
        if b"\x00" in data:
            raise ImportFileError("encoding")
        candidates = ["utf-8", "cp1258"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text or _looks_garbled(text):
            continue
        # Windows-1258 writes Vietnamese tones as combining marks: compose them.
        return unicodedata.normalize("NFC", text), encoding
    raise ImportFileError("encoding")


def _looks_garbled(text: str) -> bool:
    """C0/C1 control characters (other than line breaks and tabs) betray a wrong encoding."""
    sample = text[:200_000]
    return any((ord(ch) < 32 and ch not in "\t\r\n") or 0x80 <= ord(ch) < 0xA0 for ch in sample)


def detect_delimiter(text: str) -> str:
    """The delimiter among comma, semicolon and tab that splits the header line the most."""
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    counts = {d: _count_outside_quotes(first, d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _count_outside_quotes(line: str, delimiter: str) -> int:
    count, quoted = 0, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == delimiter and not quoted:
            count += 1
    return count


def _read_csv(text: str) -> tuple[list[str], Iterator[tuple[int, list[str]]], dict]:
    delimiter = detect_delimiter(text)
    # The module-wide limit must exceed our own cell limit so that we report the cell ourselves.
    if csv.field_size_limit() < 20 * 1024 * 1024:
        csv.field_size_limit(20 * 1024 * 1024)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFileError("empty") from None
    except csv.Error as exc:
        raise ImportFileError("malformed", row=1, detail=str(exc)) from None

    def rows():
        try:
            for cells in reader:
                yield reader.line_num, cells
        except csv.Error as exc:
            raise ImportFileError("malformed", row=reader.line_num, detail=str(exc)) from None

    return header, rows(), {"delimiter": {",": "comma", ";": "semicolon", "\t": "tab"}[delimiter]}


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _read_xlsx(data: bytes, sheet_name: str | None):
    fast = _read_xlsx_fast(data, sheet_name)
    if fast is not None:
        return fast
    return _read_xlsx_streaming(data, sheet_name)


# The compiled reader (python-calamine) takes a sheet whole into memory, with a slot for every
# cell between A1 and the farthest cell the file names: a file that names XFD1048576 makes it
# allocate half a terabyte and aborts the process. It is used only for sheets the scan below has
# bounded; anything else (and any file it cannot read) goes through openpyxl's streaming parser,
# which stops at our limits and names the cell of every refusal.
FAST_MAX_CELLS = 6_000_000
FAST_MAX_XML_BYTES = 512 * 1024 * 1024
# XML text cannot hold a "<" (it is written &lt;), so each pattern starting with one is a tag.
_SHEET_DATA = re.compile(rb"<(?:[\w.-]+:)?sheetData[\s/>]")
_CELL = re.compile(rb"<c[\s/>]")
_CELL_REF = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"')
_FORMULA = re.compile(rb"<f[\s/>]")
_ERROR_VALUE = re.compile(rb"t=[\"']e[\"']")  # #N/A and the like: calamine gives ""
_PREFIXED_CELL_OR_FORMULA = re.compile(rb"<[\w.-]+:[cf][\s/>]")


def _read_xlsx_fast(data: bytes, sheet_name: str | None):
    """The sheet read by the compiled reader, or None when it must go the streaming way.

    None for: a workbook laid out other than the usual way, a sheet that is not a worksheet,
    a formula (refused with its cell by the streaming reader), an error value (#N/A, kept as
    text by the streaming reader), a cell without its reference,
    a cell beyond our row or column limits, more cells than ``FAST_MAX_CELLS`` between A1 and
    the farthest one, or any error of the compiled reader.
    """
    try:
        import python_calamine
    except ImportError:  # pragma: no cover - a dependency; the streaming reader still works
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            located = _worksheet_part(archive, sheet_name)
            if located is None or not _every_sheet_bounded(archive):
                return None
            title, names = located
    except Exception:  # noqa: BLE001 - damaged, encrypted, unusual: the streaming way decides
        return None
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        try:
            if list(workbook.sheet_names) != names:
                return None
            grid = workbook.get_sheet_by_name(title).to_python(skip_empty_area=False)
        finally:
            workbook.close()
    except Exception:  # noqa: BLE001 - the streaming reader decides what is wrong with the file
        return None
    if not grid:
        raise ImportFileError("empty")
    header = [_cell_text(value) for value in grid[0]]

    def rows():
        for number, values in enumerate(grid[1:], start=2):
            yield number, [v if type(v) is str else _cell_text(v) for v in values]

    return header, rows(), {"sheet": title, "sheets": names}


def _every_sheet_bounded(archive: zipfile.ZipFile) -> bool:
    """Whether every part of the archive that holds sheet data is bounded for the compiled
    reader. Every part, not only the one the chosen sheet's relationship names: the compiled
    reader resolves the sheet itself, and its resolution must not lead it to a part this scan
    has not seen (duplicate names in the archive included)."""
    total = 0
    for info in archive.infolist():
        total += info.file_size
        if info.file_size > FAST_MAX_XML_BYTES or total > 2 * FAST_MAX_XML_BYTES:
            return False
        content = archive.read(info)
        if b"sheetData" not in content:
            continue
        bounds = _plain_sheet_bounds(content)
        if bounds is None:
            return False
        width, height = bounds
        if width > MAX_COLUMNS or height > MAX_ROWS + 1 or width * height > FAST_MAX_CELLS:
            return False
    return True


def _plain_sheet_bounds(xml: bytes) -> tuple[int, int] | None:
    """(columns, rows) up to the farthest cell of a sheet's XML whose every cell names its
    place as ``<c r="B7"``, with no formula and no error value; None for any other sheet."""
    start = _SHEET_DATA.search(xml)
    if start is None:
        return None
    begin, stop = start.end(), xml.rfind(b"sheetData>")
    if (
        _FORMULA.search(xml, begin, stop)
        or _ERROR_VALUE.search(xml, begin, stop)
        or _PREFIXED_CELL_OR_FORMULA.search(xml, begin, stop)
    ):
        return None
    references = _CELL_REF.findall(xml, begin, stop)
    if len(_CELL.findall(xml, begin, stop)) != len(references):
        return None  # a cell placed by its order in the row, or written another way
    if not references:
        return 0, 0
    letters = max({column for column, _ in references}, key=lambda c: (len(c), c))
    return _column_number(letters), max(map(int, {row for _, row in references}))


_PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
# A worksheet's part as a workbook's relationships name it: relative to xl/ or absolute.
_WORKSHEET_TARGET = re.compile(r"(?:/xl/)?worksheets/[\w.-]+\.xml")


def _worksheet_part(archive: zipfile.ZipFile, sheet_name: str | None):
    """(sheet title, every sheet's title) from ``xl/workbook.xml`` and its relationships, or
    None when the workbook is not laid out the usual way (the chosen sheet is not a
    worksheet, two sheets share a name)."""
    parts = {}
    for name in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels"):
        if archive.getinfo(name).file_size > 4 * 1024 * 1024:
            return None
        parts[name] = ET.fromstring(archive.read(name))
    targets = {
        rel.get("Id"): rel.get("Target", "")
        for rel in parts["xl/_rels/workbook.xml.rels"].iter(_PACKAGE_REL)
    }
    sheets = []
    for element in parts["xl/workbook.xml"].iter():
        if element.tag.rsplit("}", 1)[-1] == "sheet":
            ref = next((v for k, v in element.attrib.items() if k.endswith("}id")), None)
            sheets.append((element.get("name"), targets.get(ref)))
    names = [title for title, _ in sheets]
    if len(set(names)) != len(names):
        return None
    chosen = next((s for s in sheets if s[0] == sheet_name), None) if sheet_name else None
    if sheet_name is None and sheets:
        chosen = sheets[0]
    if chosen is None or not chosen[0] or not _WORKSHEET_TARGET.fullmatch(chosen[1] or ""):
        return None
    return chosen[0], names


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _read_xlsx_streaming(data: bytes, sheet_name: str | None):
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise ImportFileError("not_spreadsheet") from None
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds on a damaged file
        raise ImportFileError("not_spreadsheet") from None
    names = workbook.sheetnames
    if sheet_name:
        if sheet_name not in names:
            workbook.close()
            raise ImportFileError("no_such_sheet", sheet=sheet_name, sheets=", ".join(names))
        worksheet = workbook[sheet_name]
    else:
        worksheet = workbook[names[0]]

    def cells_of(row_number: int, row) -> list[str]:
        out: list[str] = []
        for index, cell in enumerate(row, start=1):
            value = cell["value"]
            if cell["data_type"] == "f" and value in _CONSTANT_FORMULAS:
                value = _CONSTANT_FORMULAS[value]
            elif cell["data_type"] == "f" or type(value).__name__ in (
                "ArrayFormula",
                "DataTableFormula",
            ):
                raise ImportFileError("formula", cell=f"{get_column_letter(index)}{row_number}")
            out.append(_cell_text(value))
        return out

    iterator = _undamaged(_sheet_rows(worksheet))

    def rows():
        try:
            for number, row in enumerate(iterator, start=2):
                yield number, cells_of(number, row)
        finally:
            workbook.close()

    try:
        first = next(iterator)
    except StopIteration:
        workbook.close()
        raise ImportFileError("empty") from None
    except ImportFileError:
        workbook.close()
        raise
    header = cells_of(1, first)
    return header, rows(), {"sheet": worksheet.title, "sheets": names}


# LibreOffice writes a TRUE or FALSE typed in a cell as the formula TRUE() or FALSE(): a
# constant, read as the boolean it is; any other formula is refused with its cell.
_CONSTANT_FORMULAS = {"=TRUE()": True, "=FALSE()": False}


def _undamaged(rows: Iterator[list[dict]]) -> Iterator[list[dict]]:
    """The rows, or "not a spreadsheet" where the sheet's XML or its compression breaks off
    (a truncated or damaged file is found only as it is read)."""
    try:
        yield from rows
    except (ET.ParseError, zipfile.BadZipFile, zlib.error, EOFError, ValueError) as error:
        raise ImportFileError("not_spreadsheet") from error


# A cell the sheet leaves out, as openpyxl's read-only worksheet fills it in.
_EMPTY_CELL = {"value": None, "data_type": "n"}


def _sheet_parser():
    """openpyxl's worksheet parser, reading inline strings without building rich-text objects.

    Writers that do not use the shared-string table (openpyxl's own write-only mode, many
    exporters) put every text in an inline string; openpyxl builds a ``Text`` object for each,
    most of the time of reading such a file. Its plain text is the ``t`` element, then the
    ``t`` of each run (``Text.content``).
    """
    from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser
    from openpyxl.xml.constants import SHEET_MAIN_NS

    inline_tag = "{%s}is" % SHEET_MAIN_NS  # noqa: UP031 - as openpyxl spells its tags
    text_tag = "{%s}t" % SHEET_MAIN_NS  # noqa: UP031
    run_tag = "{%s}r" % SHEET_MAIN_NS  # noqa: UP031

    class Parser(WorkSheetParser):
        def parse_cell(self, element):
            if (
                element.get("t") != "inlineStr"
                or self.rich_text
                or element.find(FORMULA_TAG) is not None
            ):
                return super().parse_cell(element)
            coordinate = element.get("r")
            style_id = element.get("s", 0)
            if style_id:
                style_id = int(style_id)
            if coordinate:
                row, column = coordinate_to_tuple(coordinate)
                self.col_counter = column
            else:
                self.col_counter += 1
                row, column = self.row_counter, self.col_counter
            value, data_type = None, "inlineStr"
            child = element.find(inline_tag)
            if child is not None:
                data_type = "s"
                parts = []
                plain = child.find(text_tag)
                if plain is not None and plain.text is not None:
                    parts.append(plain.text)
                for run in child.findall(run_tag):
                    text = run.find(text_tag)
                    if text is not None and text.text is not None:
                        parts.append(text.text)
                value = "".join(parts)
            return {
                "row": row,
                "column": column,
                "value": value,
                "data_type": data_type,
                "style_id": style_id,
            }

    from openpyxl.utils.cell import coordinate_to_tuple

    return Parser


def _sheet_rows(worksheet) -> Iterator[list[dict]]:
    """The rows of a read-only worksheet as its ``iter_rows()`` gives them (rows and cells the
    file leaves out filled in as empty, within the sheet's declared dimensions), each cell the
    parser's dict (``value``, ``data_type``) rather than a cell object."""
    max_col, max_row = worksheet.max_column, worksheet.max_row
    empty: list[dict] = []  # a row the file leaves out: blank whatever the sheet's width
    counter = idx = 1
    workbook = worksheet.parent
    with worksheet._get_source() as source:
        parser = _sheet_parser()(
            source,
            worksheet._shared_strings,
            data_only=workbook.data_only,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        for idx, cells in parser.parse():
            if max_row is not None and idx > max_row:
                break
            for _ in range(counter, idx):
                counter += 1
                yield empty
            if counter <= idx:
                counter += 1
                if not cells and not max_col:
                    yield []
                    continue
                width = max_col or cells[-1]["column"]
                row = [_EMPTY_CELL] * width
                for cell in cells:
                    if 1 <= cell["column"] <= width:
                        row[cell["column"] - 1] = cell
                yield row
    if max_row is not None and max_row < idx:
        for _ in range(counter, max_row + 1):
            yield empty


def _trim(cells: list[str]) -> list[str]:
    end = len(cells)
    while end and not cells[end - 1].strip():
        end -= 1
    return cells[:end]


def _check_cells(row_number: int, cells: list[str]) -> None:
    if len(cells) > MAX_COLUMNS:
        raise ImportFileError(
            "too_many_columns", row=row_number, count=len(cells), limit=MAX_COLUMNS
        )
    for index, cell in enumerate(cells):
        if len(cell) > MAX_CELL_CHARS:
            from openpyxl.utils import get_column_letter

            raise ImportFileError(
                "cell_too_large",
                cell=f"{get_column_letter(index + 1)}{row_number}",
                limit=MAX_CELL_CHARS,
            )


def _build_sheet(
    file_format: str, header: list[str], rows, details: dict, kind: str | None = None
) -> Sheet:
    header = _trim([unicodedata.normalize("NFC", h.strip()) for h in header])
    _check_cells(1, header)
    if not header:
        raise ImportFileError("empty")
    kind = kind or detect_kind(header)
    columns, unknown, duplicated = match_headers(header, kind)
    if duplicated:
        raise ImportFileError("duplicate_headers", headers=", ".join(duplicated))
    if NAME_COLUMN[kind] not in columns:
        raise ImportFileError(
            "missing_name_column" if kind == "people" else "missing_business_name_column"
        )
    width = len(header)
    out: list[tuple[int, dict[str, str], list[str]]] = []
    for row_number, raw_cells in rows:
        cells = _trim(raw_cells)
        _check_cells(row_number, cells)
        if not any(c.strip() for c in cells):
            continue
        if len(out) >= MAX_ROWS:
            raise ImportFileError("too_many_rows", limit=MAX_ROWS)
        values: dict[str, str] = {}
        for index, column in enumerate(columns):
            if column is not None and index < len(cells):
                text = cells[index].strip()
                if text:
                    values[column] = text if text.isascii() else unicodedata.normalize("NFC", text)
        # Values with no header at all would be lost: they are reported on the row.
        extra = [
            c.strip() for i, c in enumerate(cells) if c.strip() and (i >= width or not header[i])
        ]
        out.append((row_number, values, extra))
    if not out:
        raise ImportFileError("headers_only")
    return Sheet(
        file_format=file_format,
        columns=columns,
        headers=header,
        unknown_columns=unknown,
        rows=out,
        details=details,
        kind=kind,
    )
