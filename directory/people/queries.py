"""Reading lists of people: one query per list, shared by the HTML pages and the JSON API.

Each function returns an ordered ``Select``; the caller pages it (``directory.core.paging``).
Who may see whom is the policy's (:func:`directory.policy.people.person_view_clause`).
"""

from __future__ import annotations

import sqlalchemy as sa

from directory import policy
from directory.extensions import db
from directory.people.models import Person
from directory.policy.people import person_view_clause
from search_index.normalize import fold_words


def visible_people(user, *, country: str | None = None) -> sa.Select:
    """The people ``user`` may see, newest first, optionally living in ``country``."""
    query = sa.select(Person).where(person_view_clause(user))
    if country:
        query = query.where(Person.country == country)
    return query.order_by(Person.created_at.desc(), Person.id)


def mission_countries(user) -> list[str]:
    """The countries of ``user``'s mission (none without a mission)."""
    mission = getattr(user, "mission", None)
    return mission.countries if mission is not None else []


def mission_people(
    user,
    *,
    claimed: bool | None = None,
    verified: bool | None = None,
    country: str | None = None,
) -> sa.Select:
    """The people a mission works with, by name: those living in its countries (all for the
    admin), optionally only claimed/unclaimed, verified/unverified, in one country."""
    from directory.accounts.models import User

    query = sa.select(Person).where(Person.anonymised_at.is_(None))
    if policy.role(user) == "embassy":
        query = query.where(Person.country.in_(mission_countries(user)))
    claimed_sq = sa.exists().where(User.person_id == Person.id)
    if claimed is True:
        query = query.where(claimed_sq)
    elif claimed is False:
        query = query.where(~claimed_sq)
    if verified is True:
        query = query.where(Person.verified_at.is_not(None))
    elif verified is False:
        query = query.where(Person.verified_at.is_(None))
    if country:
        query = query.where(Person.country == country)
    return query.order_by(Person.name_key, Person.id)


# What a member's own page asks them to complete, in this order: what makes them findable
# first (listed, fields, hometown, country), then what makes a match convincing.
PROFILE_CHECKS = (
    ("listed", lambda p: p.consent_listed),
    ("fields", lambda p: bool(p.fields)),
    ("hometown", lambda p: bool(p.hometown_province)),
    ("country", lambda p: bool(p.country)),
    ("title", lambda p: bool((p.title or "").strip())),
    ("languages", lambda p: bool(p.languages)),
    ("bio", lambda p: bool((p.bio or "").strip())),
    ("contact", lambda p: p.consent_contact),
)


def missing_from_profile(person) -> list[str]:
    """The codes of :data:`PROFILE_CHECKS` that ``person``'s profile does not meet yet."""
    return [code for code, met in PROFILE_CHECKS if not met(person)]


def verification_holds_clause():
    """SQL twin of ``Person.verification_holds``: verified, and none of the verified fields
    changed since (a profile verified before the values were kept holds, as in Python). What
    the search's ``verified`` facet selects, so that a count of verified people equals it."""
    from directory.core.sql import dialect_name
    from directory.people.fields import VERIFIED_FIELDS

    kept = Person.verified_values
    if dialect_name() == "postgresql":
        is_object = sa.func.json_typeof(kept) == "object"

        def kept_value(name):
            return kept.op("->>")(name)
    else:
        is_object = sa.func.json_type(kept) == "object"

        def kept_value(name):
            return sa.func.json_extract(kept, f"$.{name}")

    unchanged = sa.and_(
        *(
            sa.cast(kept_value(name), sa.Text).is_not_distinct_from(
                sa.cast(getattr(Person, name), sa.Text)
            )
            for name in VERIFIED_FIELDS
        )
    )
    return sa.and_(
        Person.verified_at.is_not(None),
        sa.or_(kept.is_(None), sa.not_(sa.func.coalesce(is_object, False)), unchanged),
    )


def likely_duplicates(data: dict, viewer) -> list[dict]:
    """Existing profiles that a profile about to be created may duplicate, before it is saved.

    The import's matching (``directory.imports.analysis.likely_duplicates``: same email or
    phone; same name with the same birth year or city) on the normalised input, with the
    evidence of each match. ``person`` is the profile when ``viewer`` may see it, else None
    (the page then says only that a profile matches). Input that does not normalise matches
    nothing: the service reports its errors.
    """
    from directory.core.errors import ValidationError
    from directory.people.consent import take_evidence
    from directory.people.normalise import normalize_person_input

    data, _evidence = take_evidence(dict(data))
    try:
        values = normalize_person_input(data)
    except ValidationError:
        return []
    return duplicates_of(values, viewer)


def duplicates_of(values: dict, viewer) -> list[dict]:
    """:func:`likely_duplicates` of already normalised values (the service's check)."""
    from directory.extensions import db
    from directory.imports.analysis import likely_duplicates as find

    found = []
    for match in find(values):
        person = db.session.get(Person, match["person_id"])
        visible = person is not None and policy.can(viewer, "person.view", person)
        found.append({**match, "person": person if visible else None})
    return found


# Typed names shorter than this list nobody (every name has an "a" in it).
NAME_QUERY_MIN = 2


def people_named(user, text: str | None, *, limit: int = 10) -> list[Person]:
    """The people ``user`` may see whose name has a word starting with each typed word.

    Folded as the search folds ("nguyen van an" finds "Nguyễn Văn An", in any order); read on
    the name key, so that it needs no search backend. By name, at most ``limit``.
    """
    words = [w.replace("_", "") for w in fold_words((text or "")[:200])][:6]
    words = [w for w in words if w]
    if not words or len("".join(words)) < NAME_QUERY_MIN:
        return []
    query = sa.select(Person).where(person_view_clause(user), Person.anonymised_at.is_(None))
    for word in words:
        query = query.where(
            Person.name_key.startswith(word, autoescape=True)
            | Person.name_key.contains(f" {word}", autoescape=True)
        )
    return list(db.session.scalars(query.order_by(Person.name_key, Person.id).limit(limit)))
