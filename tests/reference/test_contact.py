"""Phone numbers to E.164 (phonenumbers) and email addresses validated (email-validator)."""

import pytest

from directory.reference.contact import InvalidValue, normalize_email, normalize_phone


@pytest.mark.parametrize(
    ("number", "country", "e164"),
    [
        ("06 12 34 56 78", "FR", "+33612345678"),
        ("+33 6 12 34 56 78", None, "+33612345678"),
        ("0033 6 12 34 56 78", "FR", "+33612345678"),
        ("06.12.34.56.78", "fr", "+33612345678"),
        ("0151 23456789", "DE", "+4915123456789"),
        ("(202) 555-0143", "US", "+12025550143"),
        ("090-1234-5678", "JP", "+819012345678"),
        ("010-1234-5678", "KR", "+821012345678"),
        ("0412 345 678", "AU", "+61412345678"),
        ("(416) 555-0199", "CA", "+14165550199"),
        ("07911 123456", "GB", "+447911123456"),
        ("601 123 456", "CZ", "+420601123456"),
        ("8 (912) 345-67-89", "RU", "+79123456789"),
        ("0912 345 678", "TW", "+886912345678"),
        ("512 345 678", "PL", "+48512345678"),
        ("0912 345 678", None, "+84912345678"),
        ("+84 912 345 678", "FR", "+84912345678"),
    ],
)
def test_phone_numbers_become_e164(number, country, e164):
    assert normalize_phone(number, country) == e164


@pytest.mark.parametrize(
    ("number", "country"),
    [("12", "FR"), ("abc", "FR"), ("06 12 34", "FR"), ("+33 1", None), ("06 12 34 56 78", "XX")],
)
def test_invalid_phone_numbers_are_refused(number, country):
    with pytest.raises(InvalidValue) as info:
        normalize_phone(number, country)
    assert str(info.value) == "invalid_phone"


@pytest.mark.parametrize("empty", [None, "", "   "])
def test_empty_phone_is_none(empty):
    assert normalize_phone(empty, "FR") is None


@pytest.mark.parametrize(
    ("address", "normalized"),
    [
        ("An.Nguyen@Example.FR", "an.nguyen@example.fr"),
        ("  lan@uni-paris.fr ", "lan@uni-paris.fr"),
        ("dung+kieubao@example.com", "dung+kieubao@example.com"),
    ],
)
def test_emails_are_normalised(address, normalized):
    assert normalize_email(address) == normalized


@pytest.mark.parametrize("address", ["bad", "a@b", "a..b@example.com", "@example.com", "a b@x.fr"])
def test_invalid_emails_are_refused(address):
    with pytest.raises(InvalidValue) as info:
        normalize_email(address)
    assert str(info.value) == "invalid_email"


@pytest.mark.parametrize("empty", [None, "", "  "])
def test_empty_email_is_none(empty):
    assert normalize_email(empty) is None


def _validator_says(value):
    """What email-validator alone makes of an address (the reference for the fast path)."""
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(value.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return "invalid"


@pytest.mark.parametrize(
    "local",
    ["p1", "P.Q", "a..b", ".a", "a.", "Postmaster", "a+b_c-d", "x" * 65, "é", '"q"', "a b", ""],
)
@pytest.mark.parametrize(
    "domain",
    [
        "ex.fr",
        "EX.FR",
        "localhost",
        "a..b",
        "bücher.de",
        "xn--bcher-kva.de",
        "example",
        "invalid",
        "[1.2.3.4]",
        "a" * 64 + ".com",
        ("a" * 60 + ".") * 4 + "com",
        "ex@fr.com",
        "",
    ],
)
def test_email_fast_path_agrees_with_the_validator(local, domain):
    """The once-per-domain check gives exactly email-validator's answer for each address."""
    address = f"{local}@{domain}"
    try:
        got = normalize_email(address)
    except InvalidValue:
        got = "invalid"
    assert got == _validator_says(address)
