"""Spreadsheet import: read, normalise, dedupe, stage for preview, then commit atomically.

The pipeline, shared by the web UI and ``flask people import``:

1. :func:`read_file` (``reader.py``) refuses bad files as a whole;
2. :func:`analyse_rows` normalises each row with the people service (the same rules as the
   form and the API), applies the mission scope rule and finds duplicates in the database and
   within the file;
3. the UI stages the rows (:class:`ImportRow`) for the preview and the officer's decisions;
4. :func:`commit_rows` writes every accepted row in one transaction with bulk inserts, plus the
   search outbox rows so that the new people are searchable at once.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app, g
from flask_babel import force_locale

from directory import audit, policy
from directory.core.errors import ValidationError
from directory.core.models import new_id, utcnow
from directory.extensions import db
from directory.i18n import current_locale
from directory.imports.models import ImportBatch, ImportRow
from directory.imports.reader import ImportFileError, Sheet, read_file
from directory.missions.models import Mission
from directory.people.models import ConsentRecord, Person
from directory.people.services import (
    initial_consent_records,
    normalize_consent_evidence,
    normalize_person_input,
)
from directory.reference.fields import field_index as load_field_index
from search_index.normalize import fold
from search_index.outbox import SearchOutbox

CHUNK = 2000
# The service reports the hometown as ``hometown_province``; the file calls it ``hometown``.
FIELD_TO_COLUMN = {"hometown_province": "hometown", "hometown_as_given": "hometown"}
# Fields a merge may take from the file (consent stays the member's own decision).
MERGE_FIELDS = (
    "full_name",
    "other_names",
    "kinds",
    "fields",
    "skills",
    "title",
    "organization",
    "country",
    "city",
    "hometown_province",
    "languages",
    "email",
    "phone",
    "website",
    "bio",
    "birth_year",
)
LIST_FIELDS = ("other_names", "kinds", "fields", "skills", "languages")
# In-process progress of running jobs: {batch id: (done, total)}; the database keeps the rest.
PROGRESS: dict[str, tuple[int, int]] = {}


@dataclass
class AnalysedRow:
    """One row after normalisation and dedupe, before it is staged or written."""

    row_number: int
    raw: dict
    values: dict = field(default_factory=dict)
    issues: list = field(default_factory=list)
    matches: list = field(default_factory=list)
    decision: str = "create"
    person_id: str | None = None
    merge_target_id: str | None = None
    merge_choices: dict = field(default_factory=dict)

    @property
    def has_errors(self) -> bool:
        return any(i["level"] == "error" for i in self.issues)

    @property
    def has_warnings(self) -> bool:
        return any(i["level"] == "warning" for i in self.issues)

    @property
    def match_kind(self) -> str | None:
        kinds = {m["kind"] for m in self.matches}
        return "duplicate" if "duplicate" in kinds else ("probable" if kinds else None)


# --- normalisation and dedupe ---------------------------------------------------------------


def _issue(column: str, level: str, code: str, message: str = "", **params) -> dict:
    return {"field": column, "level": level, "code": code, "message": message, "params": params}


# Columns normalised per row; every other column is normalised once per distinct value.
ROW_COLUMNS = ("full_name", "email", "phone")
_MEMO_MAX_CHARS = 300
_MEMO_MAX_SIZE = 200_000


class RowNormaliser:
    """The people service's ``normalize_person_input`` applied to rows, with the same rules.

    Repeated values (country names, provinces, field labels, languages…) are normalised once
    and remembered; the name, email and phone (with the country, for national numbers) are
    normalised for each row. The result is the same as one call with the whole row.
    """

    def __init__(self, index: dict[str, str], language: str = "vi"):
        self.index = index
        self.language = language  # of the messages it remembers
        self.memo: dict[tuple[str, str], tuple[dict, dict]] = {}

    def _column(self, key: str, value) -> tuple[dict, dict]:
        memo_key = (key, value)
        hit = self.memo.get(memo_key)
        if hit is None:
            try:
                hit = (
                    normalize_person_input({key: value}, partial=True, field_index=self.index),
                    {},
                )
            except ValidationError as exc:
                hit = ({}, dict(exc.fields))
            if len(str(value)) <= _MEMO_MAX_CHARS and len(self.memo) < _MEMO_MAX_SIZE:
                self.memo[memo_key] = hit
        return hit

    def __call__(self, data: dict) -> tuple[dict, dict[str, str]]:
        """(normalised values, {field: message}) for one row."""
        values: dict = {}
        errors: dict[str, str] = {}
        for key, value in data.items():
            if key not in ROW_COLUMNS:
                good, bad = self._column(key, value)
                values.update(good)
                errors.update(bad)
        own = {k: data[k] for k in ROW_COLUMNS if k in data}
        # National phone numbers are read in the row's country, as in a single call.
        hint = values.get("country")
        try:
            values.update(normalize_person_input(own, field_index=self.index, country_hint=hint))
        except ValidationError as exc:
            errors.update(exc.fields)
            rest = {k: v for k, v in own.items() if k not in exc.fields}
            with contextlib.suppress(ValidationError):
                values.update(
                    normalize_person_input(
                        rest, partial=True, field_index=self.index, country_hint=hint
                    )
                )
        return values, errors


def normalise_row(
    raw: dict,
    countries: list[str],
    normaliser: RowNormaliser,
    other: Callable[[], RowNormaliser] | None = None,
) -> tuple[dict, list]:
    """(normalised values, issues) for one row; ``countries`` are the mission's countries.

    The people service's messages are kept in both languages (``other`` gives the normaliser
    of the other language), so that the preview speaks the reader's language.
    """
    data = dict(raw)
    issues: list = []
    if not data.get("country") and len(countries) == 1:
        data["country"] = countries[0]
        issues.append(_issue("country", "warning", "country_assumed", country=countries[0]))
    values, errors = normaliser(data)
    translated: dict[str, str] = {}
    if errors and other is not None:
        second = other()
        with force_locale(second.language):
            translated = second(data)[1]
    for name, message in errors.items():
        issue = _issue(FIELD_TO_COLUMN.get(name, name), "error", "invalid", message)
        if name in translated:
            issue["messages"] = {normaliser.language: message, second.language: translated[name]}
        issues.append(issue)
    country = values.get("country")
    if not country:
        if "country" not in errors:
            issues.append(_issue("country", "error", "country_required"))
    elif country not in countries:
        issues.append(_issue("country", "error", "outside_mission", countries=", ".join(countries)))
    return values, issues


def _chunks(items: list, size: int = 1000) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _existing_candidates(emails: set, phones: set, keys: set) -> list[tuple]:
    """Existing people sharing an email, a phone or a name key with the file (id, …)."""
    columns = (
        Person.id,
        Person.email,
        Person.phone,
        Person.name_key,
        Person.birth_year,
        Person.city,
    )
    found: dict[str, tuple] = {}
    postgres = db.session.connection().dialect.name == "postgresql"
    for column, wanted in ((Person.email, emails), (Person.phone, phones), (Person.name_key, keys)):
        if postgres:
            # One query with an array parameter instead of thousands of bound values.
            from sqlalchemy.dialects.postgresql import ARRAY

            values = sa.bindparam("wanted", sorted(wanted), type_=ARRAY(sa.String))
            chunks = [sa.select(*columns).where(column == sa.any_(values))] if wanted else []
        else:
            chunks = [sa.select(*columns).where(column.in_(c)) for c in _chunks(sorted(wanted))]
        for query in chunks:
            query = query.where(Person.anonymised_at.is_(None))
            for row in db.session.execute(query):
                found[row[0]] = tuple(row)
    return list(found.values())


def find_duplicates(rows: list[AnalysedRow]) -> None:
    """Mark each row's matches among existing people and earlier rows of the same file.

    Same email or phone: duplicate. Same folded name (any order) and the same birth year or
    city: probable duplicate.
    """
    valid = [r for r in rows if not r.has_errors]
    emails = {r.values["email"] for r in valid if r.values.get("email")}
    phones = {r.values["phone"] for r in valid if r.values.get("phone")}
    keys = {r.values["name_key"] for r in valid if r.values.get("name_key")}
    by_email: dict[str, list] = {}
    by_phone: dict[str, list] = {}
    by_name: dict[str, list] = {}
    for pid, email, phone, key, year, city in _existing_candidates(emails, phones, keys):
        ref = ("person", pid, year, fold(city))
        if email:
            by_email.setdefault(email, []).append(ref)
        if phone:
            by_phone.setdefault(phone, []).append(ref)
        if key:
            by_name.setdefault(key, []).append(ref)
    for row in rows:
        v = row.values
        found: dict[tuple, dict] = {}

        def add(ref, kind, reason, found=found):
            target = (ref[0], ref[1])
            if target in found and found[target]["kind"] == "duplicate":
                return
            match = {"kind": kind, "reason": reason}
            match["person_id" if ref[0] == "person" else "row"] = ref[1]
            found[target] = match

        if not row.has_errors:
            for ref in by_email.get(v.get("email") or "", ()):
                add(ref, "duplicate", "email")
            for ref in by_phone.get(v.get("phone") or "", ()):
                add(ref, "duplicate", "phone")
            city = fold(v.get("city"))
            for ref in by_name.get(v.get("name_key") or "", ()):
                if v.get("birth_year") and ref[2] == v["birth_year"]:
                    add(ref, "probable", "name_birth_year")
                elif city and ref[3] == city:
                    add(ref, "probable", "name_city")
            row.matches = sorted(
                found.values(), key=lambda m: (m["kind"] != "duplicate", str(m.get("row", "")))
            )
            # Later rows of the file are compared with this one.
            ref = ("row", row.row_number, v.get("birth_year"), city)
            if v.get("email"):
                by_email.setdefault(v["email"], []).append(ref)
            if v.get("phone"):
                by_phone.setdefault(v["phone"], []).append(ref)
            if v.get("name_key"):
                by_name.setdefault(v["name_key"], []).append(ref)
        if row.has_errors or row.matches:
            row.decision = "skip"
        else:
            row.decision = "create"


def analyse_rows(
    sheet: Sheet, mission: Mission, progress: Callable[[int], None] | None = None
) -> list[AnalysedRow]:
    """Normalise every row of ``sheet`` and find its duplicates; writes nothing."""
    index = load_field_index()
    language = current_locale()
    normaliser = RowNormaliser(index, language)
    others: list[RowNormaliser] = []

    def other() -> RowNormaliser:
        if not others:
            others.append(RowNormaliser(index, "en" if language == "vi" else "vi"))
        return others[0]

    countries = mission.countries
    rows: list[AnalysedRow] = []
    for position, (number, raw, extra) in enumerate(sheet.rows, start=1):
        values, issues = normalise_row(raw, countries, normaliser, other)
        if extra:
            issues.append(_issue("", "warning", "extra_cells", values="; ".join(extra)[:300]))
        rows.append(
            AnalysedRow(
                row_number=number, raw=raw, values=values, issues=issues, person_id=new_id()
            )
        )
        if progress and position % CHUNK == 0:
            progress(position)
    find_duplicates(rows)
    return rows


# --- bulk writing -------------------------------------------------------------------------


def bulk_insert(model, rows: list[dict]) -> None:
    """Insert many rows in the current transaction: COPY on PostgreSQL, executemany elsewhere.

    Every row has the same keys. COPY is several times faster than a pipelined executemany,
    which is what keeps a 100,000-row import within a minute.
    """
    if not rows:
        return
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        db.session.execute(sa.insert(model), rows)
        return
    table = model.__table__
    names = list(rows[0])
    json_columns = {c.name for c in table.columns if isinstance(c.type, sa.JSON)}
    driver = connection.connection.driver_connection
    quoted = ", ".join(f'"{name}"' for name in names)
    with (
        driver.cursor() as cursor,
        cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy,
    ):
        for row in rows:
            copy.write_row([_json(row[n]) if n in json_columns else row[n] for n in names])


def _json(value) -> str:
    if not value:
        return "[]" if isinstance(value, list) else ("{}" if isinstance(value, dict) else "null")
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# --- the batch lifecycle (web UI) -----------------------------------------------------------


def upload_dir() -> str:
    folder = os.path.join(current_app.instance_path, "imports")
    os.makedirs(folder, exist_ok=True)
    return folder


def _upload_path(batch: ImportBatch) -> str:
    return os.path.join(upload_dir(), f"{batch.id}.upload")


def start_batch(
    data: bytes, file_name: str, mission: Mission, by, *, sheet_name: str | None = None
) -> ImportBatch:
    """Keep an uploaded file and create its batch (status ``queued``); commits.

    The size is checked at once; everything else is checked by :func:`read_batch`.
    """
    policy.require(by, "import.create", mission)
    limit = current_app.config["IMPORT_MAX_BYTES"]
    if len(data) > limit:
        raise ImportFileError("too_large", limit_mb=limit // (1024 * 1024))
    name = os.path.basename(file_name.replace("\\", "/"))[:255] or "import"
    batch = ImportBatch(
        id=new_id(),
        file_name=name,
        sheet_name=(sheet_name or None),
        mission_id=mission.id,
        uploaded_by_id=by.id,
        locale=current_locale(),
        status="queued",
    )
    with open(_upload_path(batch), "wb") as fh:
        fh.write(data)
    db.session.add(batch)
    audit.record("import.upload", batch, actor=by, details={"bytes": len(data)})
    db.session.commit()
    return batch


def _set_progress(batch_id: str, done: int, total: int) -> None:
    PROGRESS[batch_id] = (done, total)


def read_batch(batch_id: str) -> ImportBatch:
    """Read, normalise, dedupe and stage every row of a queued batch (status -> ready|failed)."""
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None or batch.status != "queued":
        return batch
    batch.status = "reading"
    db.session.commit()
    path = _upload_path(batch)
    try:
        with open(path, "rb") as fh:
            data = fh.read()
        sheet = read_file(
            data,
            batch.file_name,
            max_bytes=current_app.config["IMPORT_MAX_BYTES"],
            sheet_name=batch.sheet_name,
        )
        batch.total_rows = len(sheet.rows)
        batch.file_format = sheet.file_format
        batch.details = {**sheet.details, "headers": sheet.headers, "columns": sheet.columns}
        batch.unknown_columns = sheet.unknown_columns
        db.session.commit()
        total = len(sheet.rows)
        rows = analyse_rows(
            sheet, batch.mission, progress=lambda n: _set_progress(batch_id, n // 2, total)
        )
        stage_rows(batch, rows)
    except ImportFileError as exc:
        db.session.rollback()
        _fail(batch_id, exc.code, exc.params)
    except Exception:
        db.session.rollback()
        current_app.logger.exception("import %s could not be read", batch_id)
        _fail(batch_id, "read_failed", {})
    finally:
        PROGRESS.pop(batch_id, None)
        if os.path.exists(path):
            os.remove(path)
    return db.session.get(ImportBatch, batch_id)


def _fail(batch_id: str, code: str, params: dict) -> None:
    """Mark a batch failed, dropping any staged rows (nothing else was written)."""
    db.session.execute(sa.delete(ImportRow).where(ImportRow.batch_id == batch_id))
    batch = db.session.get(ImportBatch, batch_id)
    batch.status = "failed"
    batch.error_code, batch.error_params = code, params
    db.session.commit()


def _row_dict(batch_id: str, row: AnalysedRow) -> dict:
    return {
        "id": new_id(),
        "batch_id": batch_id,
        "row_number": row.row_number,
        # The cells as written are kept for the rows whose problems the preview explains.
        "raw": row.raw if row.issues else {},
        "values": row.values,
        "issues": row.issues,
        "has_errors": row.has_errors,
        "has_warnings": row.has_warnings,
        "matches": row.matches,
        "match_kind": row.match_kind,
        "decision": row.decision,
        "person_id": row.person_id,
        "merge_target_id": None,
        "merge_choices": {},
        "invited_at": None,
    }


def stage_rows(batch: ImportBatch, rows: list[AnalysedRow]) -> None:
    """Store the analysed rows for the preview (in chunks, with progress); status -> ready."""
    total = len(rows)
    for start in range(0, total, CHUNK):
        chunk = rows[start : start + CHUNK]
        bulk_insert(ImportRow, [_row_dict(batch.id, r) for r in chunk])
        done = start + len(chunk)
        batch.processed_rows = done
        _set_progress(batch.id, total // 2 + done // 2, total)
        db.session.commit()
    batch.details = {**(batch.details or {}), "consent_yes_rows": consent_yes_rows(rows)}
    batch.error_rows = sum(1 for r in rows if r.has_errors)
    batch.warning_rows = sum(1 for r in rows if r.has_warnings and not r.has_errors)
    batch.duplicate_rows = sum(1 for r in rows if r.match_kind == "duplicate")
    batch.probable_rows = sum(1 for r in rows if r.match_kind == "probable")
    batch.processed_rows = total
    batch.status = "ready"
    db.session.commit()


def batch_progress(batch: ImportBatch) -> dict:
    """The state the status page polls: status, percentage and counts."""
    done, total = PROGRESS.get(batch.id, (batch.processed_rows, batch.total_rows))
    if batch.status in ("ready", "done"):
        percent = 100
    elif total:
        percent = min(99, int(done * 100 / total))
    else:
        percent = 0
    return {
        "id": batch.id,
        "status": batch.status,
        "percent": percent,
        "processed_rows": done,
        "total_rows": total or batch.total_rows,
        "running": batch.running,
    }


def decision_counts(batch: ImportBatch) -> dict[str, int]:
    """How many rows will be created, merged or skipped (rows with errors always skip)."""
    query = (
        sa.select(ImportRow.decision, sa.func.count())
        .where(ImportRow.batch_id == batch.id, ImportRow.has_errors.is_(False))
        .group_by(ImportRow.decision)
    )
    counts = {"create": 0, "merge": 0, "skip": 0}
    counts.update({decision: n for decision, n in db.session.execute(query)})
    counts["errors"] = batch.error_rows
    return counts


def set_decision(row: ImportRow, decision: str, by, *, person_id: str | None = None) -> None:
    """Record the officer's choice for one row (create anyway, merge or skip)."""
    if decision not in ("create", "skip", "merge"):
        raise ValidationError({"decision": "invalid"})
    if row.has_errors and decision != "skip":
        from flask_babel import gettext as _

        raise ValidationError({"decision": _("A row with errors cannot be imported.")})
    if decision == "merge":
        target = merge_target(row, person_id)
        if target is None:
            raise ValidationError({"decision": "merge"})
        row.merge_target_id = target.id
    else:
        row.merge_target_id = None
        row.merge_choices = {}
    row.decision = decision


