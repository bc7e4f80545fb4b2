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

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

import sqlalchemy as sa

from directory.policy import LEVEL_ORDER
from search_index.base import (
    KEY_OFFSET,
    LEVELS,
    NAME_ORDERS,
    SEARCHABLE,
    association_doc_id,
    name_orders,
    person_doc_id,
)
from search_index.matching import (
    PROVINCE_PREFIX,
    TITLE_PREFIX,
    field_key,
    folded_text,
    joined,
    provinces_in,
)
from search_index.normalize import fold, fold_words

# Weights of the quality score: verification outweighs completeness.
QUALITY_VERIFIED = 5
KIND_WORDS = {
    "expert": "expert chuyên gia",
    "entrepreneur": "entrepreneur doanh nhân",
    "association": "association hội hiệp hội",
}
ASSOCIATION_KIND_WORDS = {
    "hometown": "hometown association hội đồng hương",
    "professional": "professional association hội nghề nghiệp chuyên môn",
    "business": "business association hiệp hội doanh nghiệp doanh nhân",
}


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
        ctx = cls(fields=fields, representatives=active_representatives(session, person_ids))
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


def active_representatives(session, person_ids: Iterable[str]) -> set[str]:
    """Ids among ``person_ids`` holding an active appointment."""
    ids = list(person_ids)
    if not ids:
        return set()
    from directory.representatives.models import Nomination

    rows = session.scalars(
        sa.select(Nomination.person_id).where(
            Nomination.person_id.in_(ids), Nomination.state == "active"
        )
    )
    return set(rows)


class _Builder:
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
            folded = [_fold_part(p) for p in parts if p]
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
def _fold_part(text: str) -> str:
    """Folded words of one value (titles, cities, organisations and names repeat a lot)."""
    return " ".join(fold_words(text))


def _level(value: str | None) -> int:
    return LEVEL_ORDER.get(value or "private", 2)


def _field_words(codes: list[str], ctx: Context) -> list[str]:
    return [ctx.field_text[c] for c in codes or [] if c in ctx.field_text]


@lru_cache(maxsize=512)
def _country_text(code: str) -> str:
    from directory.reference.countries import country_name

    return folded_text(code, country_name(code, "vi"), country_name(code, "en"))


def _country_words(code: str | None) -> list[str]:
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


def _province_words(slug: str | None) -> list[str]:
    return [_province_text(slug)] if slug else []


@lru_cache(maxsize=512)
def _language_text(code: str) -> str:
    from directory.reference.countries import language_name

    return folded_text(code, language_name(code, "vi"), language_name(code, "en"))


def _language_words(codes: list[str]) -> list[str]:
    return [_language_text(c) for c in codes or []]


def _timestamp(value) -> float:
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
        keys.update(
            joined(p.split(), PROVINCE_PREFIX) for p in provinces_in(_fold_part(text or ""))
        )
    return keys


def person_quality(person) -> int:
    """How verified and complete a profile is, as the public sees it (0-9).

    Verified by a mission weighs ``QUALITY_VERIFIED``; then one point each for taxonomy
    fields, a title, an organisation (or company) and a biography. Title, organisation and
    biography count only when the profile group is public, so that the order of results
    never reveals whether text hidden from some searchers exists.
    """
    score = QUALITY_VERIFIED if person.verified_at is not None else 0
    score += 1 if person.fields else 0
    if _level(person.visibility_profile) == 0:
        score += bool(person.title) + bool(person.organization or person.company)
        score += bool(person.bio)
    return score


def association_quality(association) -> int:
    """The association counterpart of :func:`person_quality` (all of it is public)."""
    score = QUALITY_VERIFIED if association.verified_at is not None else 0
    return score + bool(association.fields) + bool(association.description)


