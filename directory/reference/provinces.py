"""Vietnam's 34 provincial units, the names they have had, and the 63 legacy units they absorbed.

Two shipped files (``reference/data``) describe them; ``docs/reference-data.md`` explains how
to record the next administrative change:

- ``provinces.csv``: one row per current unit (its slug, which never changes) with the units
  of the 63-unit list in force until 1 July 2025 that it covers (names and ISO 3166-2:VN codes).
- ``province_names.csv``: every name a unit has had, with its kind (``province``, or ``city``:
  a centrally-run city) and the dates it applied: ``valid_from`` included, ``valid_to``
  excluded, empty meaning open. The current name and kind are those of the row valid today
  (Vietnam's date); a change is one more row, and the earlier rows stay.

Every wording ever valid (current and former names, legacy units, their ISO codes, common
abbreviations) resolves to the unit's slug, with or without diacritics and administrative
words ("Tỉnh", "Thành phố", "TP.", "Thủ đô", "Province", "City"…). The administrative words
never decide anything: "Tỉnh Huế" resolves like "Thành phố Huế".
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from importlib import resources

from search_index.normalize import fold, fold_words

KINDS = ("province", "city")
# Vietnam keeps UTC+7 all year: administrative changes take effect at midnight there.
_VIETNAM = timedelta(hours=7)


def vietnam_today() -> date:
    """Today's date in Vietnam (when a dated name starts to apply)."""
    return (datetime.now(UTC) + _VIETNAM).date()


class DatedNameMixin:
    """What a dated name answers, whether read from the shipped file or from the database."""

    def valid_on(self, day: date) -> bool:
        """True when this name was the unit's name on ``day`` (``valid_to`` excluded)."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day < self.valid_to
        )

    def to_dict(self) -> dict:
        """The API's shape of a dated name."""
        return {
            "name_vi": self.name_vi,
            "name_en": self.name_en,
            "kind": self.kind,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "basis": self.basis or None,
        }


@dataclass(frozen=True)
class DatedName(DatedNameMixin):
    """One name of a unit and the dates it applied (``valid_to`` excluded; None = open)."""

    name_vi: str
    name_en: str
    kind: str
    valid_from: date | None
    valid_to: date | None
    basis: str = ""


@dataclass(frozen=True)
class ProvinceInfo:
    """A unit as of one day: its name and kind then, its whole history, its legacy units."""

    slug: str
    name_vi: str
    name_en: str
    kind: str
    legacy_names: tuple[str, ...]
    legacy_iso_codes: tuple[str, ...]
    names: tuple[DatedName, ...] = ()
    # The unit's own earlier Vietnamese names (same unit, another wording), oldest first.
    former_names: tuple[str, ...] = ()

    @property
    def earlier_names(self) -> tuple[str, ...]:
        """The legacy units' names, then the unit's own former names (no repeats)."""
        return tuple(dict.fromkeys([*self.legacy_names, *self.former_names]).keys())

    @property
    def own_wordings(self) -> tuple[str, ...]:
        """Every name of this unit itself in both languages, the current ones first.

        Not the legacy units it absorbed: "Quảng Nam" is only part of today's Đà Nẵng.
        """
        words = [self.name_vi, self.name_en]
        for n in self.names:
            words += [n.name_vi, n.name_en]
        return tuple(dict.fromkeys(w for w in words if w).keys())


# --- the shipped data ----------------------------------------------------------------------


def _data_text(name: str) -> str:
    return resources.files("directory.reference").joinpath(f"data/{name}").read_text("utf-8")


