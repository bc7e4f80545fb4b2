"""Batches of businesses: each row read into a business's input, checked by the business
domain's own rules (``normalize_business_input``, the same as the form and the API), scoped to
the mission's countries, and compared with the registered businesses and the file's earlier
rows by the business duplicate rule (same folded name and country, or same website domain).

A cell with several values uses ";". Presence in Vietnam is "kind: province" per entry
("Liên doanh: Đà Nẵng; Văn phòng đại diện: Hà Nội", or "none"); an interest is its kind,
optionally followed by provinces ("Đầu tư: Huế, Đà Nẵng; Xuất khẩu"). Kinds and sizes are
accepted as codes or words in either language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask_babel import force_locale

from directory import policy
from directory.businesses.bulk import add_imported, merge_imported
from directory.businesses.inputs import normalize_business_input, sector_index
from directory.businesses.models import Business
from directory.businesses.queries import duplicate_candidates, same_business
from directory.core.errors import ValidationError
from directory.core.models import new_id
from directory.extensions import db
from directory.i18n import current_locale
from directory.imports.analysis import CHUNK, AnalysedRow, _issue, compare_values
from directory.imports.merge import MergeTargetGone
from directory.imports.reader import Sheet
from directory.missions.models import Mission
from search_index.normalize import fold

LIST_COLUMNS = ("other_names", "operates_in", "cities", "sectors")
TEXT_COLUMNS = ("name", "legal_form", "country", "website", "email", "phone", "description")

# Words for the kinds and sizes, in English and Vietnamese (the labels of the business pages
# and shorter forms people write); codes are accepted too, with spaces for underscores.
PRESENCE_WORDS = {
    "none": ("none", "no", "không", "không có", "no presence in vietnam", "chưa hiện diện"),
    "representative_office": ("representative office", "rep office", "văn phòng đại diện"),
    "subsidiary": ("subsidiary", "công ty con"),
    "joint_venture": ("joint venture", "jv", "liên doanh", "công ty liên doanh"),
    "invested_project": ("invested project", "investment project", "dự án đã đầu tư"),
}
INTEREST_WORDS = {
    "investment": ("investment", "investment in vietnam", "đầu tư", "đầu tư vào việt nam"),
    "import": ("import", "import from vietnam", "nhập khẩu", "nhập khẩu từ việt nam"),
    "export": ("export", "export to vietnam", "xuất khẩu", "xuất khẩu sang việt nam"),
    "technology_transfer": ("technology transfer", "chuyển giao công nghệ"),
    "training": ("training", "đào tạo"),
}
SIZE_WORDS = {
    "micro": ("micro", "siêu nhỏ", "1-9", "1–9"),
    "small": ("small", "nhỏ", "10-49", "10–49"),
    "medium": ("medium", "vừa", "50-249", "50–249"),
    "large": ("large", "lớn", "250+", "250 or more"),
}


def _word_index(words: dict[str, tuple[str, ...]]) -> dict[str, str]:
    index = {}
    for code, names in words.items():
        for name in (code, code.replace("_", " "), *names):
            index[fold(name)] = code
    return index


_PRESENCE = _word_index(PRESENCE_WORDS)
_INTERESTS = _word_index(INTEREST_WORDS)
_SIZES = _word_index(SIZE_WORDS)


def _word(index: dict[str, str], text: str) -> str | None:
    key = fold(text)
    if key in index:
        return index[key]
    # "Micro (1–9 employees)", "Siêu nhỏ (1–9 lao động)": the words before the parenthesis.
    return index.get(fold(text.split("(", 1)[0]))


def _entries(cell: str) -> list[tuple[str, str]]:
    """ "kind: rest; kind" -> [(kind, rest), (kind, "")]."""
    out = []
    for part in cell.split(";"):
        if part.strip():
            kind, _sep, rest = part.partition(":")
            out.append((kind.strip(), rest.strip()))
    return out


def service_data(raw: dict) -> tuple[dict, list]:
    """The business input a row's cells stand for, and the issues of words not understood."""
    data: dict = {}
    issues: list = []
    for column in TEXT_COLUMNS:
        if column in raw:
            data[column] = raw[column]
    for column in LIST_COLUMNS:
        if column in raw:
            data[column] = [v.strip() for v in raw[column].split(";") if v.strip()]
    if "founded_year" in raw:
        data["founded_year"] = raw["founded_year"]
    if "size_band" in raw:
        size = _word(_SIZES, raw["size_band"])
        if size is None:
            issues.append(_issue("size_band", "error", "unknown_size", value=raw["size_band"]))
        data["size_band"] = size
    if "presence_in_vietnam" in raw:
        presence = []
        for word, province in _entries(raw["presence_in_vietnam"]):
            kind = _word(_PRESENCE, word)
            if kind is None:
                issues.append(
                    _issue("presence_in_vietnam", "error", "unknown_presence", value=word[:60])
                )
                break
            presence.append({"kind": kind, "province": province or None})
        data["presence_in_vietnam"] = presence
    if "interests" in raw:
        interests = []
        for word, provinces in _entries(raw["interests"]):
            kind = _word(_INTERESTS, word)
            if kind is None:
                issues.append(_issue("interests", "error", "unknown_interest", value=word[:60]))
                break
            names = [p.strip() for p in provinces.split(",") if p.strip()]
            interests.append({"kind": kind, "provinces": names})
        data["interests"] = interests
    return data, issues