def merge_target(row: ImportRow, person_id: str | None, by=None) -> Person | None:
    """The existing profile this row may merge into: one of its matches (first by default)."""
    candidates = [m["person_id"] for m in row.matches if m.get("person_id")]
    if person_id is None:
        person_id = row.merge_target_id or (candidates[0] if candidates else None)
    if person_id not in candidates:
        return None
    person = db.session.get(Person, person_id)
    if person is None or person.anonymised_at is not None:
        return None
    if by is not None and not policy.can(by, "person.edit", person):
        return None
    return person


def merge_fields(row: ImportRow, person: Person) -> list[dict]:
    """The merge screen: each field with the existing and imported values and the default choice.

    Only fields the file gives are listed; by default the existing value is kept unless empty.
    """
    out = []
    for name in MERGE_FIELDS:
        if name not in row.values:
            continue
        imported = row.values.get(name)
        existing = getattr(person, name)
        if imported in (None, "", []):
            continue
        same = imported == existing
        choice = row.merge_choices.get(name)
        if choice is None:
            choice = "existing" if existing not in (None, "", []) else "import"
        out.append(
            {
                "name": name,
                "existing": existing,
                "imported": imported,
                "same": same,
                "is_list": name in LIST_FIELDS,
                "choice": choice,
            }
        )
    return out


