"""Contract Person input -> model attributes: the checks every writer of a profile shares.

The HTML forms, the JSON API and the spreadsheet import all send the contract's keys; this
turns them into clean column values, or raises one ValidationError naming every bad field.
"""

from __future__ import annotations

from urllib.parse import urlparse

from flask_babel import gettext as _

from directory.core.errors import ValidationError
from directory.core.models import utcnow
from directory.people.fields import FIELDS_BY_NAME, PERSON_FIELDS, field_names
from directory.people.models import KINDS, VISIBILITY_LEVELS
from directory.reference.contact import InvalidValue, normalize_email, normalize_phone
from directory.reference.countries import resolve_country, resolve_language
from directory.reference.fields import field_index as load_field_index
from directory.reference.fields import resolve_field
from directory.reference.provinces import resolve_province
from directory.text import clean_long_text, clean_text, parse_bool, split_multi
from search_index.normalize import fold, name_key

# The declared fields by how their input is checked (``directory.people.fields``).
TEXT_LIMITS = {f.name: f.max_length for f in PERSON_FIELDS if f.kind in ("text", "long_text")}
LONG_TEXTS = frozenset(field_names(kind="long_text"))
URL_FIELDS = field_names(kind="url")
LIST_LIMITS = {f.name: (f.max_items, f.max_length) for f in PERSON_FIELDS if f.kind == "list"}
URL_LISTS = {f.name: (f.max_items, f.max_length) for f in PERSON_FIELDS if f.kind == "url_list"}
NAME_LENGTH = FIELDS_BY_NAME["full_name"].max_length
HOMETOWN_LENGTH = FIELDS_BY_NAME["hometown_province"].max_length
INPUT_KEYS = frozenset(
    {
        *field_names(),
        "hometown",  # the import's column name
        "consent_listed",
        "consent_contact",
        "contact_requests_enabled",
        "visibility",
    }
)
READ_ONLY_KEYS = frozenset(
    {
        "id",
        "verified",
        "verified_at",
        "verified_by_mission_id",
        "created_at",
        "updated_at",
        "hometown_as_given",
        "name_key",
        "provenance",
        "provenance_mission_id",
        "registered_by_id",
        "anonymised_at",
        "consent_at",
        "consent_notice_version",
        "claimed",
    }
)
# Accepted spellings of the two kinds (folded), so imports may write them in Vietnamese.
KIND_ALIASES = {
    "expert": ("expert",),
    "chuyen gia": ("expert",),
    "entrepreneur": ("entrepreneur",),
    "doanh nhan": ("entrepreneur",),
    "business": ("entrepreneur",),
    "both": KINDS,
    "ca hai": KINDS,
}


def normalize_url(value) -> str | None:
    """An http(s) URL; a bare domain gets ``https://``; other schemes raise ValueError."""
    text = clean_text(value) if value is not None else ""
    if not text:
        return None
    if "://" not in text and not text.lower().startswith(("javascript:", "data:", "mailto:")):
        text = "https://" + text
    parsed = urlparse(text)
    host = parsed.hostname or ""
    if parsed.scheme.lower() not in ("http", "https") or "." not in host or " " in text:
        raise ValueError(text)
    return text


def _error_messages() -> dict[str, str]:
    return {
        "required": _("This field is required."),
        "too_long": _("This is too long."),
        "invalid_phone": _("This is not a valid phone number."),
        "invalid_email": _("This is not a valid email address."),
        "invalid_url": _("Enter a web address starting with http:// or https://."),
        "invalid_bool": _("Answer yes or no."),
        "read_only": _("This field cannot be changed."),
        "unknown": _("This field does not exist."),
    }


class _LazyMessages(dict):
    """The error messages, translated on first use."""

    def __missing__(self, key: str) -> str:
        self.update(_error_messages())
        return dict.__getitem__(self, key)


