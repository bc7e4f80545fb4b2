"""Reading businesses: what a viewer may list and open, likely duplicates, the JSON shape."""

from __future__ import annotations

import sqlalchemy as sa

from directory import policy
from directory.businesses.inputs import business_name_key, website_domain
from directory.businesses.models import Business, BusinessPerson
from directory.core.models import isoformat
from directory.extensions import db
from directory.people.data_protection import export_section
from directory.policy.businesses import business_groups, business_view_clause
from search_index.normalize import fold_words


def get_visible(business_id, user) -> Business | None:
    """The business if it exists and ``user`` may read it (others look missing)."""
    ok = isinstance(business_id, str) and 0 < len(business_id) <= 16
    business = db.session.get(Business, business_id) if ok else None
    if business is None or not policy.can(user, "business.view", business):
        return None
    return business


def businesses_query(user, filters: dict | None = None) -> sa.Select:
    """The businesses ``user`` may read, by name, narrowed by ``filters`` (canonical values):
    ``country`` (registered or operating in), ``sector`` (code), ``size_band``."""
    filters = filters or {}
    query = sa.select(Business).where(business_view_clause(user))
    # Codes hold no quote: a quoted code inside the stored JSON list is that element.
    if filters.get("country"):
        code = filters["country"]
        query = query.where(
            (Business.country == code) | sa.cast(Business.operates_in, sa.Text).like(f'%"{code}"%')
        )
    if filters.get("sector"):
        query = query.where(sa.cast(Business.sectors, sa.Text).like(f'%"{filters["sector"]}"%'))
    if filters.get("size_band"):
        query = query.where(Business.size_band == filters["size_band"])
    return query.order_by(Business.name_key, Business.id)


def businesses_named(user, text: str | None, *, limit: int = 10) -> list[Business]:
    """The businesses ``user`` may see whose name has a word starting with each typed word
    (folded, any order; at least two letters in all): the business picker's search."""
    words = [w.replace("_", "") for w in fold_words((text or "")[:200])][:6]
    words = [w for w in words if w]
    if not words or len("".join(words)) < 2:
        return []
    query = sa.select(Business).where(business_view_clause(user))
    for word in words:
        query = query.where(
            Business.name_key.startswith(word, autoescape=True)
            | Business.name_key.contains(f" {word}", autoescape=True)
        )
    return list(db.session.scalars(query.order_by(Business.name_key, Business.id).limit(limit)))


# Who answers for a business when an official asks to be put in touch: its contact person,
# else an owner, else an executive (accepted links only; earliest link first within a role).
CONTACT_ROLES = ("contact_person", "owner", "executive")


def contact_person(business: Business):
    """The person a contact request about ``business`` is addressed to, or None: the linked
    person with role ``contact_person``, else an owner, else an executive, whose link is
    accepted and whose profile is not anonymised."""
    for wanted in CONTACT_ROLES:
        for link in business.links:
            person = link.person
            if (
                link.role == wanted
                and link.accepted_at is not None
                and person is not None
                and person.anonymised_at is None
            ):
                return person
    return None


def contact_people(business_ids) -> dict:
    """business id -> its contact person (see :func:`contact_person`), for many at once."""
    from sqlalchemy.orm import selectinload

    ids = sorted({i for i in business_ids if isinstance(i, str)})
    if not ids:
        return {}
    rows = db.session.scalars(
        sa.select(Business)
        .where(Business.id.in_(ids))
        .options(selectinload(Business.links).selectinload(BusinessPerson.person))
    ).all()
    return {b.id: contact_person(b) for b in rows}


def likely_duplicates(
    name: str | None, country: str | None, website: str | None, exclude_id: str | None = None
) -> list[Business]:
    """Businesses with the same folded name in the same country, or the same website domain."""
    conditions = []
    key = business_name_key(name)
    if key and country:
        conditions.append((Business.name_key == key) & (Business.country == country))
    domain = website_domain(website) if website and "://" in website else website
    if domain:
        conditions.append(Business.website_domain == domain)
    if not conditions:
        return []
    query = sa.select(Business).where(sa.or_(*conditions))
    if exclude_id:
        query = query.where(Business.id != exclude_id)
    return list(db.session.scalars(query.order_by(Business.name_key, Business.id).limit(10)))


def same_business(a: dict, b: dict) -> str | None:
    """Why two businesses' keys (``name_key``, ``country``, ``website_domain``) make them
    likely duplicates: "name_country", "website", or None (the rule of
    :func:`likely_duplicates`)."""
    if (
        a.get("name_key")
        and a.get("country")
        and (a["name_key"], a["country"])
        == (
            b.get("name_key"),
            b.get("country"),
        )
    ):
        return "name_country"
    if a.get("website_domain") and a["website_domain"] == b.get("website_domain"):
        return "website"
    return None