def set_merge_choices(row: ImportRow, person: Person, choices: dict[str, str], by) -> None:
    """Save the field-by-field choices of a merge and mark the row for merging."""
    allowed = {"existing", "import", "both"}
    clean = {}
    for item in merge_fields(row, person):
        choice = choices.get(item["name"], item["choice"])
        if choice not in allowed or (choice == "both" and not item["is_list"]):
            choice = item["choice"]
        clean[item["name"]] = choice
    row.decision = "merge"
    row.merge_target_id = person.id
    row.merge_choices = clean


# --- consent ------------------------------------------------------------------------------
#
# The file's consent column is recorded only when the officer attests, for the whole batch,
# how and when the people gave consent (source and date); otherwise it is ignored and every
# person is registered as not consenting, with a warning. The attestation is kept in the
# batch's details until the commit, which writes it into each consent record.


def consent_yes_rows(rows: Iterable[AnalysedRow]) -> int:
    """Rows without errors whose consent column says yes."""
    return sum(1 for r in rows if not r.has_errors and r.values.get("consent_listed"))


def has_consent_column(batch: ImportBatch) -> bool:
    return "consent_listed" in ((batch.details or {}).get("columns") or [])


def attest_consent(batch: ImportBatch, raw: dict | None, by) -> dict | None:
    """Keep the officer's attestation for the batch (None clears it); ValidationError if bad.

    ``raw`` is ``{"source", "date", "reference"}``; returns the normalised evidence.
    """
    evidence = normalize_consent_evidence(raw) if raw is not None else None
    details = dict(batch.details or {})
    if evidence is None:
        details.pop("consent_evidence", None)
    else:
        details["consent_evidence"] = {
            "source": evidence["source"],
            "date": evidence["date"].isoformat(),
            "reference": evidence.get("reference"),
            "by": getattr(by, "id", None),
        }
    batch.details = details
    return evidence


