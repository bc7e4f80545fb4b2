"""Checking a business's input (forms and API alike): every problem collected, translated, per
key, before anything is written."""

from __future__ import annotations

from urllib.parse import urlparse

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from directory.businesses.models import (
    INTEREST_KINDS,
    LINK_ROLES,
    PRESENCE_KINDS,
    SIZE_BANDS,
    TICKET_BANDS,
    VISIBILITY_GROUPS,
    VISIBILITY_LEVELS,
    Business,
)
from directory.core.errors import ValidationError
from directory.extensions import db
from directory.reference.contact import InvalidValue, normalize_email, normalize_phone
from directory.reference.countries import resolve_country
from directory.reference.provinces import resolve_province, vietnam_today
from directory.text import clean_long_text, clean_text
from search_index.normalize import fold, fold_words

NAME_MAX = 200
TEXT_MAX = 200
DESCRIPTION_MAX = 5000
MAX_ITEMS = 20
MAX_SECTORS = 10
OLDEST_YEAR = 1800
WRITABLE = (
    "name",
    "other_names",
    "legal_form",
    "country",
    "operates_in",
    "cities",
    "sectors",
    "size_band",
    "founded_year",
    "website",
    "email",
    "phone",
    "description",
    "presence_in_vietnam",
    "interests",
    "consent_listed",
    "visibility",
    "confirm_duplicate",
)
READ_ONLY = ("id", "people", "verified", "created_at", "updated_at")
# Keys that only those who manage the business (its owners and executives, the admin) set freely.
MANAGED = ("consent_listed", "visibility")

SIZE_LABELS = {
    "micro": _l("Micro (1–9 employees)"),
    "small": _l("Small (10–49 employees)"),
    "medium": _l("Medium (50–249 employees)"),
    "large": _l("Large (250 employees or more)"),
}
PRESENCE_LABELS = {
    "none": _l("No presence in Vietnam"),
    "representative_office": _l("Representative office"),
    "subsidiary": _l("Subsidiary"),
    "joint_venture": _l("Joint venture"),
    "invested_project": _l("Invested project"),
}
INTEREST_LABELS = {
    "investment": _l("Investment in Vietnam"),
    "import": _l("Import from Vietnam"),
    "export": _l("Export to Vietnam"),
    "technology_transfer": _l("Technology transfer"),
    "training": _l("Training"),
}
TICKET_LABELS = {
    "under_100k": _l("Under 100,000 USD"),
    "100k_1m": _l("100,000 – 1 million USD"),
    "1m_10m": _l("1 – 10 million USD"),
    "over_10m": _l("Over 10 million USD"),
}
ROLE_LABELS = {
    "founder": _l("Founder"),
    "owner": _l("Owner"),
    "executive": _l("Executive"),
    "contact_person": _l("Contact person"),
}
VISIBILITY_LABELS = {
    "public": _l("Everyone"),
    "officials": _l("Officials only"),
    "private": _l("Only the business's managers, its mission and the admin"),
}
assert set(SIZE_LABELS) == set(SIZE_BANDS) and set(PRESENCE_LABELS) == set(PRESENCE_KINDS)
assert set(INTEREST_LABELS) == set(INTEREST_KINDS) and set(TICKET_LABELS) == set(TICKET_BANDS)
assert set(ROLE_LABELS) == set(LINK_ROLES)

# --- the business sectors (the taxonomy's ISIC Rev.4 / VSIC aligned group) -------------------


def sector_index() -> dict[str, str]:
    """Folded code, label or synonym of a business sector -> its code."""
    from directory.reference.models import Field

    index: dict[str, str] = {}
    rows = db.session.scalars(
        sa.select(Field).where(Field.active.is_(True), Field.group == "sector")
    )
    for f in rows:
        for name in (f.code, f.label_vi, f.label_en, *(f.synonyms or [])):
            index.setdefault(fold(name), f.code)
    return index