def duplicate_candidates(name_keys: set[str], domains: set[str]) -> list[Business]:
    """The businesses sharing a folded name or a website domain with many new ones at once
    (an import): compare each with :func:`same_business`."""
    found: dict[str, Business] = {}
    for column, wanted in ((Business.name_key, name_keys), (Business.website_domain, domains)):
        values = sorted(v for v in wanted if v)
        for start in range(0, len(values), 1000):
            query = sa.select(Business).where(column.in_(values[start : start + 1000]))
            for business in db.session.scalars(query):
                found[business.id] = business
    return sorted(found.values(), key=lambda b: (b.name_key, b.id))


def links_of_person(person, *, accepted: bool) -> list[BusinessPerson]:
    """The person's links to businesses, accepted ones or those waiting for acceptance."""
    state = (
        BusinessPerson.accepted_at.is_not(None)
        if accepted
        else BusinessPerson.accepted_at.is_(None)
    )
    return list(
        db.session.scalars(
            sa.select(BusinessPerson)
            .where(BusinessPerson.person_id == person.id, state)
            .order_by(BusinessPerson.created_at, BusinessPerson.id)
        )
    )


def pending_links_for(user) -> list[BusinessPerson]:
    """Links waiting for ``user`` to accept: for their own profile (officials: for profiles
    their mission registered and nobody claimed), as the policy decides."""
    from directory.accounts.models import User
    from directory.people.models import Person

    if user is None or not getattr(user, "is_authenticated", False):
        return []
    mine = BusinessPerson.person_id == user.person_id if user.person_id else sa.false()
    registered = sa.false()
    if policy.role(user) == "embassy" and user.mission_id is not None:
        registered = BusinessPerson.person_id.in_(
            sa.select(Person.id).where(
                Person.provenance_mission_id == user.mission_id,
                Person.anonymised_at.is_(None),
                ~sa.exists().where(User.person_id == Person.id),
            )
        )
    rows = db.session.scalars(
        sa.select(BusinessPerson)
        .where(BusinessPerson.accepted_at.is_(None), sa.or_(mine, registered))
        .order_by(BusinessPerson.created_at, BusinessPerson.id)
    )
    return [link for link in rows if policy.can(user, "business_link.decide", link)]


def link_to_dict(link: BusinessPerson) -> dict:
    return {
        "person_id": link.person_id,
        "role": link.role,
        "since": isoformat(link.since),
        "accepted": link.accepted,
    }


def business_to_dict(business: Business, user) -> dict:
    """The contract's JSON shape of a business, with the groups of fields ``user`` may see."""
    groups = business_groups(user, business)
    if not groups:
        return {}
    data: dict = {
        "id": business.id,
        "name": business.name,
        "country": business.country,
        "operates_in": list(business.operates_in or []),
        "sectors": list(business.sectors or []),
        "size_band": business.size_band,
        "presence_in_vietnam": [dict(p) for p in business.presence_in_vietnam or []],
        "interests": [dict(i) for i in business.interests or []],
    }
    if "profile" in groups:
        data.update(
            {
                "other_names": list(business.other_names or []),
                "legal_form": business.legal_form,
                "cities": list(business.cities or []),
                "founded_year": business.founded_year,
                "description": business.description,
                "people": [
                    {
                        "person_id": link.person_id,
                        "role": link.role,
                        "since": isoformat(link.since),
                    }
                    for link in business.accepted_links
                    if policy.can(user, "person.view", link.person)
                ],
            }
        )
    if "contact" in groups:
        data.update({"website": business.website, "email": business.email, "phone": business.phone})
    data.update(
        {
            "consent_listed": bool(business.consent_listed),
            "visibility": {
                "profile": business.visibility_profile,
                "contact": business.visibility_contact,
            },
            "verified": business.verified,
            "created_at": isoformat(business.created_at),
            "updated_at": isoformat(business.updated_at),
        }
    )
    return data


@export_section("businesses")
def export_business_links(person, _user) -> list[dict]:
    """The person's links to businesses (accepted or waiting), for their data download."""
    rows = db.session.scalars(
        sa.select(BusinessPerson)
        .where(BusinessPerson.person_id == person.id)
        .order_by(BusinessPerson.created_at, BusinessPerson.id)
    ).all()
    return [
        {
            "business_id": link.business_id,
            "business_name": link.business.name,
            "role": link.role,
            "since": isoformat(link.since),
            "accepted_at": isoformat(link.accepted_at),
        }
        for link in rows
    ]