def batch_evidence(batch: ImportBatch) -> dict | None:
    """The attestation kept for the batch, as the people service's evidence, or None."""
    from datetime import date

    kept = (batch.details or {}).get("consent_evidence")
    if not kept:
        return None
    return {
        "source": kept["source"],
        "date": date.fromisoformat(kept["date"]),
        "reference": kept.get("reference"),
    }


def _consent_audit(evidence: dict | None, listed: int, ignored: int) -> dict:
    if evidence is not None:
        return {
            "consent": {
                "source": evidence["source"],
                "date": evidence["date"].isoformat(),
                "reference": evidence.get("reference"),
                "listed": listed,
            }
        }
    return {"consent_ignored": ignored} if ignored else {}


# --- commit --------------------------------------------------------------------------------


def _person_row(values: dict, person_id: str, base: dict, *, listed: bool) -> dict:
    """One ``people`` insert row: the template of defaults, then the normalised values.

    Consent is never taken from the values: ``listed`` is what the attested file says.
    """
    row = dict(base)
    for key, value in values.items():
        if key in row and not key.startswith("consent_"):
            row[key] = value
    row["id"] = person_id
    row["consent_listed"] = bool(listed)
    row["consent_contact"] = False
    return row


def _base_row(batch: ImportBatch, by, now) -> dict:
    return {
        "id": None,
        "full_name": "",
        "name_key": None,
        "other_names": [],
        "kinds": [],
        "fields": [],
        "skills": [],
        "title": None,
        "organization": None,
        "languages": [],
        "country": None,
        "city": None,
        "hometown_province": None,
        "hometown_as_given": None,
        "email": None,
        "phone": None,
        "website": None,
        "links": [],
        "bio": None,
        "birth_year": None,
        "visibility_profile": "officials",
        "visibility_contact": "private",
        "consent_listed": False,
        "consent_contact": False,
        "consent_at": now,
        "consent_notice_version": current_app.config["PRIVACY_NOTICE_VERSION"],
        "provenance": "import",
        "provenance_mission_id": batch.mission_id,
        "provenance_source": f"import:{batch.file_name}"[:255],
        "registered_by_id": getattr(by, "id", None),
        "field_sources": {},
        "created_at": now,
        "updated_at": now,
    }


