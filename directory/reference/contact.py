"""Contact details normalised with well-kept libraries: phonenumbers and email-validator."""

from __future__ import annotations

import phonenumbers
from email_validator import EmailNotValidError, validate_email


class InvalidValue(ValueError):
    """A value that cannot be normalised; the message is a translatable key."""


def normalize_phone(value: str | None, country: str | None = None) -> str | None:
    """E.164 for a phone number written in any common format; national numbers use ``country``."""
    if not value or not value.strip():
        return None
    try:
        number = phonenumbers.parse(value.strip(), (country or "VN").upper())
    except phonenumbers.NumberParseException as exc:
        raise InvalidValue("invalid_phone") from exc
    if not phonenumbers.is_possible_number(number) or not phonenumbers.is_valid_number(number):
        raise InvalidValue("invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_email(value: str | None) -> str | None:
    """The normalised address (domain lower-cased), or InvalidValue; no DNS look-up."""
    if not value or not value.strip():
        return None
    try:
        result = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidValue("invalid_email") from exc
    return result.normalized.lower()