def _split(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").split(";") if v.strip())


def _date(value: str, where: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from exc


def parse_reference(units_csv: str, names_csv: str) -> dict[str, tuple[tuple, tuple]]:
    """slug -> ((legacy names, legacy ISO codes), dated names), checked for consistency.

    Raises ValueError when the files disagree: a unit without names or names without a
    unit, an unknown kind, dates out of order, a gap or an overlap between two names, no
    open-ended last name, or legacy names and codes of different lengths.
    """
    units: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    for row in csv.DictReader(units_csv.splitlines()):
        slug = row["slug"].strip()
        legacy, codes = _split(row["legacy_names_vi"]), _split(row["legacy_iso_codes"])
        if slug in units:
            raise ValueError(f"provinces.csv: {slug} appears twice")
        if len(legacy) != len(codes):
            raise ValueError(f"provinces.csv: {slug} has {len(legacy)} names, {len(codes)} codes")
        units[slug] = (legacy, codes)
    history: dict[str, list[DatedName]] = {}
    for number, row in enumerate(csv.DictReader(names_csv.splitlines()), start=2):
        where = f"province_names.csv line {number}"
        slug = row["slug"].strip()
        if slug not in units:
            raise ValueError(f"{where}: unknown unit {slug!r}")
        kind = row["kind"].strip()
        if kind not in KINDS:
            raise ValueError(f"{where}: kind must be one of {KINDS}, not {kind!r}")
        name = DatedName(
            name_vi=row["name_vi"].strip(),
            name_en=row["name_en"].strip(),
            kind=kind,
            valid_from=_date(row["valid_from"], where),
            valid_to=_date(row["valid_to"], where),
            basis=(row.get("basis") or "").strip(),
        )
        if not name.name_vi or not name.name_en:
            raise ValueError(f"{where}: a name is needed in both languages")
        if name.valid_from and name.valid_to and name.valid_from >= name.valid_to:
            raise ValueError(f"{where}: valid_from must come before valid_to")
        history.setdefault(slug, []).append(name)
    out = {}
    for slug, legacy in units.items():
        names = sorted(history.get(slug, []), key=lambda n: n.valid_from or date.min)
        if not names:
            raise ValueError(f"province_names.csv: {slug} has no name")
        for earlier, later in zip(names, names[1:], strict=False):
            if earlier.valid_to is None or earlier.valid_to != later.valid_from:
                raise ValueError(
                    f"province_names.csv: {slug}: {earlier.name_vi!r} must end "
                    f"the day {later.name_vi!r} starts ({later.valid_from})"
                )
        if names[-1].valid_to is not None:
            raise ValueError(f"province_names.csv: {slug}: the last name must stay open")
        out[slug] = (legacy, tuple(names))
    return out


@lru_cache(maxsize=1)
def _shipped() -> dict[str, tuple[tuple, tuple]]:
    return parse_reference(_data_text("provinces.csv"), _data_text("province_names.csv"))


def _name_on(names: tuple[DatedName, ...], day: date) -> DatedName:
    for name in names:
        if name.valid_on(day):
            return name
    # Before a unit existed (a merged unit before 1 July 2025): its first name.
    return names[0]


@lru_cache(maxsize=4)
def _snapshot(day: date) -> tuple[ProvinceInfo, ...]:
    out = []
    for slug, ((legacy, codes), names) in _shipped().items():
        current = _name_on(names, day)
        earlier = names[: names.index(current)]
        out.append(
            ProvinceInfo(
                slug=slug,
                name_vi=current.name_vi,
                name_en=current.name_en,
                kind=current.kind,
                legacy_names=legacy,
                legacy_iso_codes=codes,
                names=names,
                former_names=tuple(
                    dict.fromkeys(n.name_vi for n in earlier if n.name_vi != current.name_vi)
                ),
            )
        )
    return tuple(out)


def all_provinces(on: date | None = None) -> tuple[ProvinceInfo, ...]:
    """The units as shipped, named as on ``on`` (default: today in Vietnam), in file order."""
    return _snapshot(on or vietnam_today())


def province_by_slug(slug: str | None, on: date | None = None) -> ProvinceInfo | None:
    """The shipped record for a slug, or None."""
    for p in all_provinces(on):
        if p.slug == slug:
            return p
    return None


def names_the_unit_today(slug: str | None, text: str | None) -> bool:
    """Whether ``text`` is the unit's current name in either language, accents and
    administrative words aside: "Tỉnh Nghệ An" and "nghe an" name Nghệ An; "Quảng Nam" (a
    legacy unit of Đà Nẵng) does not name Đà Nẵng."""
    p = province_by_slug(slug)
    if p is None or not text or not text.strip():
        return False
    key = _strip_affixes(fold(text))
    return key in {_strip_affixes(fold(name)) for name in (p.name_vi, p.name_en) if name}


def legacy_slug_names(slug: str) -> list[str]:
    """Every name a person of this province may have written (current, former, legacy)."""
    p = province_by_slug(slug)
    if p is None:
        return []
    return list(dict.fromkeys([p.name_vi, p.name_en, *p.earlier_names]))


def clear_caches() -> None:
    """Forget the parsed data (after the shipped files changed, in tests)."""
    for cached in (_shipped, _snapshot, _index, _wording_pattern):
        cached.cache_clear()


# --- resolving what people write -------------------------------------------------------------

# Administrative words around a unit's name, folded: "Tỉnh", "Thành phố", "TP.", "T.P.",
# "Thủ đô" (Hà Nội), and the English "Province of", "City of", "… Province", "… City".
_PREFIXES = (
    "tinh",
    "thanh pho",
    "tp",
    "t p",
    "thu do",
    "province of",
    "city of",
    "municipality of",
)
_SUFFIXES = ("province", "city", "municipality")
_PUNCTUATION = re.compile(r"[^\w\s]+")


def _strip_affixes(folded: str) -> str:
    """ "Tỉnh Yên Bái", "TP.HCM", "Bà Rịa – Vũng Tàu" -> "yen bai", "hcm", "ba ria vung tau"."""
    text = " ".join(_PUNCTUATION.sub(" ", folded).split())
    changed = True
    while changed:
        changed = False
        for prefix in _PREFIXES:
            if text.startswith(prefix + " "):
                text, changed = text[len(prefix) + 1 :], True
        for suffix in _SUFFIXES:
            if text.endswith(" " + suffix):
                text, changed = text[: -len(suffix) - 1], True
    return text


# Other names people write for a unit: abbreviations, old spellings, and Hà Tây, which
# joined Hà Nội in 2008 and is still many emigrants' hometown.
_ALIASES = {
    "sai gon": "ho-chi-minh",
    "saigon": "ho-chi-minh",
    "hcm": "ho-chi-minh",
    "tphcm": "ho-chi-minh",
    "hcmc": "ho-chi-minh",
    "vung tau": "ho-chi-minh",
    "br vt": "ho-chi-minh",
    "brvt": "ho-chi-minh",
    "ha tay": "ha-noi",
    "tt hue": "hue",
    "dac lac": "dak-lak",
    "dak lac": "dak-lak",
}


@lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    """Folded wording (with and without spaces) -> slug; raises if one names two units."""
    index: dict[str, str] = {}

    def add(key: str, slug: str, source: str) -> None:
        if not key:
            return
        other = index.setdefault(key, slug)
        if other != slug:
            raise ValueError(f"{source!r} names both {other} and {slug}")

    for p in all_provinces():
        wordings = {p.slug, *p.own_wordings, *p.legacy_names, *p.legacy_iso_codes}
        for name in wordings:
            key = _strip_affixes(fold(name))
            add(key, p.slug, name)
            add(key.replace(" ", ""), p.slug, name)
    for alias, slug in _ALIASES.items():
        index.setdefault(alias, slug)
    return index


def resolve_province(value: str | None) -> str | None:
    """The slug of the current unit for any current or former name, legacy name, code or slug."""
    if not value or not value.strip():
        return None
    key = _strip_affixes(fold(value))
    index = _index()
    found = index.get(key) or index.get(key.replace(" ", ""))
    if found is None and key.startswith("tp") and len(key) > 4:
        # "TPHuế", "Tp.Hcm": the abbreviation glued to the name.
        rest = key[2:].strip()
        found = index.get(rest) or index.get(rest.replace(" ", ""))
    return found


# --- search queries ------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _wording_pattern() -> tuple[re.Pattern, re.Pattern]:
    wordings = sorted(
        (k for k in _index() if len(k) >= 3 and not k.startswith("vn ")), key=len, reverse=True
    )
    names = "|".join(re.escape(w) for w in wordings)
    prefixes = "|".join(re.escape(p) for p in sorted(_PREFIXES, key=len, reverse=True))
    suffixes = "|".join(re.escape(s) for s in _SUFFIXES)
    before = re.compile(rf"(?<!\w)(?:(?:{prefixes}) )+(?=(?:{names})(?!\w))")
    after = re.compile(rf"(?<!\w)((?:{names})) (?:{suffixes})(?!\w)")
    return before, after


def without_unit_words(text: str | None) -> str | None:
    """A search query without the administrative words next to a unit's name.

    "Thành phố Huế", "TP. Huế" and "Hue City" become "hue", so they find what "Huế" finds;
    the words stay everywhere else ("Thành" alone is a given name). The text is returned
    unchanged when there is nothing to remove, folded otherwise (the engines fold anyway).
    """
    if not text:
        return text
    folded = " ".join(fold_words(text))
    before, after = _wording_pattern()
    cleaned = after.sub(r"\1", before.sub("", folded))
    return text if cleaned == folded else cleaned