def _apply_merge(batch: ImportBatch, row: dict, person: Person, by, now) -> list[str]:
    """Write the chosen imported values into ``person``; each remembers where it came from."""
    values, choices = row["values"], row["merge_choices"] or {}
    sources = dict(person.field_sources or {})
    changed = []
    for name in MERGE_FIELDS:
        choice = choices.get(name)
        if choice not in ("import", "both") or name not in values:
            continue
        new = values[name]
        if choice == "both" and name in LIST_FIELDS:
            new = list(dict.fromkeys([*(getattr(person, name) or []), *(new or [])]))
        if new == getattr(person, name):
            continue
        setattr(person, name, new)
        if name == "hometown_province":
            person.hometown_as_given = values.get("hometown_as_given")
        if name == "full_name":
            person.name_key = values.get("name_key")
        sources[name] = {
            "source": f"import:{batch.file_name}",
            "batch": batch.id,
            "at": now.isoformat(),
        }
        changed.append(name)
    if changed:
        person.field_sources = sources
        person.updated_at = now
        audit.record(
            "person.merge",
            person,
            actor=by,
            details={"batch": batch.id, "row": row["row_number"], "fields": changed},
        )
        db.session.add(SearchOutbox(entity_type="person", entity_id=person.id))
    return changed


class MergeTargetGone(Exception):
    def __init__(self, row_number: int):
        super().__init__(row_number)
        self.row_number = row_number


