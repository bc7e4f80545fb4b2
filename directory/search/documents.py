"""Model -> search document (the application's side of the search boundary: the engines in
``search_index`` know documents, never these models), with every piece of text filed under the visibility level it needs.

One document per person and one per association. Text is split into four searchable groups
(``name``, ``tags``, ``place``, ``text``) and, inside each, by the minimum visibility level a
searcher needs to see it (``directory.policy`` levels: 0 public, 1 officials, 2 private):
``name_0`` is the full name (shown to anyone who may see the profile at all), ``name_1`` holds
the other names when the member made their profile visible to officials only, and so on.

A searcher at level L searches and highlights only the ``*_0``..``*_L`` attributes, so text
they may not see is never matched, highlighted or counted. Whether the document is visible at
all is a filter: ``listed`` (the member consented to be listed) for the public, plus ``owner``
for a member's own profile; officials see every non-anonymised profile. Facet values (kind,
fields, country, hometown province, languages, verified, representative) belong to the basic
group and are therefore visible to whoever may see the document. Anonymised profiles are not
indexed at all.

Limitation (documented, deliberate): the level is the searcher's ROLE level. The extra rights
of a member on their own profile, or of the mission that registered a person, widen what they
see on the profile page and in the hit itself, not what search matches.

Every text is indexed folded (:func:`search_index.normalize.fold`: no case, no diacritics,
đ -> d) and kept in its original form (``show_<level>``) for highlighting. Each taxonomy code
brings its labels and synonyms in both languages; the hometown brings every name the province
itself has had (current and former, in both languages) and the wording the person gave (a
legacy name such as "Yên Bái").

What ranking needs besides the text:

- ``given_first_0`` and ``western_0``: the full name with the given name first ("Dũng Nguyễn
  Văn") and in Western order ("Văn Dũng Nguyễn"), as people write their names abroad, so that
  "Dung Nguyen" or "Van Dung Nguyen" finds the person first;
- ``key_<level>``: one token per taxonomy field the document holds at that level (tagged, or
  named in the text or the skills, in any of its names: "zfsemiconductors"), per field its
  title states ("ztsemiconductors" for "Kỹ sư thiết kế vi mạch") and (level 0) per
  multi-word province name of the hometown, current or as given ("zpquangnam",
  :func:`search_index.matching.joined`). A query that is a taxonomy term alone matches the
  field's token, the people whose title states it first; a query that is a province name
  alone ranks first the people whose hometown it is. The tokens stand for phrases that an
  engine knowing only whether words share an attribute (Meilisearch with
  ``proximityPrecision: byAttribute``) would otherwise match scattered over a long attribute
  ("năng lượng" from one field, "tái tạo" from another);
- ``quality``: verified and complete profiles first among equally relevant results
  (:func:`person_quality`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import sqlalchemy as sa

from directory.policy import LEVEL_ORDER
from search_index.base import (
    KEY_OFFSET,
    LEVELS,
    SEARCHABLE,
)
from search_index.matching import (
    PROVINCE_PREFIX,
    field_key,
    folded_text,
    joined,
    provinces_in,
)
from search_index.normalize import fold_words

# Weights of the quality score: verification outweighs completeness.
QUALITY_VERIFIED = 5
KIND_WORDS = {
    "expert": "expert chuyên gia",
    "entrepreneur": "entrepreneur doanh nhân",
    "association": "association hội hiệp hội",
    "business": "business company doanh nghiệp công ty",
}
ASSOCIATION_KIND_WORDS = {
    "hometown": "hometown association hội đồng hương",
    "professional": "professional association hội nghề nghiệp chuyên môn",
    "business": "business association hiệp hội doanh nghiệp doanh nhân",
}


@dataclass(frozen=True)
class Indexed:
    """A kind of record that has search documents: its ``entity_type`` (the outbox's and the
    documents' ``type``), its model, the function that builds one document (``None``: not
    indexed, e.g. anonymised) from a record or a row with the same attributes, and the document
    id of an entity id."""

    entity_type: str
    model: type
    document: Callable[[Any, Context], dict | None]
    doc_id: Callable[[str], str]
    # For the kinds added after people and associations (``businesses/search.py``): the
    # original text a hit highlights, by level (``stale.display_text``), the policy action
    # that lets a viewer see a record, and its JSON for a viewer (a search hit).
    display: Callable[[Any], dict[int, dict[str, str]] | None] | None = None
    view_action: str | None = None
    to_dict: Callable[[Any, Any], dict] | None = None


def indexed(entity_type: str) -> Indexed | None:
    """What a domain registered for ``entity_type``."""
    return _INDEXED.get(entity_type)


_INDEXED: dict[str, Indexed] = {}


def _no_representatives(_session, _ids) -> set[str]:
    return set()


_representatives: Callable[[Any, list[str]], set[str]] = _no_representatives


def register(indexed: Indexed) -> None:
    """A domain says what it indexes (``people/search.py``, ``associations/search.py``)."""
    _INDEXED[indexed.entity_type] = indexed


def use_representatives(lookup: Callable[[Any, list[str]], set[str]]) -> None:
    """The representatives domain says which of some person ids hold an active appointment
    (the documents' ``representative`` facet)."""
    global _representatives
    _representatives = lookup


def indexed_types() -> list[str]:
    """The registered entity types, in registration order."""
    return list(_INDEXED)


@dataclass
class Context:
    """What documents need besides the record: the taxonomy and representatives."""

    fields: dict[str, tuple[str, str, list[str]]] = field(default_factory=dict)
    representatives: set[str] = field(default_factory=set)
    # First folded word -> [(" phrase ", field code)], to recognise taxonomy phrases in text.
    phrases: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    field_text: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, session, person_ids: Iterable[str] = ()) -> Context:
        from directory.reference.models import Field

        fields = {
            f.code: (f.label_vi, f.label_en, list(f.synonyms or []))
            for f in session.scalars(sa.select(Field).where(Field.active.is_(True)))
        }
        ctx = cls(fields=fields, representatives=_representatives(session, list(person_ids)))
        for code, (label_vi, label_en, synonyms) in fields.items():
            names = [code.replace("-", " "), label_vi, label_en, *synonyms]
            ctx.field_text[code] = folded_text(names)
            for name in names:
                words = fold_words(name)
                # Two-letter abbreviations ("AI", "IC") are ordinary Vietnamese words too.
                if words and (len(words) > 1 or len(words[0]) >= 3):
                    entry = (f" {' '.join(words)} ", code)
                    if entry not in ctx.phrases.setdefault(words[0], []):
                        ctx.phrases[words[0]].append(entry)
        return ctx

    def implied_fields(self, folded: str) -> set[str]:
        """Codes of the taxonomy phrases that occur in ``folded`` text ("bán dẫn" in a bio).

        ``folded`` is folded words separated by single spaces, so a phrase occurs exactly when
        `` phrase `` is a substring of `` text ``.
        """
        found: set[str] = set()
        if not folded:
            return found
        # Membership per word: intersecting with the keys view would copy every key.
        starts = [w for w in set(folded.split()) if w in self.phrases]
        padded = f" {folded} "
        for word in starts:
            for phrase, code in self.phrases[word]:
                if code not in found and phrase in padded:
                    found.add(code)
        return found

    @staticmethod
    def field_keys(codes: Iterable[str]) -> set[str]:
        """The keys of these fields."""
        return {field_key(code) for code in codes}


