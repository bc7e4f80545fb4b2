"""Countries (ISO 3166-1 alpha-2) and languages (ISO 639-1), named in Vietnamese or English.

Names come from pycountry (English) and Babel's CLDR locale data (Vietnamese, and English
common names), so no hand-kept lists.
"""

from __future__ import annotations

from functools import lru_cache

import pycountry
from babel import Locale

from search_index.normalize import fold


@lru_cache(maxsize=1)
def _country_index() -> dict[str, str]:
    index: dict[str, str] = {}
    vi, en = Locale("vi").territories, Locale("en").territories
    for c in pycountry.countries:
        code = c.alpha_2
        names = {
            code,
            c.alpha_3,
            c.name,
            getattr(c, "common_name", ""),
            getattr(c, "official_name", ""),
            vi.get(code, ""),
            en.get(code, ""),
        }
        for name in names:
            if name:
                index.setdefault(fold(name), code)
    # Everyday short forms CLDR leaves out.
    for alias, code in {
        "usa": "US",
        "my": "US",
        "hoa ky": "US",
        "uk": "GB",
        "anh quoc": "GB",
        "england": "GB",
        "han quoc": "KR",
        "south korea": "KR",
        "korea": "KR",
        "russia": "RU",
        "nga": "RU",
        "czech republic": "CZ",
        "sec": "CZ",
        "uc": "AU",
        "dai loan": "TW",
        "taiwan": "TW",
    }.items():
        index.setdefault(alias, code)
    return index


def resolve_country(value: str | None) -> str | None:
    """ISO alpha-2 for a code or a country name in Vietnamese or English, or None."""
    if not value or not value.strip():
        return None
    return _country_index().get(fold(value))


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
def _language_index() -> dict[str, str]:
    index: dict[str, str] = {}
    vi, en = Locale("vi").languages, Locale("en").languages
    for lang in pycountry.languages:
        code = getattr(lang, "alpha_2", None)
        if not code:
            continue
        for name in {
            code,
            getattr(lang, "alpha_3", ""),
            lang.name,
            vi.get(code, ""),
            en.get(code, ""),
        }:
            if name:
                index.setdefault(fold(name), code)
    return index


def resolve_language(value: str | None) -> str | None:
    """ISO 639-1 for a code or a language name in Vietnamese or English, or None."""
    if not value or not value.strip():
        return None
    return _language_index().get(fold(value))


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