def commit_rows(
    batch: ImportBatch,
    rows: Iterable[dict],
    by,
    *,
    evidence: dict | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Write accepted rows (dicts with values, decision, person_id, merge fields) in bulk.

    Each new person gets the consent records of a new profile from the people service; the
    file's consent column counts only with ``evidence`` (the officer's attestation for the
    batch), else it is ignored. Adds to the current transaction and does not commit: the
    caller commits all or nothing.
    """
    now = utcnow()
    base = _base_row(batch, by, now)
    counts = {"created": 0, "merged": 0, "listed": 0, "consent_ignored": 0}
    people, outbox, consents = [], [], []

    def flush():
        bulk_insert(Person, people)
        bulk_insert(ConsentRecord, consents)
        bulk_insert(SearchOutbox, outbox)
        people.clear(), consents.clear(), outbox.clear()

    for done, row in enumerate(rows, start=1):
        if row["decision"] == "create":
            says_yes = bool(row["values"].get("consent_listed"))
            listed = says_yes and evidence is not None
            person = _person_row(row["values"], row["person_id"], base, listed=listed)
            people.append(person)
            outbox.append(
                {
                    "entity_type": "person",
                    "entity_id": person["id"],
                    "created_at": now,
                    "attempts": 0,
                }
            )
            consents.extend(
                initial_consent_records(
                    person["id"],
                    {"listed": listed, "contact": False},
                    by,
                    decisions={"listed": "evidence" if listed else "official"},
                    evidence=evidence,
                    at=now,
                )
            )
            counts["created"] += 1
            counts["listed"] += listed
            counts["consent_ignored"] += says_yes and not listed
        elif row["decision"] == "merge":
            flush()
            target = db.session.get(Person, row["merge_target_id"])
            if target is None or not policy.can(by, "person.edit", target):
                raise MergeTargetGone(row["row_number"])
            _apply_merge(batch, row, target, by, now)
            counts["merged"] += 1
        if len(people) >= CHUNK:
            flush()
        if progress and done % CHUNK == 0:
            progress(done)
    flush()
    return counts


def _accepted_rows(batch_id: str) -> Iterable[dict]:
    """The staged rows to write, in file order, read in chunks (keyset pagination)."""
    columns = (
        ImportRow.row_number,
        ImportRow.values,
        ImportRow.decision,
        ImportRow.person_id,
        ImportRow.merge_target_id,
        ImportRow.merge_choices,
    )
    last = 0
    while True:
        query = (
            sa.select(*columns)
            .where(
                ImportRow.batch_id == batch_id,
                ImportRow.row_number > last,
                ImportRow.has_errors.is_(False),
                ImportRow.decision.in_(("create", "merge")),
            )
            .order_by(ImportRow.row_number)
            .limit(CHUNK)
        )
        chunk = db.session.execute(query).all()
        if not chunk:
            return
        for r in chunk:
            yield {
                "row_number": r[0],
                "values": r[1],
                "decision": r[2],
                "person_id": r[3],
                "merge_target_id": r[4],
                "merge_choices": r[5],
            }
        last = chunk[-1][0]


def claim_commit(batch: ImportBatch, by) -> bool:
    """Move a ready batch to ``committing`` (only once, even with two clicks); commits."""
    policy.require(by, "import.commit", batch)
    result = db.session.execute(
        sa.update(ImportBatch)
        .where(ImportBatch.id == batch.id, ImportBatch.status == "ready")
        .values(status="committing", error_code=None, error_params={}, processed_rows=0)
    )
    db.session.commit()
    return result.rowcount == 1


def commit_batch(batch_id: str, by_id: str) -> ImportBatch:
    """Write a batch's accepted rows in one transaction: all of them, or none (status -> done)."""
    from directory.accounts.models import User

    batch = db.session.get(ImportBatch, batch_id)
    by = db.session.get(User, by_id)
    if batch is None or batch.status != "committing":
        return batch
    counts_before = decision_counts(batch)
    total = counts_before["create"] + counts_before["merge"]
    try:
        evidence = batch_evidence(batch)
        counts = commit_rows(
            batch,
            _accepted_rows(batch.id),
            by,
            evidence=evidence,
            progress=lambda n: _set_progress(batch_id, n, total),
        )
        batch.status = "done"
        batch.created_count = counts["created"]
        batch.merged_count = counts["merged"]
        batch.skipped_count = batch.total_rows - counts["created"] - counts["merged"]
        batch.committed_at = utcnow()
        batch.committed_by_id = by.id
        batch.processed_rows = batch.total_rows
        audit.record(
            "import.commit",
            batch,
            actor=by,
            details={
                "created": counts["created"],
                "merged": counts["merged"],
                "skipped": batch.skipped_count,
                "mission": batch.mission_id,
                **_consent_audit(evidence, counts["listed"], counts["consent_ignored"]),
            },
        )
        db.session.commit()
        apply_search_outbox()
    except MergeTargetGone as exc:
        db.session.rollback()
        _back_to_ready(batch_id, "merge_target_gone", {"row": exc.row_number})
    except Exception:
        db.session.rollback()
        current_app.logger.exception("import %s could not be committed", batch_id)
        _back_to_ready(batch_id, "commit_failed", {})
    finally:
        PROGRESS.pop(batch_id, None)
    return db.session.get(ImportBatch, batch_id)