class Builder:
    """Collects text by group and level, folded for search and original for display."""

    __slots__ = ("text", "show", "keys")

    def __init__(self) -> None:
        self.text: dict[str, list] = {name: [] for name in SEARCHABLE}
        self.show: dict[int, dict[str, str]] = {lvl: {} for lvl in LEVELS}
        self.keys: dict[int, set[str]] = {lvl: set() for lvl in LEVELS}

    def add(self, group: str, level: int, *parts, show: dict[str, str] | None = None) -> None:
        self.text[f"{group}_{level}"].extend(parts)
        if show:
            target = self.show[level]
            for key, value in show.items():
                if value:
                    target[key] = value

    def fields(self, ctx: Context | None = None, tagged: Iterable[str] = (), scan=None) -> dict:
        """The searchable attributes, ``key_<level>`` and ``show_<level>``.

        ``tagged``: the field codes whose text went into ``tags_0``; ``scan``: level ->
        folded text (skills, sectors) whose taxonomy phrases also give their field's key.
        """
        # Folding is idempotent, so the already folded reference names may go through it.
        out = {}
        for name, parts in self.text.items():
            folded = [fold_part(p) for p in parts if p]
            out[name] = " ".join(f for f in folded if f)
        keys = {lvl: set(found) for lvl, found in self.keys.items()}
        if ctx is not None:
            # Free text that names a field ("linh kiện bán dẫn") brings the field's words in
            # both languages, at the same level, so "semiconductor" finds it: the engines
            # need no query-time synonyms.
            done = set(tagged)
            keys[0] |= ctx.field_keys(done)
            for lvl in LEVELS:
                implied = ctx.implied_fields(out[f"text_{lvl}"]) - done
                if scan and scan.get(lvl):
                    keys[lvl] |= ctx.field_keys(ctx.implied_fields(scan[lvl]) - done)
                if implied:
                    extra = " ".join(ctx.field_text[c] for c in sorted(implied))
                    out[f"tags_{lvl}"] = f"{out[f'tags_{lvl}']} {extra}".strip()
                    keys[lvl] |= ctx.field_keys(implied)
                    done |= implied
        for lvl in LEVELS:
            out[f"key_{lvl}"] = [*KEY_OFFSET, " ".join(sorted(keys[lvl]))] if keys[lvl] else []
            out[f"show_{lvl}"] = self.show[lvl]
        return out