def resolve_sector(value, index: dict[str, str] | None = None) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return (index if index is not None else sector_index()).get(fold(value))


# --- keys for duplicate checks ------------------------------------------------------------


def business_name_key(name: str | None) -> str:
    """The folded name, punctuation and spacing removed: "Phở Việt GmbH" -> "pho viet gmbh"."""
    return " ".join(fold_words(name))[:200]


def website_domain(url: str | None) -> str | None:
    """The host of a website without ``www.``: "https://www.pho-viet.de/de" -> "pho-viet.de"."""
    if not url:
        return None
    host = (urlparse(url).hostname or "").lower()
    return (host[4:] if host.startswith("www.") else host) or None


# --- values -------------------------------------------------------------------------------


def _text(value, errors: dict, key: str, limit: int, *, long: bool = False) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        errors[key] = _("Enter text.")
        return ""
    text = clean_long_text(value) if long else clean_text(value)
    if len(text) > limit:
        errors[key] = _("At most %(n)s characters.", n=limit)
    return text


def _texts(value, errors: dict, key: str, limit: int = MAX_ITEMS) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = [v for v in value.replace(";", ",").split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors[key] = _("Enter a list of texts.")
        return []
    if len(value) > limit:
        errors[key] = _("At most %(n)s values.", n=limit)
        return []
    out: list[str] = []
    for item in value:
        text = clean_text(item)
        if len(text) > TEXT_MAX:
            errors[key] = _("At most %(n)s characters.", n=TEXT_MAX)
            return []
        if text and text not in out:
            out.append(text)
    return out


def _countries(value, errors: dict, key: str) -> list[str]:
    codes: list[str] = []
    for item in _texts(value, errors, key):
        code = resolve_country(item[:100])
        if code is None:
            errors[key] = _("Unknown country: %(value)s", value=item[:60])
            return []
        if code not in codes:
            codes.append(code)
    return codes


def _sectors(value, errors: dict, key: str, index: dict, *, required: bool) -> list[str]:
    codes: list[str] = []
    for item in _texts(value, errors, key, MAX_SECTORS):
        code = resolve_sector(item, index)
        if code is None:
            errors[key] = _("Unknown sector: %(value)s", value=item[:60])
            return []
        if code not in codes:
            codes.append(code)
    if required and not codes and key not in errors:
        errors[key] = _("Choose at least one sector.")
    return codes


def _provinces(value, errors: dict, key: str) -> list[str]:
    slugs: list[str] = []
    for item in _texts(value, errors, key):
        slug = resolve_province(item[:120])
        if slug is None:
            errors[key] = _("Unknown province: %(value)s", value=item[:60])
            return []
        if slug not in slugs:
            slugs.append(slug)
    return slugs


def _choice(value, choices, errors: dict, key: str, *, optional: bool = False) -> str | None:
    if optional and (value is None or value == ""):
        return None
    if not isinstance(value, str) or value.strip() not in choices:
        errors[key] = _("Choose one of: %(choices)s.", choices=", ".join(choices))
        return None
    return value.strip()


def _presence(value, errors: dict) -> list[dict]:
    key = "presence_in_vietnam"
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_ITEMS:
        errors[key] = _("Enter at most %(n)s entries, each a kind and a province.", n=MAX_ITEMS)
        return []
    out: list[dict] = []
    for item in value:
        if not isinstance(item, dict) or set(item) - {"kind", "province"}:
            errors[key] = _("Each entry has a kind and a province.")
            return []
        kind = _choice(item.get("kind"), PRESENCE_KINDS, errors, key)
        if kind is None:
            errors[key] = _("Unknown kind of presence: %(value)s", value=str(item.get("kind"))[:60])
            return []
        province = item.get("province")
        slug = None
        if kind != "none":
            slug = resolve_province(province[:120]) if isinstance(province, str) else None
            if slug is None:
                errors[key] = _("Unknown province: %(value)s", value=str(province or "")[:60])
                return []
        elif province not in (None, ""):
            errors[key] = _("A business without presence in Vietnam has no province.")
            return []
        entry = {"kind": kind, "province": slug}
        if entry not in out:
            out.append(entry)
    if any(e["kind"] == "none" for e in out) and len(out) > 1:
        errors[key] = _("A business without presence in Vietnam has no other entry.")
        return []
    return out


INTEREST_KEYS = {"kind", "sectors", "provinces", "products", "ticket_band"}


def _interests(value, errors: dict, index: dict) -> list[dict]:
    key = "interests"
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_ITEMS:
        errors[key] = _("Enter at most %(n)s interests.", n=MAX_ITEMS)
        return []
    out: list[dict] = []
    for item in value:
        if not isinstance(item, dict) or set(item) - INTEREST_KEYS:
            errors[key] = _(
                "Each interest has a kind, and may have sectors, provinces, products and a "
                "ticket band."
            )
            return []
        kind = _choice(item.get("kind"), INTEREST_KINDS, errors, key)
        sectors = _sectors(item.get("sectors"), errors, key, index, required=False)
        provinces = _provinces(item.get("provinces"), errors, key)
        products = _texts(item.get("products"), errors, key)
        ticket = _choice(item.get("ticket_band"), TICKET_BANDS, errors, key, optional=True)
        if key in errors:
            return []
        if ticket is not None and kind != "investment":
            errors[key] = _("Only an investment interest has a ticket band.")
            return []
        out.append(
            {
                "kind": kind,
                "sectors": sectors,
                "provinces": provinces,
                "products": products,
                "ticket_band": ticket,
            }
        )
    return out


def _visibility(value, errors: dict) -> dict:
    if not isinstance(value, dict) or set(value) - set(VISIBILITY_GROUPS):
        errors["visibility"] = _(
            "Give a level for: %(groups)s.", groups=", ".join(VISIBILITY_GROUPS)
        )
        return {}
    out = {}
    for group, level in value.items():
        if level not in VISIBILITY_LEVELS:
            errors["visibility"] = _(
                "Choose one of: %(choices)s.", choices=", ".join(VISIBILITY_LEVELS)
            )
            return {}
        out[group] = level
    return out


def _bool(value, errors: dict, key: str) -> bool:
    if not isinstance(value, bool):
        errors[key] = _("Enter true or false.")
        return False
    return value


def normalize_business_input(
    data: dict, *, business: Business | None, sectors: dict[str, str] | None = None
) -> dict:
    """Checked, canonical values for the keys given (all required ones for a new business).

    ``sectors``: the :func:`sector_index` when the caller checks many businesses at once.
    ``visibility`` comes back as ``visibility_profile`` / ``visibility_contact``;
    ``confirm_duplicate`` as itself. Raises ValidationError naming each bad key.
    """
    errors: dict[str, str] = {}
    for key in data:
        if key in READ_ONLY:
            errors[key] = _("This field is read-only.")
        elif key not in WRITABLE:
            errors[str(key)[:100]] = _("Unknown field.")
    creating = business is None
    index = sectors if sectors is not None else sector_index()
    values: dict = {}
    if "name" in data or creating:
        values["name"] = _text(data.get("name"), errors, "name", NAME_MAX)
        if not values["name"] and "name" not in errors:
            errors["name"] = _("Enter the business's name.")
    if "other_names" in data:
        values["other_names"] = _texts(data["other_names"], errors, "other_names")
    if "legal_form" in data:
        values["legal_form"] = _text(data["legal_form"], errors, "legal_form", 80) or None
    if "country" in data or creating:
        raw = data.get("country")
        code = resolve_country(raw.strip()[:100]) if isinstance(raw, str) and raw.strip() else None
        if code is None:
            errors["country"] = (
                _("Unknown country: %(value)s", value=raw[:60])
                if isinstance(raw, str) and raw.strip()
                else _("Choose the country of registration.")
            )
        values["country"] = code
    if "operates_in" in data:
        values["operates_in"] = _countries(data["operates_in"], errors, "operates_in")
    if "cities" in data:
        values["cities"] = _texts(data["cities"], errors, "cities")
    if "sectors" in data or creating:
        values["sectors"] = _sectors(data.get("sectors"), errors, "sectors", index, required=True)
    if "size_band" in data:
        values["size_band"] = _choice(
            data["size_band"], SIZE_BANDS, errors, "size_band", optional=True
        )
    if "founded_year" in data:
        values["founded_year"] = _year(data["founded_year"], errors)
    if "website" in data:
        values["website"] = _website(data["website"], errors)
        values["website_domain"] = website_domain(values["website"])
    if "email" in data:
        try:
            values["email"] = normalize_email(_text(data["email"], errors, "email", 254))
        except InvalidValue:
            errors["email"] = _("Enter a valid email address.")
    if "phone" in data:
        country = values.get("country") or (business.country if business else None)
        try:
            values["phone"] = normalize_phone(_text(data["phone"], errors, "phone", 40), country)
        except InvalidValue:
            errors["phone"] = _("Enter a valid phone number, with its country code.")
    if "description" in data:
        values["description"] = (
            _text(data["description"], errors, "description", DESCRIPTION_MAX, long=True) or None
        )
    if "presence_in_vietnam" in data:
        values["presence_in_vietnam"] = _presence(data["presence_in_vietnam"], errors)
    if "interests" in data:
        values["interests"] = _interests(data["interests"], errors, index)
    if "consent_listed" in data:
        values["consent_listed"] = _bool(data["consent_listed"], errors, "consent_listed")
    if "visibility" in data:
        for group, level in _visibility(data["visibility"], errors).items():
            values[f"visibility_{group}"] = level
    if "confirm_duplicate" in data:
        values["confirm_duplicate"] = _bool(data["confirm_duplicate"], errors, "confirm_duplicate")
    if "name" in values:
        values["name_key"] = business_name_key(values["name"])
    if errors:
        raise ValidationError(errors, _("Some values are not valid."))
    return values


def _year(value, errors: dict) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        errors["founded_year"] = _("Enter a year, e.g. 2015.")
        return None
    if value > vietnam_today().year:
        errors["founded_year"] = _("The founding year cannot be in the future.")
        return None
    if value < OLDEST_YEAR:
        errors["founded_year"] = _("Enter a year after %(year)s.", year=OLDEST_YEAR)
        return None
    return value


def _website(value, errors: dict) -> str | None:
    from directory.people.normalise import normalize_url

    text = _text(value, errors, "website", 300)
    if "website" in errors:
        return None
    try:
        return normalize_url(text)
    except ValueError:
        errors["website"] = _("Enter a web address starting with http:// or https://.")
        return None


def checked_link(data: dict) -> tuple[str, str, object]:
    """``{person_id, role, since}`` of a link, checked: (person_id, role, since date or None)."""
    from datetime import date

    errors: dict[str, str] = {}
    for key in data:
        if key not in ("person_id", "role", "since"):
            errors[str(key)[:100]] = _("Unknown field.")
    person_id = data.get("person_id")
    if not isinstance(person_id, str) or not person_id.strip() or len(person_id) > 16:
        errors["person_id"] = _("This person does not exist, or you may not see them.")
    role = _choice(data.get("role"), LINK_ROLES, errors, "role")
    since = None
    raw = data.get("since")
    if raw not in (None, ""):
        try:
            since = date.fromisoformat(str(raw).strip())
        except ValueError:
            errors["since"] = _("Enter a date as YYYY-MM-DD.")
        else:
            if since > vietnam_today():
                errors["since"] = _("The date cannot be in the future.")
    if errors:
        raise ValidationError(errors, _("Some values are not valid."))
    return person_id.strip(), role, since
