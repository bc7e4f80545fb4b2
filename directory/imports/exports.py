"""Exports of contact lists to CSV (UTF-8 with BOM, for Excel) and XLSX.

Each row holds only what the exporter may see (``policy.visible_groups``); every text cell is
neutralised against formula injection; every export is an audit event.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _

from directory import audit, policy
from directory.extensions import db
from directory.imports.columns import COLUMNS
from directory.people.fields import PERSON_FIELDS
from directory.people.models import Person
from directory.reference.countries import country_name, language_name
from directory.reference.provinces import province_by_slug

FORMATS = ("csv", "xlsx")
# Export columns: the import columns, so that an export can be edited and imported again.
PERSON_COLUMNS = tuple(f.column for f in PERSON_FIELDS if f.exported)
_GROUP_OF = {f.column: f.group for f in PERSON_FIELDS if f.exported}
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    """A cell's text, prefixed with ``'`` when a spreadsheet would read it as a formula."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(_DANGEROUS):
        return "'" + text
    return text


@dataclass
class Export:
    """A ready file: name, MIME type and body."""

    file_name: str
    mimetype: str
    body: bytes | Iterator[bytes]
    count: int


def header_row(columns: Iterable[str], locale: str, extra: Iterable[str] = ()) -> list[str]:
    """Headers in the exporter's language (the import accepts both)."""
    names = []
    for column in columns:
        if locale == "vi" and column not in ("email", "website"):
            names.append(COLUMNS[column][0])
        else:
            names.append(column)
    return names + list(extra)


def _cell(person: Person, column: str, labels: dict) -> str:
    """A cell as people read it: labels in the export's language, not codes (the import reads
    these labels back: fields, kinds, countries and languages are accepted by name)."""
    if column == "hometown":
        info = province_by_slug(person.hometown_province)
        return info.name_vi if info else (person.hometown_as_given or "")
    value = getattr(person, column)
    if column == "fields":
        return "; ".join(labels["fields"].get(code, code) for code in value or [])
    if column == "kinds":
        return "; ".join(labels["kinds"].get(kind, kind) for kind in value or [])
    if column == "country":
        return country_name(value, labels["locale"]) if value else ""
    if column == "languages":
        return "; ".join(language_name(code, labels["locale"]) for code in value or [])
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return "" if value is None else str(value)


def person_cells(person: Person, viewer, labels: dict) -> list[str] | None:
    """The export row for ``person``: hidden groups left blank; None when it is not visible."""
    groups = policy.visible_groups(viewer, person)
    if not groups:
        return None
    cells = []
    for column in PERSON_COLUMNS:
        group = _GROUP_OF.get(column, "basic")
        cells.append(_cell(person, column, labels) if group in groups else "")
    return cells


def _labels(locale: str) -> dict:
    """What the cells need to write labels in ``locale``: fields, kinds and the language."""
    from directory.reference.models import Field

    fields = {
        f.code: (f.label_en if locale == "en" else f.label_vi)
        for f in db.session.scalars(sa.select(Field))
    }
    with force_locale(locale):
        kinds = {"expert": _("Expert"), "entrepreneur": _("Entrepreneur")}
    return {"locale": locale, "fields": fields, "kinds": kinds}


def rows_for(people: Iterable[Person], viewer, locale: str, extra=None) -> list[list[str]]:
    """Rows of visible people (``extra(person) -> list`` adds columns such as a role)."""
    labels = _labels(locale)
    out = []
    for person in people:
        cells = person_cells(person, viewer, labels)
        if cells is None:
            continue
        if extra is not None:
            cells += extra(person)
        out.append([neutralise(c) for c in cells])
    return out


