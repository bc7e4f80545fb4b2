"""Countries (ISO 3166-1 alpha-2) and languages (ISO 639-1), named in Vietnamese or English.

Names come from pycountry (English) and Babel's CLDR locale data (Vietnamese, and English
common names), so no hand-kept lists; only the everyday short forms CLDR leaves out are added.
"""

from __future__ import annotations

from functools import lru_cache

import pycountry
from babel import Locale

from search_index.normalize import fold, fold_words

# Everyday names CLDR leaves out. Vietnamese short names win over ISO codes that fold to the
# same letters: "Mỹ" is the United States (not MY, Malaysia), "Nga" Russia (not NGA,
# Nigeria), "Bỉ" Belgium (not BI, Burundi); a code is a code only when written in capitals.
COUNTRY_ALIASES = {
    "usa": "US",
    "my": "US",
    "nuoc my": "US",
    "hoa ky": "US",
    "america": "US",
    "uk": "GB",
    "anh": "GB",
    "anh quoc": "GB",
    "nuoc anh": "GB",
    "england": "GB",
    "britain": "GB",
    "great britain": "GB",
    "han quoc": "KR",
    "nam han": "KR",
    "han": "KR",
    "south korea": "KR",
    "korea": "KR",
    "nhat": "JP",
    "russia": "RU",
    "nga": "RU",
    "lien bang nga": "RU",
    "czech republic": "CZ",
    "cong hoa sec": "CZ",
    "ch sec": "CZ",
    "sec": "CZ",
    "uc": "AU",
    "y": "IT",
    "bi": "BE",
    "holland": "NL",
    "the netherlands": "NL",
    "dai loan": "TW",
    "taiwan": "TW",
    "hong kong": "HK",
    "uae": "AE",
    "trung quoc dai luc": "CN",
}

LANGUAGE_ALIASES = {
    "viet": "vi",
    "tieng viet nam": "vi",
    "tieng hoa": "zh",
    "hoa": "zh",
    "tieng quan thoai": "zh",
    "quan thoai": "zh",
    "mandarin": "zh",
    "tieng trung quoc": "zh",
    "tieng y": "it",
    "y": "it",
    "tieng han quoc": "ko",
    "tieng nhat ban": "ja",
}


def _key(value: str) -> str:
    return " ".join(fold_words(value))


@lru_cache(maxsize=1)
def _country_indexes() -> tuple[dict[str, str], dict[str, str]]:
    codes: dict[str, str] = {}
    names: dict[str, str] = {}
    vi, en = Locale("vi").territories, Locale("en").territories
    for c in pycountry.countries:
        code = c.alpha_2
        codes[code] = code
        codes[c.alpha_3] = code
        for name in (
            c.name,
            getattr(c, "common_name", ""),
            getattr(c, "official_name", ""),
            vi.get(code, ""),
            en.get(code, ""),
        ):
            if name:
                names.setdefault(_key(name), code)
    names.update({_key(alias): code for alias, code in COUNTRY_ALIASES.items()})
    # "Ca-na-đa" and "Canada", "Đài Loan" and "Đài-Loan": compare without spaces as a fallback.
    for name, code in list(names.items()):
        names.setdefault(name.replace(" ", ""), code)
    return codes, names


def resolve_country(value: str | None) -> str | None:
    """ISO alpha-2 for a code or a country name in Vietnamese or English, or None."""
    if not value or not value.strip():
        return None
    raw = value.strip()
    codes, names = _country_indexes()
    if raw.isascii() and raw.isalpha() and raw.isupper() and raw in codes:
        return codes[raw]
    key = _key(raw)
    found = names.get(key) or names.get(key.replace(" ", ""))
    if found:
        return found
    return codes.get(key.upper()) if key.isascii() and key.isalpha() else None


def country_name(code: str | None, locale: str = "vi") -> str:
    """The country's name in the given language (falls back to the code)."""
    if not code:
        return ""
    return Locale(locale if locale in ("vi", "en") else "vi").territories.get(code, code)


@lru_cache(maxsize=2)
def country_choices(locale: str = "vi") -> list[tuple[str, str]]:
    """(code, name) pairs for select boxes, sorted by name."""
    names = Locale(locale).territories
    pairs = [(c.alpha_2, names.get(c.alpha_2, c.name)) for c in pycountry.countries]
    return sorted(pairs, key=lambda p: fold(p[1]))


@lru_cache(maxsize=1)
def _language_indexes() -> tuple[dict[str, str], dict[str, str]]:
    codes: dict[str, str] = {}
    names: dict[str, str] = {}
    vi, en = Locale("vi").languages, Locale("en").languages
    for lang in pycountry.languages:
        code = getattr(lang, "alpha_2", None)
        if not code:
            continue
        for alias in (code, getattr(lang, "alpha_3", ""), getattr(lang, "bibliographic", "")):
            if alias:
                codes[alias.lower()] = code
        for name in (lang.name, vi.get(code, ""), en.get(code, "")):
            if name:
                names.setdefault(_key(name), code)
    names.update({_key(alias): code for alias, code in LANGUAGE_ALIASES.items()})
    # "Tiếng Pháp" is also written "Pháp"; the full names above keep precedence.
    for name, code in list(names.items()):
        if name.startswith("tieng "):
            names.setdefault(name.removeprefix("tieng "), code)
    return codes, names


def resolve_language(value: str | None) -> str | None:
    """ISO 639-1 for a code or a language name in Vietnamese or English, or None."""
    if not value or not value.strip():
        return None
    raw = value.strip()
    codes, names = _language_indexes()
    key = _key(raw)
    if raw.isascii() and raw.isalpha() and len(raw) <= 3 and key in codes:
        return codes[key]
    return names.get(key)


def language_name(code: str | None, locale: str = "vi") -> str:
    """The language's name in the given language (falls back to the code)."""
    if not code:
        return ""
    return Locale(locale if locale in ("vi", "en") else "vi").languages.get(code, code)


@lru_cache(maxsize=2)
def language_choices(locale: str = "vi") -> list[tuple[str, str]]:
    """(code, name) pairs of ISO 639-1 languages, sorted by name."""
    names = Locale(locale).languages
    pairs = [
        (lang.alpha_2, names.get(lang.alpha_2, lang.name))
        for lang in pycountry.languages
        if getattr(lang, "alpha_2", None)
    ]
    return sorted(pairs, key=lambda p: fold(p[1]))


@lru_cache(maxsize=256)
def country_languages(code: str | None) -> tuple[str, ...]:
    """The languages (ISO 639-1) officially or commonly used in a country, from CLDR.

    "FR" -> ("fr",), "CA" -> ("en", "fr"), "TW" -> ("zh",): scripts and regional variants fold
    to their language; languages without a two-letter code are left out.
    """
    from babel.languages import get_official_languages

    if not code:
        return ()
    out: list[str] = []
    for tag in get_official_languages(code.upper(), de_facto=True):
        language = tag.split("_")[0].lower()
        if len(language) == 2 and language not in out:
            out.append(language)
    return tuple(out)
