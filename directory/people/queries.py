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