def to_csv(header: list[str], rows: list[list[str]]) -> bytes:
    """CSV in UTF-8 with a BOM so that Excel shows Vietnamese correctly."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


def to_xlsx(header: list[str], rows: list[list[str]], title: str) -> bytes:
    """An XLSX workbook (write-only mode, every value stored as text)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "Export")
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def build_export(
    kind: str,
    obj,
    people: Iterable[Person],
    viewer,
    fmt: str,
    locale: str,
    *,
    name: str,
    extra_header=(),
    extra=None,
    details: dict | None = None,
) -> Export:
    """Render the file and record the export in the audit log (committed); ``details`` adds to
    the event's details (a search's parameters)."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    header = header_row(PERSON_COLUMNS, locale, extra_header)
    rows = rows_for(people, viewer, locale, extra)
    if fmt == "csv":
        body, mimetype = to_csv(header, rows), "text/csv; charset=utf-8"
    else:
        body = to_xlsx(header, rows, name)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    audit.record(
        "export",
        obj,
        actor=viewer,
        object_type=None if obj is not None else "search",
        object_id=None if obj is not None else "search",
        details={**(details or {}), "kind": kind, "format": fmt, "count": len(rows)},
    )
    db.session.commit()
    return Export(file_name=f"{name}.{fmt}", mimetype=mimetype, body=body, count=len(rows))


def mission_people(mission) -> list[Person]:
    """The people living in a mission's countries (not deleted), by name."""
    query = (
        sa.select(Person)
        .where(Person.country.in_(mission.countries), Person.anonymised_at.is_(None))
        .order_by(Person.name_key, Person.id)
    )
    return list(db.session.scalars(query))


def export_mission(mission, viewer, fmt: str, locale: str) -> Export:
    """A mission's contacts."""
    policy.require(viewer, "import.export_mission", mission)
    return build_export(
        "mission",
        mission,
        mission_people(mission),
        viewer,
        fmt,
        locale,
        name=f"contacts-{mission.code}".lower(),
    )


def export_association(association, viewer, fmt: str, locale: str) -> Export:
    """An association's members, with their role."""
    from directory.associations.models import Membership

    policy.require(viewer, "import.export_association", association)
    from directory.policy.associations import membership_shown_clause

    memberships = db.session.scalars(
        sa.select(Membership).where(
            Membership.association_id == association.id, membership_shown_clause()
        )
    ).all()
    roles = {m.person_id: m.role for m in memberships}
    people = [m.person for m in memberships if m.person.anonymised_at is None]
    return build_export(
        "association",
        association,
        people,
        viewer,
        fmt,
        locale,
        name=f"members-{association.id}",
        extra_header=[_("Role") if locale == "vi" else "role"],
        extra=lambda p: [roles.get(p.id, "")],
    )


def search_people(args, viewer, limit: int = 10_000) -> list[Person]:
    """The people a search (query-string ``args``) returns to ``viewer``: every page, in order.

    Invalid parameters raise the search's ValidationError (a 422 with the field messages).
    """
    from dataclasses import replace

    from directory.search import services as search_services

    params = search_services.parse_search_args(args)
    ids: list[str] = []
    page, per_page = 1, 100
    while len(ids) < limit and page <= search_services.MAX_PAGE:
        result = search_services.run_search(replace(params, page=page, per_page=per_page), viewer)
        ids.extend(h["id"] for h in result.hits if h.get("type", "person") == "person")
        if not result.hits or page * per_page >= result.total:
            break
        page += 1
    ids = list(dict.fromkeys(ids))[:limit]
    people = {p.id: p for p in db.session.scalars(sa.select(Person).where(Person.id.in_(ids)))}
    return [people[i] for i in ids if i in people]


def search_filters(args) -> dict:
    """The search's parameters as the audit event keeps them: canonical, only those given."""
    from directory.search import services as search_services

    params = search_services.parse_search_args(args)
    out: dict = {"filters": params.filters, "sort": params.sort}
    if params.q:
        out["q"] = params.q
    if params.added_since is not None:
        out["added_since"] = params.added_since.isoformat()
    return out


def export_search(params, viewer, fmt: str, locale: str) -> Export:
    """The people of a search (what the viewer sees of them); the event keeps the filters."""
    policy.require(viewer, "import.export_search")
    people = search_people(params, viewer)
    return build_export(
        "search",
        None,
        people,
        viewer,
        fmt,
        locale,
        name="search",
        details={"search": search_filters(params)},
    )
