"""Import analysis: normalise each row with the people service, check scope, find duplicates."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import force_locale

from directory.core.errors import ValidationError
from directory.core.models import new_id
from directory.extensions import db
from directory.i18n import current_locale
from directory.imports.reader import Sheet
from directory.missions.models import Mission
from directory.people.models import Person
from directory.people.normalise import normalize_person_input
from directory.reference.fields import field_index as load_field_index
from search_index.normalize import fold

CHUNK = 2000
# The service reports the hometown as ``hometown_province``; the file calls it ``hometown``.
FIELD_TO_COLUMN = {"hometown_province": "hometown", "hometown_as_given": "hometown"}


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


def current_language() -> str:
    """The request's language, "vi" or "en" (kept for callers of the import analysis)."""
    return current_locale()


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


def _one_of(column, values: set) -> list:
    """Conditions that together select the rows whose ``column`` is one of ``values``: one
    array parameter on PostgreSQL instead of thousands of bound values, chunks elsewhere."""
    if not values:
        return []
    if db.session.connection().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY

        return [column == sa.any_(sa.bindparam("wanted", sorted(values), type_=ARRAY(sa.String)))]
    return [column.in_(chunk) for chunk in _chunks(sorted(values))]


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
    for column, wanted in ((Person.email, emails), (Person.phone, phones), (Person.name_key, keys)):
        for condition in _one_of(column, wanted):
            query = sa.select(*columns).where(condition, Person.anonymised_at.is_(None))
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
    add_evidence(rows)
    for row in rows:
        # Errors and strong matches are skipped; a weak match (fields clearly differ) is created.
        if row.has_errors or any(m.get("strength") == "strong" for m in row.matches):
            row.decision = "skip"
        else:
            row.decision = "create"


# --- evidence of a match ---------------------------------------------------------------------

# The fields compared between a row and the profile (or earlier row) it matches, in order.
# A field "differs" only when both sides have a value and they share nothing (lists share no
# item; texts are different once folded); an empty side is no evidence either way.
EVIDENCE_FIELDS = (
    "email",
    "phone",
    "birth_year",
    "country",
    "city",
    "hometown_province",
    "kinds",
    "fields",
    "title",
    "organization",
)


def _folded_set(value) -> frozenset:
    if value in (None, "", []):
        return frozenset()
    items = value if isinstance(value, list | tuple | set) else [value]
    return frozenset(_folded(text) for text in map(str, items) if text.strip())


@functools.lru_cache(maxsize=65536)
def _folded(text: str) -> str:
    """``fold``, remembered: the compared values (countries, provinces, cities, fields, titles)
    repeat across a file, and a file of people already in the directory compares every row
    with a profile (about two million values for 100,000 rows)."""
    return fold(text)


def compare_values(
    values: dict, other: dict, fields: tuple[str, ...] = EVIDENCE_FIELDS
) -> tuple[list[str], list[str]]:
    """(fields that agree, fields that differ) between two sets of normalised values."""
    agree: list[str] = []
    differ: list[str] = []
    for name in fields:
        mine, theirs = _folded_set(values.get(name)), _folded_set(other.get(name))
        if mine and theirs:
            (agree if mine & theirs else differ).append(name)
    return agree, differ


# A different birth year or hometown is a different person; so is a different occupation (the
# fields, kinds, title and organisation differ on one and agree on none). Contact details, the
# city and the country may differ for one person (several addresses, a move): shown, not decisive.
IDENTITY_FIELDS = ("birth_year", "hometown_province")
OCCUPATION_FIELDS = ("kinds", "fields", "title", "organization")


def match_strength(match: dict) -> str:
    """ "strong" (same email or phone, or a same name with nothing decisive differing) or
    "weak" (a same name whose identity or occupation clearly differs): docs/product-rules.md."""
    if match["kind"] == "duplicate":
        return "strong"
    differ, agree = set(match.get("differ", ())), set(match.get("agree", ()))
    if differ & set(IDENTITY_FIELDS):
        return "weak"
    if differ & set(OCCUPATION_FIELDS) and not agree & set(OCCUPATION_FIELDS):
        return "weak"
    return "strong"


def add_evidence(rows: list[AnalysedRow]) -> None:
    """Give each match the fields that agree and differ, and its strength."""
    wanted = {m["person_id"] for r in rows for m in r.matches if m.get("person_id")}
    people: dict[str, dict] = {}
    # The compared columns only, not whole profiles: a file of people already in the directory
    # matches every row, and loading 100,000 profiles as objects took most of its analysis.
    columns = [getattr(Person, name) for name in EVIDENCE_FIELDS]
    for condition in _one_of(Person.id, wanted):
        for person_id, *values in db.session.execute(
            sa.select(Person.id, *columns).where(condition)
        ):
            people[person_id] = dict(zip(EVIDENCE_FIELDS, values, strict=True))
    by_number = {r.row_number: r.values for r in rows}
    for row in rows:
        for match in row.matches:
            if match.get("person_id"):
                other = people.get(match["person_id"], {})
            else:
                other = by_number.get(match.get("row"), {})
            match["agree"], match["differ"] = compare_values(row.values, other)
            match["strength"] = match_strength(match)


def likely_duplicates(values: dict) -> list[dict]:
    """Existing profiles one new profile's normalised values match, as the import finds them.

    The registration forms ask this before saving; each match has ``person_id``, ``kind``,
    ``reason``, ``agree``, ``differ`` and ``strength``.
    """
    row = AnalysedRow(row_number=1, raw={}, values=dict(values))
    find_duplicates([row])
    return [m for m in row.matches if m.get("person_id")]


def analyse_rows(
    sheet: Sheet, mission: Mission, progress: Callable[[int], None] | None = None
) -> list[AnalysedRow]:
    """Normalise every row of ``sheet`` and find its duplicates; writes nothing."""
    index = load_field_index()
    language = current_language()
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