def _back_to_ready(batch_id: str, code: str, params: dict) -> None:
    batch = db.session.get(ImportBatch, batch_id)
    batch.status = "ready"
    batch.error_code, batch.error_params = code, params
    db.session.commit()


def apply_search_outbox() -> None:
    """Make the new people searchable at once with the embedded engine.

    Bulk inserts bypass the session's after-commit hook, so the pending outbox rows are applied
    here; with Meilisearch the ``search worker`` applies them. A failure never undoes the import.
    """
    from search_index import sync

    app = current_app._get_current_object()
    if sync.inline_enabled(app):
        sync.drain(app, limit=1000)


# --- running outside the request ------------------------------------------------------------


def run_job(func: Callable, *args) -> None:
    """Run ``func(*args)`` in a background thread with its own app context.

    ``IMPORT_RUN_INLINE`` (tests, small deployments) runs it in the request instead. The thread
    is a daemon: if the server stops mid-way, the transaction is rolled back and the batch can
    be run again with ``flask imports run``.
    """
    app = current_app._get_current_object()
    if app.config.get("IMPORT_RUN_INLINE"):
        func(*args)
        return

    def target():
        with app.app_context():
            g.import_job = True  # an empty ``g`` makes Flask-Babel ignore force_locale
            try:
                batch = db.session.get(ImportBatch, args[0])
                with force_locale(batch.locale if batch is not None else "vi"):
                    func(*args)
            finally:
                db.session.remove()

    threading.Thread(target=target, name=f"import-{args[0]}", daemon=True).start()


# --- invitations ----------------------------------------------------------------------------


def invitable_people(batch: ImportBatch) -> list[Person]:
    """Imported or merged people of this batch with an email and no account, not yet invited."""
    person_ids = sa.select(
        sa.case(
            (ImportRow.decision == "merge", ImportRow.merge_target_id), else_=ImportRow.person_id
        )
    ).where(
        ImportRow.batch_id == batch.id,
        ImportRow.has_errors.is_(False),
        ImportRow.decision.in_(("create", "merge")),
        ImportRow.invited_at.is_(None),
    )
    from directory.accounts.models import User

    query = (
        sa.select(Person)
        .where(
            Person.id.in_(person_ids),
            Person.email.is_not(None),
            Person.anonymised_at.is_(None),
            ~sa.exists().where(User.person_id == Person.id),
        )
        .order_by(Person.full_name)
    )
    return list(db.session.scalars(query))