def normalize_person_input(
    data: dict,
    *,
    partial: bool = False,
    field_index: dict[str, str] | None = None,
    country_hint: str | None = None,
) -> dict:
    """Contract Person input -> normalised model attributes; ValidationError lists every bad field.

    ``partial`` (an update) leaves out keys not given; ``field_index`` is a pre-loaded taxonomy
    index (imports); ``country_hint`` is the country used for national phone numbers when the
    input carries none (the person's current country on update).
    """
    if not isinstance(data, dict):
        raise ValidationError({"": _("Send an object with the profile's fields.")})
    # Translated only when an error occurs: gettext per call is costly in a 100,000-row import.
    msg = _LazyMessages()
    errors: dict[str, str] = {}
    out: dict = {}
    for key in data:
        if key in READ_ONLY_KEYS:
            errors[key] = msg["read_only"]
        elif key not in INPUT_KEYS:
            errors[str(key)[:60]] = msg["unknown"]

    def given(key: str) -> bool:
        return key in data

    # Name: required on creation; diacritics kept, spacing normalised.
    if given("full_name") or not partial:
        name = clean_text(data.get("full_name") or "")
        if not name:
            errors["full_name"] = msg["required"]
        elif len(name) > NAME_LENGTH:
            errors["full_name"] = msg["too_long"]
        else:
            out["full_name"] = name
            out["name_key"] = name_key(name)[:NAME_LENGTH]

    for key, (max_items, max_len) in LIST_LIMITS.items():
        if given(key):
            items = split_multi(data[key])
            if len(items) > max_items or any(len(i) > max_len for i in items):
                errors[key] = msg["too_long"]
            else:
                out[key] = items

    if given("kinds"):
        kinds: list[str] = []
        bad = []
        for item in split_multi(data["kinds"]):
            found = KIND_ALIASES.get(fold(item))
            if found is None:
                bad.append(item)
            else:
                kinds.extend(k for k in found if k not in kinds)
        if bad:
            errors["kinds"] = _("Unknown kind: %(value)s.", value=", ".join(bad))
        else:
            out["kinds"] = [k for k in KINDS if k in kinds]

    if given("fields"):
        index = field_index if field_index is not None else load_field_index()
        codes, bad = [], []
        for item in split_multi(data["fields"]):
            code = resolve_field(item, index)
            if code is None:
                bad.append(item)
            elif code not in codes:
                codes.append(code)
        if bad:
            errors["fields"] = _("Unknown field: %(value)s.", value=", ".join(bad))
        else:
            out["fields"] = codes

    if given("languages"):
        codes, bad = [], []
        for item in split_multi(data["languages"]):
            code = resolve_language(item)
            if code is None:
                bad.append(item)
            elif code not in codes:
                codes.append(code)
        if bad:
            errors["languages"] = _("Unknown language: %(value)s.", value=", ".join(bad))
        else:
            out["languages"] = codes

    country = country_hint
    if given("country"):
        raw = clean_text(data["country"] or "")
        if not raw:
            out["country"] = None
            country = None
        else:
            code = resolve_country(raw)
            if code is None:
                errors["country"] = _("Unknown country: %(value)s.", value=raw[:60])
            else:
                out["country"] = country = code

    for key in ("hometown_province", "hometown"):
        if given(key):
            raw = clean_text(data[key] or "")
            if not raw:
                out["hometown_province"] = out["hometown_as_given"] = None
            elif len(raw) > HOMETOWN_LENGTH:
                errors["hometown_province"] = msg["too_long"]
            else:
                slug = resolve_province(raw)
                if slug is None:
                    errors["hometown_province"] = _("Unknown province: %(value)s.", value=raw[:60])
                else:
                    out["hometown_province"] = slug
                    out["hometown_as_given"] = raw

    for key, limit in TEXT_LIMITS.items():
        if given(key):
            value = data[key]
            if isinstance(value, list | dict):
                errors[key] = _("Enter text.")
                continue
            text = clean_long_text(value or "") if key in LONG_TEXTS else clean_text(value or "")
            if len(text) > limit:
                errors[key] = msg["too_long"]
            else:
                out[key] = text or None

    if given("email"):
        try:
            out["email"] = normalize_email(clean_text(data["email"] or ""))
        except (InvalidValue, TypeError):
            errors["email"] = msg["invalid_email"]

    if given("phone"):
        try:
            out["phone"] = normalize_phone(clean_text(data["phone"] or ""), country)
        except (InvalidValue, TypeError):
            errors["phone"] = msg["invalid_phone"]

    for key in URL_FIELDS:
        if given(key):
            try:
                url = normalize_url(data[key])
            except (ValueError, TypeError):
                errors[key] = msg["invalid_url"]
                continue
            if url and len(url) > FIELDS_BY_NAME[key].max_length:
                errors[key] = msg["too_long"]
            else:
                out[key] = url

    for key, (max_items, max_len) in URL_LISTS.items():
        if given(key):
            try:
                links = [normalize_url(item) for item in split_multi(data[key])]
            except (ValueError, TypeError):
                errors[key] = msg["invalid_url"]
                continue
            if len(links) > max_items or any(len(link) > max_len for link in links):
                errors[key] = msg["too_long"]
            else:
                out[key] = links

    if given("birth_year"):
        raw = data["birth_year"]
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            out["birth_year"] = None
        else:
            this_year = utcnow().year
            try:
                if isinstance(raw, bool):
                    raise ValueError(raw)
                year = int(str(raw).strip())
            except (TypeError, ValueError):
                year = None
            if year is None or not 1900 <= year <= this_year - 10:
                errors["birth_year"] = _(
                    "Enter a year between %(start)s and %(end)s.", start=1900, end=this_year - 10
                )
            else:
                out["birth_year"] = year

    for key in ("consent_listed", "consent_contact", "contact_requests_enabled"):
        if given(key):
            try:
                out[key] = parse_bool(data[key])
            except ValueError:
                errors[key] = msg["invalid_bool"]

    if given("visibility"):
        visibility = data["visibility"]
        if not isinstance(visibility, dict) or set(visibility) - {"contact", "profile"}:
            errors["visibility"] = _('Give visibility as {"contact": …, "profile": …}.')
        else:
            for group, level in visibility.items():
                if level not in VISIBILITY_LEVELS:
                    errors[f"visibility.{group}"] = _("Choose public, officials or private.")
                else:
                    out[f"visibility_{group}"] = level

    if errors:
        raise ValidationError(errors, _("Some values are not valid."))
    return out
