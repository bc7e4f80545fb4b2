"""Reading the values a step is given: each bad one adds a translated message to ``errors``."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _


def flag(value, field: str, errors: dict) -> bool:
    if value in (None, False, ""):
        return False
    if value is True:
        return True
    errors[field] = _("Must be true or false.")
    return False


def parse_date(value, field: str, errors: dict) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    errors[field] = _("Use a date like 2026-01-31.")
    return None


def text(value, field: str, errors: dict, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        errors[field] = _("Must be text.")
        return ""
    value = " ".join(value.split()) if field == "region" else value.strip()
    if len(value) > limit:
        errors[field] = _("At most %(n)s characters.", n=limit)
    return value


def check_term(start: date | None, end: date | None, errors: dict) -> None:
    if start and end and end <= start:
        errors["term_end"] = _("The term must end after it starts.")
