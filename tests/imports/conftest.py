"""Fixtures for the import and export tests: a Paris mission, its officer, file builders."""

from __future__ import annotations

import csv
import io

import pytest

from tests.factories import MissionFactory, UserFactory

HEADER_EN = ["full_name", "country", "city", "hometown", "email", "phone", "fields", "birth_year"]
HEADER_VI = [
    "Họ và tên",
    "Quốc gia",
    "Thành phố",
    "Quê quán",
    "Email",
    "Điện thoại",
    "Lĩnh vực",
    "Năm sinh",
]
ROWS = [
    [
        "Nguyễn Văn An",
        "Pháp",
        "Paris",
        "Đà Nẵng",
        "an@example.fr",
        "06 12 34 56 78",
        "Bán dẫn",
        "1980",
    ],
    [
        "Trần Thị Bích",
        "FR",
        "Lyon",
        "Yên Bái",
        "bich@example.fr",
        "+33 6 98 76 54 32",
        "semiconductors",
        "1975",
    ],
]


@pytest.fixture(autouse=True)
def _inline_jobs(request):
    """Run import jobs in the request unless a test asks for the background thread."""
    if "app" in request.fixturenames:
        request.getfixturevalue("app").config["IMPORT_RUN_INLINE"] = True


TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def to_cp1258(text: str) -> bytes:
    """Encode like Windows-1258 editors: base letters precomposed, tone marks combining."""
    import unicodedata

    out = []
    for ch in text:
        try:
            out.append(ch.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in parts if c in TONE_MARKS)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONE_MARKS))
        out.append((base + tones).encode("cp1258"))
    return b"".join(out)


@pytest.fixture
def mission(db):
    return MissionFactory(
        code="PARIS", name="Đại sứ quán Việt Nam tại Pháp", countries=["FR", "MC"]
    )


@pytest.fixture
def officer(mission):
    return UserFactory(role="embassy", mission=mission, email="officer@paris.example")


@pytest.fixture
def other_officer(db):
    other = MissionFactory(code="BERLIN", name="Đại sứ quán tại Đức", countries=["DE"])
    return UserFactory(role="embassy", mission=other, email="officer@berlin.example")


@pytest.fixture
def admin(db):
    return UserFactory(role="admin", email="admin@example.vn")


def csv_text(header, rows, delimiter=","):
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def csv_bytes(header=None, rows=None, *, delimiter=",", encoding="utf-8"):
    text = csv_text(header or HEADER_EN, ROWS if rows is None else rows, delimiter)
    return text.encode(encoding)


def xlsx_bytes(header=None, rows=None, *, sheets=None, title="Sheet1"):
    """A workbook; ``sheets`` = {title: (header, rows)} for several sheets."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, (h, r) in (
        sheets or {title: (header or HEADER_EN, ROWS if rows is None else rows)}
    ).items():
        sheet = workbook.create_sheet(name)
        sheet.append(h)
        for row in r:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
