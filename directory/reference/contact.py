"""Contact details normalised with well-kept libraries: phonenumbers and email-validator."""

from __future__ import annotations

import functools
import re

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


# A part before the @-sign of plain ASCII (letters, digits, "_", "+", "-", single dots inside)
# is valid for email-validator whatever the domain; the domain's check (IDNA, special-use
# names) is the costly part and is the same for every address of that domain, so it is done
# once per domain. Any other address goes through the whole validator.
_PLAIN_LOCAL = re.compile(r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*\Z")
_MAX_ADDRESS = 254  # octets, as email-validator counts them


@functools.lru_cache(maxsize=4096)
def _checked_domain(domain: str) -> tuple[str, str] | None:
    """(normalised domain, its ASCII form) if ``domain`` is valid after an @-sign, else None."""
    try:
        result = validate_email("x@" + domain, check_deliverability=False)
    except EmailNotValidError:
        return None
    return result.domain, result.ascii_domain


def normalize_email(value: str | None) -> str | None:
    """The normalised address (domain lower-cased), or InvalidValue; no DNS look-up."""
    if not value or not value.strip():
        return None
    address = value.strip()
    local, _, domain = address.partition("@")
    if _PLAIN_LOCAL.match(local):
        checked = _checked_domain(domain)
        if checked is not None and all(
            len(f"{local}@{d}".encode()) <= _MAX_ADDRESS for d in (domain, *checked)
        ):
            return f"{local}@{checked[0]}".lower()
    try:
        result = validate_email(address, check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidValue("invalid_email") from exc
    return result.normalized.lower()
