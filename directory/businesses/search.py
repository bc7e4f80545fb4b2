"""The businesses' search documents: in the same search as people and associations, with
``kind=business`` and the facets sector, presence in Vietnam, province of interest, size and
province of presence (any kind of presence in that province).

What a searcher matches follows the business's visibility: the name, country and sectors (the
basic group) at level 0; the profile group (other names, operations, cities, presence,
interests, description) at the level its visibility gives; contact details are not indexed.
``listed`` is the business's consent to be listed: the public finds listed businesses only,
officials every one (as for people; a member linked to an unlisted business opens it from
their profile, not from search).
"""

from __future__ import annotations

from directory.businesses.inputs import INTEREST_LABELS, PRESENCE_LABELS
from directory.search import documents, outbox
from directory.search.documents import (
    KIND_WORDS,
    QUALITY_VERIFIED,
    Builder,
    Context,
    country_words,
    field_words,
    hometown_keys,
    level,
    province_words,
    timestamp,
)
from search_index.base import NAME_ORDERS, business_doc_id
from search_index.normalize import fold

# Words of each kind of presence and interest, in both languages, for free-text queries
# ("liên doanh", "joint venture", "đầu tư").
PRESENCE_WORDS = {
    "none": "",
    "representative_office": "representative office văn phòng đại diện",
    "subsidiary": "subsidiary công ty con chi nhánh",
    "joint_venture": "joint venture liên doanh",
    "invested_project": "invested project investment dự án đầu tư",
}
INTEREST_WORDS = {
    "investment": "investment invest đầu tư",
    "import": "import nhập khẩu",
    "export": "export xuất khẩu",
    "technology_transfer": "technology transfer chuyển giao công nghệ",
    "training": "training đào tạo",
}
assert set(PRESENCE_WORDS) == set(PRESENCE_LABELS) and set(INTEREST_WORDS) == set(INTEREST_LABELS)


def register() -> None:
    """Index businesses: their documents, and an outbox row whenever one changes."""
    from directory.businesses.models import Business

    documents.register(
        documents.Indexed(
            "business",
            Business,
            business_document,
            business_doc_id,
            display=display_text,
            view_action="business.view",
            to_dict=_hit,
        )
    )
    outbox.index_changes(Business, "business")


def _hit(business, viewer) -> dict:
    from directory.businesses.queries import business_to_dict

    data = business_to_dict(business, viewer)
    if data:
        data["kind"] = "business"
    return data


def business_quality(business) -> int:
    score = QUALITY_VERIFIED if business.verified_at is not None else 0
    return score + bool(business.description) + bool(business.interests)


def interest_provinces(business) -> list[str]:
    return sorted({slug for i in business.interests or [] for slug in i.get("provinces") or []})


def display_text(business) -> dict[int, dict[str, str]]:
    """The original text a hit highlights, by level (what the document files under show_)."""
    show: dict[int, dict[str, str]] = {lvl: {} for lvl in documents.LEVELS}
    profile = level(business.visibility_profile)
    show[0]["name"] = business.name
    values = {
        "other_names": "; ".join(business.other_names or []),
        "cities": ", ".join(business.cities or []),
        "description": business.description or "",
    }
    show[profile].update({k: v for k, v in values.items() if v})
    return show


def business_document(business, ctx: Context) -> dict:
    """The search document of a business (from a record or a plain row of its columns)."""
    b = Builder()
    profile = level(business.visibility_profile)
    sectors = list(business.sectors or [])
    interests = list(business.interests or [])
    presence = list(business.presence_in_vietnam or [])
    provinces = interest_provinces(business)
    presence_provinces = sorted({p["province"] for p in presence if p.get("province")})
    interest_sectors = sorted({c for i in interests for c in i.get("sectors") or []})
    # The basic group (level 0): what the business is and what it looks for in Vietnam.
    b.add("name", 0, business.name, show={"name": business.name})
    b.add(
        "tags",
        0,
        KIND_WORDS["business"],
        *field_words(sectors, ctx),
        *(INTEREST_WORDS[i["kind"]] for i in interests),
        *(PRESENCE_WORDS[p["kind"]] for p in presence),
        *field_words(interest_sectors, ctx),
    )
    b.add(
        "place",
        0,
        *country_words(business.country),
        *(w for c in business.operates_in or [] for w in country_words(c)),
        *(w for slug in [*presence_provinces, *provinces] for w in province_words(slug)),
    )
    b.add("text", 0, *(p for i in interests for p in i.get("products") or []))
    # The profile group, at the level its visibility gives.
    b.add(
        "name",
        profile,
        *(business.other_names or []),
        show={"other_names": "; ".join(business.other_names or [])},
    )
    b.add(
        "place",
        profile,
        *(business.cities or []),
        show={"cities": ", ".join(business.cities or [])},
    )
    b.add(
        "text",
        profile,
        business.legal_form,
        business.description,
        show={"description": business.description},
    )
    doc = {
        "id": business_doc_id(business.id),
        "type": "business",
        "entity_id": business.id,
        "listed": bool(business.consent_listed),
        "owner": "",
        "kind": ["business"],
        # Sectors are the "sector" facet only: the people's "field" facet (and the needs'
        # recall of people by field) stays theirs.
        "field": [],
        "country": sorted({business.country, *(business.operates_in or [])} - {None}),
        "province": "",
        "language": [],
        "verified": business.verified_at is not None,
        "representative": False,
        "sector": sorted(set(sectors)),
        "presence": sorted({p["kind"] for p in presence}),
        "interest_province": provinces,
        "size": [business.size_band] if business.size_band else [],
        "presence_province": presence_provinces,
        "name_sort": fold(business.name),
        "updated_at": timestamp(business.updated_at),
        "created_at": timestamp(business.created_at),
        "quality": business_quality(business),
    }
    # A query naming a province of interest alone ranks the businesses interested in it first.
    for slug in [*provinces, *presence_provinces]:
        b.keys[0] |= hometown_keys(slug)
    doc.update(b.fields(ctx, sectors))
    doc.update(dict.fromkeys(NAME_ORDERS, ""))
    return doc
