"""The people domain's search documents: what of a person is searchable, at which visibility
level (see :mod:`directory.search.documents` for the document schema and the levels)."""

from __future__ import annotations

from directory.search import documents, outbox
from directory.search.documents import (
    KIND_WORDS,
    QUALITY_VERIFIED,
    Builder,
    Context,
    country_words,
    field_words,
    fold_part,
    hometown_keys,
    language_words,
    level,
    province_words,
    timestamp,
)
from search_index.base import name_orders, person_doc_id
from search_index.matching import TITLE_PREFIX, field_key, folded_text
from search_index.normalize import fold


def register() -> None:
    """Index people: their documents, and an outbox row whenever a Person changes."""
    from directory.people.models import Person

    documents.register(documents.Indexed("person", Person, person_document, person_doc_id))
    outbox.index_changes(Person, "person")


def person_quality(person) -> int:
    """How verified and complete a profile is, as the public sees it (0-9).

    Verified by a mission weighs ``QUALITY_VERIFIED``; then one point each for taxonomy
    fields, a title, an organisation (or company) and a biography. Title, organisation and
    biography count only when the profile group is public, so that the order of results
    never reveals whether text hidden from some searchers exists.
    """
    from directory.people.models import verification_holds

    score = QUALITY_VERIFIED if verification_holds(person) else 0
    score += 1 if person.fields else 0
    if level(person.visibility_profile) == 0:
        score += bool(person.title) + bool(person.organization or person.company)
        score += bool(person.bio)
    return score


def person_document(person, ctx: Context) -> dict | None:
    """The search document of a person (a Person or a row with its attributes), or None when
    it must not be indexed (anonymised)."""
    from directory.people.models import verification_holds

    if person.anonymised_at is not None:
        return None
    b = Builder()
    profile, contact = level(person.visibility_profile), level(person.visibility_contact)
    # Basic: shown to anyone who may see the profile at all.
    b.add("name", 0, person.full_name, show={"full_name": person.full_name})
    b.add(
        "tags",
        0,
        *(KIND_WORDS.get(k, k) for k in person.kinds or []),
        *field_words(person.fields, ctx),
        *language_words(person.languages),
    )
    # The hometown first: a province query's words then sit at the same place in everyone's
    # attribute, whatever the country (Meilisearch ranks by that place before quality).
    b.add(
        "place",
        0,
        *province_words(person.hometown_province),
        person.hometown_as_given,
        *country_words(person.country),
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
        "verified": verification_holds(person),
        "representative": person.id in ctx.representatives,
        "name_sort": fold(person.full_name),
        "updated_at": timestamp(person.updated_at),
        "created_at": timestamp(person.created_at),
        "quality": person_quality(person),
    }
    b.keys[0] |= hometown_keys(person.hometown_province, person.hometown_as_given)
    for code in ctx.implied_fields(fold_part(person.title or "")):
        b.keys[profile].add(field_key(code, TITLE_PREFIX))
    skills = folded_text(person.skills or [], person.sector, person.company_sector)
    doc.update(b.fields(ctx, person.fields or [], scan={profile: skills}))
    doc.update(name_orders(person.full_name))
    return doc