def send_invitations(batch: ImportBatch, by, *, limit: int | None = None) -> dict:
    """Send claim invitations to the batch's people, in batches through the mail outbox.

    Returns and stores the report: sent, failed (with the reason per row), remaining.
    """
    from directory.accounts.services import send_claim_invitation

    policy.require(by, "import.invite", batch)
    size = limit or current_app.config.get("IMPORT_INVITATION_BATCH", 200)
    people = invitable_people(batch)
    todo, remaining = people[:size], max(0, len(people) - size)
    report = dict(batch.invitation_report or {})
    sent = report.get("sent", 0)
    failures = list(report.get("failures", []))
    batch_id = batch.id
    for person in todo:
        now = utcnow()
        if not policy.can(by, "person.invite", person):
            failures.append({"person_id": person.id, "reason": "not_allowed"})
            outcome = "failed"
        else:
            try:
                send_claim_invitation(person, by)
                sent += 1
                outcome = "sent"
            except ValidationError as exc:
                db.session.rollback()
                failures.append(
                    {"person_id": person.id, "reason": "; ".join(exc.fields.values())[:200]}
                )
                outcome = "failed"
        db.session.execute(
            sa.update(ImportRow)
            .where(
                ImportRow.batch_id == batch_id,
                sa.or_(ImportRow.person_id == person.id, ImportRow.merge_target_id == person.id),
            )
            .values(invited_at=now)
        )
        report = {"sent": sent, "failures": failures[-500:], "last": outcome}
        db.session.execute(
            sa.update(ImportBatch)
            .where(ImportBatch.id == batch_id)
            .values(invitation_report=report)
        )
        db.session.commit()
    report = {
        "sent": sent,
        "failures": failures[-500:],
        "remaining": remaining,
        "at": utcnow().isoformat(),
    }
    batch = db.session.get(ImportBatch, batch_id)
    batch.invitation_report = report
    audit.record(
        "import.invite",
        batch,
        actor=by,
        details={"sent": sent, "failed": len(failures), "remaining": remaining},
    )
    db.session.commit()
    return report


# --- the command line -----------------------------------------------------------------------


@dataclass
class CliResult:
    """What ``flask people import`` reports."""

    rows: list[AnalysedRow]
    created: int = 0
    skipped: int = 0
    committed: bool = False
    batch_id: str | None = None
    consent_column: bool = False
    consent_yes: int = 0  # rows saying yes (recorded only with the attestation)
    consent_recorded: bool = False


def import_file_now(
    data: bytes,
    file_name: str,
    mission: Mission,
    by,
    *,
    dry_run: bool = False,
    duplicates: str = "skip",
    sheet_name: str | None = None,
    consent_evidence: dict | None = None,
) -> CliResult:
    """Read, check and (unless ``dry_run`` or any row is rejected) write a file in one go.

    Rows with errors reject the whole file. Duplicates are skipped (``duplicates="skip"``),
    created (``"create"``) or reject the file (``"fail"``). Nothing is written when rejected.
    The consent column is recorded only with ``consent_evidence`` (``{"source", "date",
    "reference"}``, checked before anything is read); otherwise it is ignored.
    """
    evidence = normalize_consent_evidence(consent_evidence) if consent_evidence else None
    sheet = read_file(
        data, file_name, max_bytes=current_app.config["IMPORT_MAX_BYTES"], sheet_name=sheet_name
    )
    rows = analyse_rows(sheet, mission)
    result = CliResult(rows=rows)
    result.consent_column = "consent_listed" in (sheet.columns or [])
    result.consent_yes = consent_yes_rows(rows)
    result.consent_recorded = evidence is not None and result.consent_column
    rejected = any(r.has_errors for r in rows) or (
        duplicates == "fail" and any(r.matches for r in rows)
    )
    for r in rows:
        if r.matches and not r.has_errors:
            r.decision = "create" if duplicates == "create" else "skip"
    result.created = sum(1 for r in rows if r.decision == "create" and not r.has_errors)
    result.skipped = len(rows) - result.created
    if rejected or dry_run:
        return result
    batch = ImportBatch(
        id=new_id(),
        file_name=os.path.basename(file_name)[:255],
        file_format=sheet.file_format,
        sheet_name=sheet_name,
        mission_id=mission.id,
        uploaded_by_id=getattr(by, "id", None),
        status="done",
        details={**sheet.details, "headers": sheet.headers, "columns": sheet.columns, "cli": True},
        unknown_columns=sheet.unknown_columns,
        total_rows=len(rows),
        processed_rows=len(rows),
        committed_at=utcnow(),
    )
    if evidence is not None:
        attest_consent(batch, consent_evidence, by)
    db.session.add(batch)
    db.session.flush()
    try:
        counts = commit_rows(
            batch,
            (
                {
                    "row_number": r.row_number,
                    "values": r.values,
                    "decision": r.decision,
                    "person_id": r.person_id,
                    "merge_target_id": None,
                    "merge_choices": {},
                }
                for r in rows
                if not r.has_errors and r.decision == "create"
            ),
            by,
            evidence=evidence,
        )
        bulk_insert(ImportRow, [_row_dict(batch.id, r) for r in rows])
        batch.created_count = counts["created"]
        batch.skipped_count = len(rows) - counts["created"]
        audit.record(
            "import.commit",
            batch,
            actor=by,
            details={
                "created": counts["created"],
                "skipped": batch.skipped_count,
                "cli": True,
                **_consent_audit(evidence, counts["listed"], counts["consent_ignored"]),
            },
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    apply_search_outbox()
    result.committed = True
    result.batch_id = batch.id
    return result
