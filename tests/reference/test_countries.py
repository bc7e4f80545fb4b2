"""Countries and languages by ISO code or by their name in Vietnamese or English."""

import pytest

from directory.reference.countries import (
    country_choices,
    country_name,
    language_choices,
    language_name,
    resolve_country,
    resolve_language,
)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("FR", "FR"),
        ("fr", "FR"),
        ("FRA", "FR"),
        ("France", "FR"),
        ("Pháp", "FR"),
        ("phap", "FR"),
        ("Đức", "DE"),
        ("Germany", "DE"),
        ("DEU", "DE"),
        ("Hoa Kỳ", "US"),
        ("Mỹ", "US"),
        ("United States", "US"),
        ("USA", "US"),
        ("Nhật Bản", "JP"),
        ("Japan", "JP"),
        ("Hàn Quốc", "KR"),
        ("South Korea", "KR"),
        ("Úc", "AU"),
        ("Australia", "AU"),
        ("Canada", "CA"),
        ("Ca-na-đa", "CA"),
        ("Vương quốc Anh", "GB"),
        ("Anh", "GB"),
        ("United Kingdom", "GB"),
        ("UK", "GB"),
        ("Séc", "CZ"),
        ("Czech Republic", "CZ"),
        ("Czechia", "CZ"),
        ("Nga", "RU"),
        ("Liên bang Nga", "RU"),
        ("Russia", "RU"),
        ("Đài Loan", "TW"),
        ("Taiwan", "TW"),
        ("Ba Lan", "PL"),
        ("Poland", "PL"),
        ("Bỉ", "BE"),
        ("Ý", "IT"),
        ("Thụy Sĩ", "CH"),
        ("Monaco", "MC"),
        ("  singapore ", "SG"),
    ],
)
def test_country_by_code_or_name(text, code):
    assert resolve_country(text) == code


def test_vietnamese_names_win_over_codes_that_fold_alike():
    # "Mỹ" folds to "my", Malaysia's code; "Nga" to Nigeria's alpha-3; "Bỉ" to Burundi's.
    assert resolve_country("Mỹ") == "US"
    assert resolve_country("MY") == "MY"
    assert resolve_country("Malaysia") == "MY"
    assert resolve_country("Nga") == "RU"
    assert resolve_country("NGA") == "NG"
    assert resolve_country("Bỉ") == "BE"
    assert resolve_country("BI") == "BI"


@pytest.mark.parametrize("text", ["", "   ", None, "Atlantis", "Xứ sở thần tiên", "ZZ", "12"])
def test_unknown_country_is_none(text):
    assert resolve_country(text) is None


def test_country_names_in_both_languages():
    assert country_name("FR", "vi") == "Pháp"
    assert country_name("FR", "en") == "France"
    assert country_name("DE", "xx") == "Đức"
    assert country_name(None) == ""
    choices = dict(country_choices("vi"))
    assert choices["JP"] == "Nhật Bản"
    assert len(choices) >= 240


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("vi", "vi"),
        ("VI", "vi"),
        ("Vietnamese", "vi"),
        ("Tiếng Việt", "vi"),
        ("tieng viet", "vi"),
        ("English", "en"),
        ("Tiếng Anh", "en"),
        ("Anh", "en"),
        ("eng", "en"),
        ("French", "fr"),
        ("Tiếng Pháp", "fr"),
        ("fre", "fr"),
        ("German", "de"),
        ("Tiếng Đức", "de"),
        ("ger", "de"),
        ("Japanese", "ja"),
        ("Tiếng Nhật", "ja"),
        ("Tiếng Hàn", "ko"),
        ("Tiếng Trung", "zh"),
        ("Tiếng Hoa", "zh"),
        ("Mandarin", "zh"),
        ("Tiếng Nga", "ru"),
        ("Czech", "cs"),
        ("Tiếng Séc", "cs"),
        ("Tiếng Ba Lan", "pl"),
        ("Tiếng Ý", "it"),
        ("Tây Ban Nha", "es"),
    ],
)
def test_language_by_code_or_name(text, code):
    assert resolve_language(text) == code


@pytest.mark.parametrize("text", ["", None, "Klingon", "xx"])
def test_unknown_language_is_none(text):
    assert resolve_language(text) is None


def test_language_names_in_both_languages():
    assert language_name("fr", "vi") == "Tiếng Pháp"
    assert language_name("fr", "en") == "French"
    assert language_name("") == ""
    assert ("vi", "Tiếng Việt") in language_choices("vi")
