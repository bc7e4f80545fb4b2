"""Vietnam's 34 provincial units and the 63 legacy units they absorbed."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from search_index.normalize import fold


@dataclass(frozen=True)
class ProvinceInfo:
    slug: str
    name_vi: str
    name_en: str
    kind: str
    legacy_names: tuple[str, ...]
    legacy_iso_codes: tuple[str, ...]


@lru_cache(maxsize=1)
def all_provinces() -> tuple[ProvinceInfo, ...]:
    """The provinces as shipped in ``reference/data/provinces.csv``."""
    text = resources.files("directory.reference").joinpath("data/provinces.csv").read_text("utf-8")
    rows = csv.DictReader(text.splitlines())
    return tuple(
        ProvinceInfo(
            slug=row["slug"],
            name_vi=row["name_vi"],
            name_en=row["name_en"],
            kind=row["kind"],
            legacy_names=tuple(n.strip() for n in row["legacy_names_vi"].split(";") if n.strip()),
            legacy_iso_codes=tuple(
                c.strip() for c in row["legacy_iso_codes"].split(";") if c.strip()
            ),
        )
        for row in rows
    )


_PREFIXES = ("tinh ", "thanh pho ", "tp ", "t p ", "province of ", "city of ")
_SUFFIXES = (" province", " city")
_PUNCTUATION = re.compile(r"[^\w\s]+")


def _strip_affixes(folded: str) -> str:
    """ "Tỉnh Yên Bái", "TP.HCM", "Bà Rịa – Vũng Tàu" -> "yen bai", "hcm", "ba ria vung tau"."""
    folded = " ".join(_PUNCTUATION.sub(" ", folded).split())
    for prefix in _PREFIXES:
        if folded.startswith(prefix):
            folded = folded[len(prefix) :]
    for suffix in _SUFFIXES:
        if folded.endswith(suffix):
            folded = folded[: -len(suffix)]
    return folded.strip()


# Other names people write for a unit: abbreviations, old spellings, and Hà Tây, which
# joined Hà Nội in 2008 and is still many emigrants' hometown.
_ALIASES = {
    "sai gon": "ho-chi-minh",
    "saigon": "ho-chi-minh",
    "hcm": "ho-chi-minh",
    "tphcm": "ho-chi-minh",
    "hcmc": "ho-chi-minh",
    "vung tau": "ho-chi-minh",
    "ha tay": "ha-noi",
    "dac lac": "dak-lak",
    "dak lac": "dak-lak",
}


@lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    index: dict[str, str] = {}
    for p in all_provinces():
        names = {p.slug, p.name_vi, p.name_en, *p.legacy_names, *p.legacy_iso_codes}
        for name in names:
            index[_strip_affixes(fold(name))] = p.slug
            index[_strip_affixes(fold(name)).replace(" ", "")] = p.slug
    for alias, slug in _ALIASES.items():
        index.setdefault(alias, slug)
    return index


def resolve_province(value: str | None) -> str | None:
    """The slug of the current province for any current or legacy name, code or slug."""
    if not value or not value.strip():
        return None
    key = _strip_affixes(fold(value))
    return _index().get(key) or _index().get(key.replace(" ", ""))


def province_by_slug(slug: str | None) -> ProvinceInfo | None:
    """The shipped record for a slug, or None."""
    for p in all_provinces():
        if p.slug == slug:
            return p
    return None


def legacy_slug_names(slug: str) -> list[str]:
    """Every name a person of this province may have written (current and legacy)."""
    p = province_by_slug(slug)
    if p is None:
        return []
    return list(dict.fromkeys([p.name_vi, p.name_en, *p.legacy_names]))