def _normalise(data: dict, sectors: dict) -> tuple[dict, dict]:
    try:
        return normalize_business_input(data, business=None, sectors=sectors), {}
    except ValidationError as exc:
        good = {k: v for k, v in data.items() if k not in exc.fields}
        try:
            # The row's good values, for the preview (a blank business: nothing is required).
            values = normalize_business_input(good, business=Business(), sectors=sectors)
        except ValidationError:
            values = {}
        return values, dict(exc.fields)


def normalise_business_row(raw: dict, countries: list[str], sectors: dict) -> tuple[dict, list]:
    """(checked values, issues) for one row; ``countries`` are the mission's countries.

    The business domain's messages are kept in both languages, so that the preview speaks
    the reader's language.
    """
    data, issues = service_data(raw)
    bad = {i["field"] for i in issues}
    if not data.get("country") and len(countries) == 1:
        data["country"] = countries[0]
        issues.append(_issue("country", "warning", "country_assumed", country=countries[0]))
    values, errors = _normalise({k: v for k, v in data.items() if k not in bad}, sectors)
    if errors:
        language = current_locale()
        other = "en" if language == "vi" else "vi"
        with force_locale(other):
            translated = _normalise({k: v for k, v in data.items() if k not in bad}, sectors)[1]
        for key, message in errors.items():
            issue = _issue(key, "error", "invalid", message)
            issue["messages"] = {language: message, other: translated.get(key, message)}
            issues.append(issue)
    if values.get("country") and "country" not in errors:
        covered = {values["country"], *(values.get("operates_in") or [])} & set(countries)
        if not covered:
            issues.append(
                _issue(
                    "country", "error", "business_outside_mission", countries=", ".join(countries)
                )
            )
    return values, issues


# --- duplicates -------------------------------------------------------------------------------

EVIDENCE_FIELDS = (
    "country",
    "operates_in",
    "cities",
    "sectors",
    "size_band",
    "founded_year",
    "website",
    "email",
    "phone",
)


def _keys(values: dict) -> dict:
    return {k: values.get(k) for k in ("name_key", "country", "website_domain")}


def business_values(business: Business) -> dict:
    return {name: getattr(business, name) for name in EVIDENCE_FIELDS}