def person_document(person, ctx: Context) -> dict | None:
    """The search document of a person (a Person or a row with its attributes), or None when
    it must not be indexed (anonymised)."""
    if person.anonymised_at is not None:
        return None
    b = _Builder()
    profile, contact = _level(person.visibility_profile), _level(person.visibility_contact)
    # Basic: shown to anyone who may see the profile at all.
    b.add("name", 0, person.full_name, show={"full_name": person.full_name})
    b.add(
        "tags",
        0,
        *(KIND_WORDS.get(k, k) for k in person.kinds or []),
        *_field_words(person.fields, ctx),
        *_language_words(person.languages),
    )
    # The hometown first: a province query's words then sit at the same place in everyone's
    # attribute, whatever the country (Meilisearch ranks by that place before quality).
    b.add(
        "place",
        0,
        *_province_words(person.hometown_province),
        person.hometown_as_given,
        *_country_words(person.country),
        show={"hometown_as_given": person.hometown_as_given},
    )
    # The profile group, at the level the member chose.
    b.add(
        "name",
        profile,
        *(person.other_names or []),
        show={"other_names": "; ".join(person.other_names or [])},
    )
    b.add(
        "tags",
        profile,
        *(person.skills or []),
        person.sector,
        person.company_sector,
        show={"skills": ", ".join(person.skills or [])},
    )
    b.add("place", profile, person.city, show={"city": person.city})
    b.add(
        "text",
        profile,
        person.title,
        person.organization,
        person.education,
        person.bio,
        person.company,
        show={
            "title": person.title,
            "organization": person.organization,
            "company": person.company,
            "education": person.education,
            "bio": person.bio,
        },
    )
    # Contact details: private unless the member chose otherwise.
    b.add(
        "text",
        contact,
        person.email,
        person.phone,
        person.website,
        *(person.links or []),
        show={"email": person.email, "phone": person.phone, "website": person.website},
    )
    doc = {
        "id": person_doc_id(person.id),
        "type": "person",
        "entity_id": person.id,
        "listed": bool(person.consent_listed),
        "owner": person.id,
        "kind": sorted(set(person.kinds or [])),
        "field": sorted(set(person.fields or [])),
        "country": person.country or "",
        "province": person.hometown_province or "",
        "language": sorted(set(person.languages or [])),
        "verified": person.verified_at is not None,
        "representative": person.id in ctx.representatives,
        "name_sort": fold(person.full_name),
        "updated_at": _timestamp(person.updated_at),
        "quality": person_quality(person),
    }
    b.keys[0] |= hometown_keys(person.hometown_province, person.hometown_as_given)
    for code in ctx.implied_fields(_fold_part(person.title or "")):
        b.keys[profile].add(field_key(code, TITLE_PREFIX))
    skills = folded_text(person.skills or [], person.sector, person.company_sector)
    doc.update(b.fields(ctx, person.fields or [], scan={profile: skills}))
    doc.update(name_orders(person.full_name))
    return doc


def association_document(association, ctx: Context) -> dict:
    """The search document of an association (public: every searcher may see it)."""
    b = _Builder()
    b.add(
        "name",
        0,
        association.name,
        association.name_en,
        show={"name": association.name, "name_en": association.name_en},
    )
    b.add(
        "tags",
        0,
        KIND_WORDS["association"],
        ASSOCIATION_KIND_WORDS.get(association.kind, association.kind),
        *_field_words(association.fields, ctx),
    )
    b.add(
        "place",
        0,
        *_province_words(association.province_slug),
        *_country_words(association.country),
        association.city,
        show={"city": association.city},
    )
    b.add("text", 0, association.description, show={"description": association.description})
    doc = {
        "id": association_doc_id(association.id),
        "type": "association",
        "entity_id": association.id,
        "listed": True,
        "owner": "",
        "kind": ["association"],
        "field": sorted(set(association.fields or [])),
        "country": association.country or "",
        "province": association.province_slug or "",
        "language": [],
        "verified": association.verified_at is not None,
        "representative": False,
        "name_sort": fold(association.name),
        "updated_at": _timestamp(association.updated_at),
        "quality": association_quality(association),
    }
    b.keys[0] |= hometown_keys(association.province_slug, association.name)
    doc.update(b.fields(ctx, association.fields or []))
    doc.update(dict.fromkeys(NAME_ORDERS, ""))
    return doc


def build(session, entity_type: str, ids: list[str]) -> tuple[list[dict], list[str]]:
    """Documents for these entities, and the document ids to delete (gone or anonymised)."""
    from directory.associations.models import Association
    from directory.people.models import Person

    if entity_type == "person":
        people = {p.id: p for p in session.scalars(sa.select(Person).where(Person.id.in_(ids)))}
        ctx = Context.load(session, people)
        docs, gone = [], []
        for pid in ids:
            doc = person_document(people[pid], ctx) if pid in people else None
            if doc is None:
                gone.append(person_doc_id(pid))
            else:
                docs.append(doc)
        return docs, gone
    if entity_type == "association":
        found = {
            a.id: a for a in session.scalars(sa.select(Association).where(Association.id.in_(ids)))
        }
        ctx = Context.load(session)
        docs = [association_document(found[i], ctx) for i in ids if i in found]
        return docs, [association_doc_id(i) for i in ids if i not in found]
    raise ValueError(f"unknown entity type {entity_type!r}")


def all_documents(session, batch_size: int = 1000) -> Iterator[list[dict]]:
    """Every document of the database, in batches (for a rebuild)."""
    from directory.associations.models import Association
    from directory.people.models import Person

    ctx = Context.load(session)
    for model, make in ((Person, person_document), (Association, association_document)):
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
            if model is Person:
                ctx.representatives = active_representatives(session, [r.id for r in rows])
            docs = [d for d in (make(r, ctx) for r in rows) if d is not None]
            if docs:
                yield docs