@lru_cache(maxsize=65_536)
def fold_part(text: str) -> str:
    """Folded words of one value (titles, cities, organisations and names repeat a lot)."""
    return " ".join(fold_words(text))


def level(value: str | None) -> int:
    return LEVEL_ORDER.get(value or "private", 2)


def field_words(codes: list[str], ctx: Context) -> list[str]:
    return [ctx.field_text[c] for c in codes or [] if c in ctx.field_text]


@lru_cache(maxsize=512)
def _country_text(code: str) -> str:
    from directory.reference.countries import country_name

    return folded_text(code, country_name(code, "vi"), country_name(code, "en"))


def country_words(code: str | None) -> list[str]:
    return [_country_text(code)] if code else []


@lru_cache(maxsize=128)
def _province_text(slug: str) -> str:
    from directory.reference.provinces import province_by_slug

    p = province_by_slug(slug)
    # Every name the unit itself has had ("Thừa Thiên Huế" and "Huế"), not its legacy units.
    if p is None:
        return ""
    names = dict.fromkeys(folded_text(n) for n in p.own_wordings)
    return " ".join(names)


def province_words(slug: str | None) -> list[str]:
    return [_province_text(slug)] if slug else []


@lru_cache(maxsize=512)
def _language_text(code: str) -> str:
    from directory.reference.countries import language_name

    return folded_text(code, language_name(code, "vi"), language_name(code, "en"))


def language_words(codes: list[str]) -> list[str]:
    return [_language_text(c) for c in codes or []]


def timestamp(value) -> float:
    return value.timestamp() if value is not None else 0.0


@lru_cache(maxsize=128)
def _province_keys(slug: str) -> frozenset[str]:
    """The current province's names of several words, joined ("zpdanang")."""
    from directory.reference.provinces import province_by_slug

    p = province_by_slug(slug)
    if p is None:
        return frozenset()
    phrases = (fold_words(n) for n in (p.name_vi, p.name_en))
    return frozenset(joined(words, PROVINCE_PREFIX) for words in phrases if len(words) > 1)


def hometown_keys(slug: str | None, *given: str | None) -> set[str]:
    """Joined multi-word province names for a hometown: the current province's, and those
    that occur in the wording given ("Quảng Nam", "Hội đồng hương Quảng Nam – Đà Nẵng")."""
    keys = set(_province_keys(slug)) if slug else set()
    for text in given:
        keys.update(joined(p.split(), PROVINCE_PREFIX) for p in provinces_in(fold_part(text or "")))
    return keys


def build(session, entity_type: str, ids: list[str]) -> tuple[list[dict], list[str]]:
    """Documents for these entities, and the document ids to delete (gone or anonymised)."""
    spec = _INDEXED.get(entity_type)
    if spec is None:
        raise ValueError(f"unknown entity type {entity_type!r}")
    model = spec.model
    found = {r.id: r for r in session.scalars(sa.select(model).where(model.id.in_(ids)))}
    ctx = Context.load(session, found)
    docs, gone = [], []
    for entity_id in ids:
        doc = spec.document(found[entity_id], ctx) if entity_id in found else None
        if doc is None:
            gone.append(spec.doc_id(entity_id))
        else:
            docs.append(doc)
    return docs, gone


def all_documents(session, batch_size: int = 1000) -> Iterator[list[dict]]:
    """Every document of the database, in batches (for a rebuild)."""
    ctx = Context.load(session)
    for spec in _INDEXED.values():
        model = spec.model
        # Plain rows (Core), not ORM objects: no identity map, no instance state. Columns are
        # labelled with the attribute names, so the document builders read them the same way.
        columns = [prop.columns[0].label(prop.key) for prop in sa.inspect(model).column_attrs]
        last = ""
        while True:
            rows = session.execute(
                sa.select(*columns).where(model.id > last).order_by(model.id).limit(batch_size)
            ).all()
            if not rows:
                break
            last = rows[-1].id
            ctx.representatives = _representatives(session, [r.id for r in rows])
            docs = [d for d in (spec.document(r, ctx) for r in rows) if d is not None]
            if docs:
                yield docs