def find_business_duplicates(rows: list[AnalysedRow]) -> None:
    """Mark each row's likely duplicates among the registered businesses and the file's
    earlier rows, with the evidence; a row with a match is skipped unless the officer says
    otherwise, as for people."""
    valid = [r for r in rows if not r.has_errors]
    existing = duplicate_candidates(
        {r.values.get("name_key") for r in valid} - {None},
        {r.values.get("website_domain") for r in valid} - {None},
    )
    by_name: dict[tuple, list] = {}
    by_domain: dict[str, list] = {}
    for business in existing:
        their = {
            "name_key": business.name_key,
            "country": business.country,
            "website_domain": business.website_domain,
        }
        ref = ("business", business.id, their, business_values(business))
        by_name.setdefault((business.name_key, business.country), []).append(ref)
        if business.website_domain:
            by_domain.setdefault(business.website_domain, []).append(ref)
    for row in rows:
        if row.has_errors:
            row.decision = "skip"
            continue
        keys = _keys(row.values)
        found: dict[tuple, dict] = {}
        candidates = [
            *by_name.get((keys["name_key"], keys["country"]), ()),
            *by_domain.get(keys["website_domain"] or "", ()),
        ]
        for kind, target, their_keys, their_values in candidates:
            reason = same_business(keys, their_keys)
            if reason is None or (kind, target) in found:
                continue
            agree, differ = compare_values(row.values, their_values, EVIDENCE_FIELDS)
            match = {"kind": "duplicate", "reason": reason, "agree": agree, "differ": differ}
            match["strength"] = "strong"
            match["business_id" if kind == "business" else "row"] = target
            found[(kind, target)] = match
        row.matches = sorted(found.values(), key=lambda m: ("row" in m, str(m.get("row", ""))))
        row.decision = "skip" if row.matches else "create"
        ref = ("row", row.row_number, keys, row.values)
        by_name.setdefault((keys["name_key"], keys["country"]), []).append(ref)
        if keys["website_domain"]:
            by_domain.setdefault(keys["website_domain"], []).append(ref)


def analyse_business_rows(
    sheet: Sheet, mission: Mission, progress: Callable[[int], None] | None = None
) -> list[AnalysedRow]:
    """Check every row of a sheet of businesses and find its duplicates; writes nothing."""
    sectors = sector_index()
    countries = mission.countries
    rows: list[AnalysedRow] = []
    for position, (number, raw, extra) in enumerate(sheet.rows, start=1):
        values, issues = normalise_business_row(raw, countries, sectors)
        if extra:
            issues.append(_issue("", "warning", "extra_cells", values="; ".join(extra)[:300]))
        rows.append(
            AnalysedRow(
                row_number=number, raw=raw, values=values, issues=issues, person_id=new_id()
            )
        )
        if progress and position % CHUNK == 0:
            progress(position)
    find_business_duplicates(rows)
    return rows


# --- decisions and the commit -------------------------------------------------------------------


def merge_candidates(row, by) -> list[Business]:
    """The registered businesses a row matches that ``by`` may complete from the file."""
    ids = [m["business_id"] for m in row.matches if m.get("business_id")]
    found = [db.session.get(Business, i) for i in ids]
    return [b for b in found if b is not None and policy.can(by, "business.edit", b)]


def commit_business_rows(
    batch, rows: Iterable[dict], by, *, progress: Callable[[int], None] | None = None
) -> dict[str, int]:
    """Write the accepted rows of a batch of businesses into the current transaction (the
    caller commits all or nothing): new businesses, and merges completing existing ones."""
    counts = {"created": 0, "merged": 0}
    for done, row in enumerate(rows, start=1):
        if row["decision"] == "create":
            add_imported(
                row["values"],
                row["person_id"],
                by,
                mission_id=batch.mission_id,
                batch_id=batch.id,
                row=row["row_number"],
            )
            counts["created"] += 1
        elif row["decision"] == "merge":
            target = db.session.get(Business, row["merge_target_id"])
            if target is None or not policy.can(by, "business.edit", target):
                raise MergeTargetGone(row["row_number"])
            merge_imported(target, row["values"], by, batch_id=batch.id, row=row["row_number"])
            counts["merged"] += 1
        if done % CHUNK == 0:
            db.session.flush()
            if progress:
                progress(done)
    db.session.flush()
    return counts
