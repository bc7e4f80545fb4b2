"""Checking a need's input (forms and API alike): every problem is collected, translated, per field."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from directory import policy
from directory.core.errors import ValidationError
from directory.needs.models import (
    AUDIENCES,
    NEED_TYPES,
    STATUSES,
    Need,
)
from directory.reference.countries import resolve_country
from directory.reference.fields import field_index, resolve_field
from directory.reference.provinces import resolve_province, vietnam_today
from directory.text import clean_long_text, clean_text

TITLE_MAX = 200
DESCRIPTION_MAX = 5000
MESSAGE_MAX = 1000
NOTE_MAX = 1000
MAX_FIELDS = 10
MAX_COUNTRIES = 20
MAX_MILESTONES = 20
WRITABLE = (
    "province",
    "title",
    "description",
    "type",
    "fields",
    "countries",
    "milestones",
    "deadline",
    "audience",
    "status",
)
READ_ONLY = ("id", "interest_count", "created_at", "updated_at")


def _date(value, errors: dict, key: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        errors[key] = _("Enter a date as YYYY-MM-DD.")
        return None


def _list(value, errors: dict, key: str, limit: int) -> list | None:
    if value is None:
        return []
    if isinstance(value, str):
        value = [v for v in value.replace(";", ",").split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors[key] = _("Enter a list of texts.")
        return None
    if len(value) > limit:
        errors[key] = _("At most %(n)s values.", n=limit)
        return None
    return value


def _fields(value, errors: dict) -> list[str]:
    items = _list(value, errors, "fields", MAX_FIELDS)
    if items is None:
        return []
    index = field_index()
    codes: list[str] = []
    for item in items:
        code = resolve_field(item, index)
        if code is None:
            errors["fields"] = _("Unknown field: %(value)s", value=clean_text(item)[:60])
            return []
        if code not in codes:
            codes.append(code)
    if not codes:
        errors["fields"] = _("Choose at least one field.")
    return codes


def _countries(value, errors: dict) -> list[str]:
    items = _list(value, errors, "countries", MAX_COUNTRIES)
    if items is None:
        return []
    codes: list[str] = []
    for item in items:
        code = resolve_country(clean_text(item)[:100])
        if code is None:
            errors["countries"] = _("Unknown country: %(value)s", value=clean_text(item)[:60])
            return []
        if code not in codes:
            codes.append(code)
    return codes


def _milestones(value, errors: dict) -> list[dict]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_MILESTONES:
        errors["milestones"] = _(
            "Enter at most %(n)s milestones, each with a title and a due date.", n=MAX_MILESTONES
        )
        return []
    out: list[dict] = []
    for item in value:
        if not isinstance(item, dict) or set(item) - {"title", "due"}:
            errors["milestones"] = _("Each milestone has a title and a due date (YYYY-MM-DD).")
            return []
        title = clean_text(item.get("title") or "") if isinstance(item.get("title"), str) else ""
        due = _date(item.get("due"), errors, "milestones") if item.get("due") else None
        if "milestones" in errors:
            return []
        if not title or len(title) > TITLE_MAX or due is None:
            errors["milestones"] = _("Each milestone has a title and a due date (YYYY-MM-DD).")
            return []
        out.append({"title": title, "due": due.isoformat()})
    return sorted(out, key=lambda m: m["due"])


def _choice(value, choices, errors: dict, key: str) -> str | None:
    if not isinstance(value, str) or value.strip() not in choices:
        errors[key] = _("Choose one of: %(choices)s.", choices=", ".join(choices))
        return None
    return value.strip()


def checked_text(value, errors: dict, key: str, limit: int, *, long: bool = False) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        errors[key] = _("Enter text.")
        return ""
    text = clean_long_text(value) if long else clean_text(value)
    if len(text) > limit:
        errors[key] = _("At most %(n)s characters.", n=limit)
    return text


def normalize_need_input(data: dict, *, need: Need | None, by) -> dict:
    """Checked, canonical values for the keys given (all required ones for a new need).

    Raises ValidationError naming each bad key; nothing is written.
    """
    errors: dict[str, str] = {}
    for key in data:
        if key in READ_ONLY:
            errors[key] = _("This field is read-only.")
        elif key not in WRITABLE:
            errors[str(key)[:100]] = _("Unknown field.")
    creating = need is None
    values: dict = {}
    if "title" in data or creating:
        title = checked_text(data.get("title"), errors, "title", TITLE_MAX)
        if not title and "title" not in errors:
            errors["title"] = _("Enter a title.")
        values["title"] = title
    if "description" in data:
        values["description"] = checked_text(
            data.get("description"), errors, "description", DESCRIPTION_MAX, long=True
        )
    if "type" in data or creating:
        values["type"] = _choice(data.get("type"), NEED_TYPES, errors, "type")
    if "fields" in data or creating:
        values["fields"] = _fields(data.get("fields"), errors)
    if "countries" in data:
        values["countries"] = _countries(data.get("countries"), errors)
    if "milestones" in data:
        values["milestones"] = _milestones(data.get("milestones"), errors)
    if "audience" in data:
        values["audience"] = _choice(data.get("audience"), AUDIENCES, errors, "audience")
    if "status" in data:
        values["status"] = _choice(data.get("status"), STATUSES, errors, "status")
        if creating and values["status"] == "closed":
            errors["status"] = _("A new need is open or in progress.")
    if "deadline" in data:
        deadline = _date(data.get("deadline"), errors, "deadline")
        changed = need is None or deadline != need.deadline
        if deadline is not None and changed and deadline < vietnam_today():
            errors["deadline"] = _("The deadline cannot be in the past.")
        values["deadline"] = deadline
    if "province" in data or creating:
        values["province_slug"] = _province(data.get("province"), by, errors, creating=creating)
    if errors:
        raise ValidationError(errors, _("Some values are not valid."))
    return values


def _province(value, by, errors: dict, *, creating: bool) -> str | None:
    own = getattr(by, "province_slug", None) if policy.role(by) == "province" else None
    if value is None or (isinstance(value, str) and not value.strip()):
        if own is None:
            errors["province"] = _("Choose the province.")
        return own
    slug = resolve_province(value[:120]) if isinstance(value, str) else None
    if slug is None:
        errors["province"] = _("Unknown province.")
        return None
    if not creating:
        errors["province"] = _("A need stays with the province that published it.")
        return None
    if not policy.can(by, "need.publish_in", slug):
        errors["province"] = _("You publish needs for your own province only.")
        return None
    return slug
