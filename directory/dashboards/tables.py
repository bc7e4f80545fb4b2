"""A dashboard's tables: one description that the page draws and the CSV download writes.

A :class:`Table` is its columns and rows of cells (text, link, tooltip), built in the viewer's
language from the read functions (``services``, ``overview``); the page shows the columns
that are not ``csv_only`` (codes), the CSV every column, so that the page, the CSV and the API
(the same read functions) give the same figures. A table knows the period it covers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import format_date
from flask_babel import gettext as _

from directory import audit
from directory.extensions import db
from directory.imports.exports import neutralise, to_csv
from directory.initiatives.services import today

# Rows drawn per chart by default (the CSV and the lists behind hold them all).
CHART_ROWS = 12


@dataclass(frozen=True)
class Column:
    label: str
    numeric: bool = False
    csv_only: bool = False  # a code beside its label: in the CSV, not on the page


@dataclass(frozen=True)
class Cell:
    text: str
    href: str | None = None
    title: str | None = None
    # The same as the row above's (a province beside each of its countries): left blank on
    # the page, written in the CSV so that each row stands alone.
    repeated: bool = False

    @property
    def value(self) -> int:
        """The cell as a number (a numeric column's cells are whole numbers)."""
        return int(self.text)


def number(value: int, href: str | None = None, title: str | None = None) -> Cell:
    return Cell(str(value), href, title)


@dataclass
class Table:
    """``id`` names the table in its CSV address (``…/<id>.csv``); ``shown``: how many rows
    the page draws (None: all)."""

    id: str
    title: str
    period: str
    columns: tuple[Column, ...]
    rows: list[tuple[Cell, ...]] = field(default_factory=list)
    csv_url: str = ""
    shown: int | None = None

    @property
    def page_columns(self) -> list[int]:
        return [i for i, c in enumerate(self.columns) if not c.csv_only]

    @property
    def page_rows(self) -> list[tuple[Cell, ...]]:
        return self.rows if self.shown is None else self.rows[: self.shown]

    @property
    def truncated(self) -> bool:
        return len(self.page_rows) < len(self.rows)

    def csv(self) -> bytes:
        """The whole table as CSV (UTF-8 with a BOM, for Excel), headers in the viewer's
        language, every cell neutralised against spreadsheet formulas."""
        header = [neutralise(c.label) for c in self.columns]
        return to_csv(header, [[neutralise(cell.text) for cell in row] for row in self.rows])


# --- periods ----------------------------------------------------------------------------------


def day_text(day: date) -> str:
    return format_date(day, "dd/MM/yyyy")


def as_of(what: str | None = None) -> str:
    """ "Profiles as of 02/12/2026": the records as they are today (a day in Vietnam)."""
    day = day_text(today())
    if what == "initiatives":
        return _("Every initiative received, as of %(date)s", date=day)
    if what == "needs":
        return _("Open needs as of %(date)s", date=day)
    if what == "needs_and_people":
        return _("Open needs and current profiles, as of %(date)s", date=day)
    if what == "businesses":
        return _("Current businesses, as of %(date)s", date=day)
    if what == "representatives":
        return _("Active representatives and current profiles, as of %(date)s", date=day)
    return _("Current profiles, as of %(date)s", date=day)


def last_days(days: int) -> str:
    """ "03/09/2026 – 02/12/2026": the last ``days`` days up to today, beside a figure whose
    label says what they are ("New in the last 90 days")."""
    start = today() - timedelta(days=days - 1)
    return _("%(start)s – %(end)s", start=day_text(start), end=day_text(today()))


def ending_within(days: int) -> str:
    return _(
        "Terms ending between %(start)s and %(end)s",
        start=day_text(today()),
        end=day_text(today() + timedelta(days=days)),
    )


# --- the download -----------------------------------------------------------------------------


def file_name(prefix: str, table: Table) -> str:
    return f"{prefix}-{table.id}-{today().isoformat()}.csv"


def export(user, table: Table, dashboard: str, **scope: str) -> bytes:
    """The table's CSV, the download audited (``dashboard.export``: which dashboard, which
    table, its province or mission, how many rows; no personal data)."""
    body = table.csv()
    audit.record(
        "dashboard.export",
        actor=user,
        object_type="dashboard",
        object_id=":".join([dashboard, *scope.values()]),
        details={"dashboard": dashboard, **scope, "table": table.id, "rows": len(table.rows)},
    )
    db.session.commit()
    return body
