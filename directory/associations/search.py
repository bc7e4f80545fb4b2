"""The associations domain's search documents (all of an association is public)."""

from __future__ import annotations

from directory.search import documents, outbox
from directory.search.documents import (
    ASSOCIATION_KIND_WORDS,
    KIND_WORDS,
    QUALITY_VERIFIED,
    Builder,
    Context,
    country_words,
    field_words,
    hometown_keys,
    province_words,
    timestamp,
)
from search_index.base import NAME_ORDERS, association_doc_id
from search_index.normalize import fold


def register() -> None:
    """Index associations: their documents, and an outbox row whenever one changes."""
    from directory.associations.models import Association

    documents.register(
        documents.Indexed("association", Association, association_document, association_doc_id)
    )
    outbox.index_changes(Association, "association")


def association_quality(association) -> int:
    """The association counterpart of :func:`person_quality` (all of it is public)."""
    score = QUALITY_VERIFIED if association.verified_at is not None else 0
    return score + bool(association.fields) + bool(association.description)


def association_document(association, ctx: Context) -> dict:
    """The search document of an association (public: every searcher may see it)."""
    b = Builder()
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
        *field_words(association.fields, ctx),
    )
    b.add(
        "place",
        0,
        *province_words(association.province_slug),
        *country_words(association.country),
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
        "updated_at": timestamp(association.updated_at),
        "created_at": timestamp(association.created_at),
        "quality": association_quality(association),
    }
    b.keys[0] |= hometown_keys(association.province_slug, association.name)
    doc.update(b.fields(ctx, association.fields or []))
    doc.update(dict.fromkeys(NAME_ORDERS, ""))
    return doc
