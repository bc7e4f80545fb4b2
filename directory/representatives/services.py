"""Reading nominations: what a user may see, what waits for them, the public register."""

from __future__ import annotations

import sqlalchemy as sa

from directory import policy
from directory.core import paging
from directory.core.templating import nav_counter
from directory.extensions import db
from directory.people.models import Person
from directory.policy.nominations import nomination_actor_clause, nomination_view_clause
from directory.representatives.models import Nomination

# The state in which a nomination waits for each step, and that step's action: who takes it is
# the policy's (its SQL twin), the state the workflow's.
WAITING_STEPS = (
    ("draft", "nomination.submit"),
    ("awaiting_approval", "nomination.approve"),
    ("embassy_review", "nomination.endorse"),
    ("awaiting_consent", "nomination.accept"),
)


def waiting_condition(user):
    """A SQL condition selecting the nominations waiting for ``user``'s next step."""
    return sa.or_(
        *(
            sa.and_(Nomination.state == state, nomination_actor_clause(user, action))
            for state, action in WAITING_STEPS
        )
    )


def list_nominations(
    user,
    *,
    state: str | None = None,
    province: str | None = None,
    country: str | None = None,
    waiting: bool = False,
    page: int = 1,
    per_page: int = 20,
) -> tuple[list[Nomination], int]:
    """One page of the nominations ``user`` may see (or that wait for them), newest first."""
    query = sa.select(Nomination).where(
        waiting_condition(user) if waiting else nomination_view_clause(user)
    )
    if state:
        query = query.where(Nomination.state == state)
    if province:
        query = query.where(Nomination.province_slug == province)
    if country:
        query = query.where(Nomination.country == country)
    listing = paging.page_of(
        query.order_by(Nomination.updated_at.desc(), Nomination.id), page, per_page
    )
    return list(listing.items), listing.total


@nav_counter("inbox")
def inbox_count(user) -> int:
    """How many nominations wait for ``user`` (the navigation badge)."""
    return (
        db.session.scalar(sa.select(sa.func.count(Nomination.id)).where(waiting_condition(user)))
        or 0
    )


def _listed_appointments() -> sa.Select:
    """Active appointments of people who consented to be listed publicly (the public register)."""
    return (
        sa.select(Nomination)
        .join(Person, Person.id == Nomination.person_id)
        .where(
            Nomination.state == "active",
            Person.consent_listed.is_(True),
            Person.anonymised_at.is_(None),
        )
    )


def register(
    *, province: str | None = None, country: str | None = None, page: int = 1, per_page: int = 50
) -> tuple[list[Nomination], int]:
    """Active appointments of people who consented to be listed publicly."""
    query = _listed_appointments()
    if province:
        query = query.where(Nomination.province_slug == province)
    if country:
        query = query.where(Nomination.country == country)
    listing = paging.page_of(
        query.order_by(
            Nomination.province_slug, Nomination.country, Nomination.region, Nomination.id
        ),
        page,
        per_page,
    )
    return list(listing.items), listing.total


def register_countries() -> list[str]:
    """The host countries the public register lists someone in (its country filter's choices)."""
    query = _listed_appointments().with_only_columns(Nomination.country).distinct()
    return sorted(code for code in db.session.scalars(query) if code)


def appointments_for(person, *, include_ended: bool = False) -> list[Nomination]:
    """The appointments ``person`` holds (active; also ended ones when asked), newest first."""
    if person is None:
        return []
    states = ("active", "expired", "revoked", "resigned") if include_ended else ("active",)
    return list(
        db.session.scalars(
            sa.select(Nomination)
            .where(Nomination.person_id == person.id, Nomination.state.in_(states))
            .order_by(Nomination.term_start.desc(), Nomination.id)
        )
    )


def get_visible(nomination_id: str, user) -> Nomination | None:
    """The nomination if it exists and ``user`` may see it."""
    nomination = db.session.get(Nomination, nomination_id) if nomination_id else None
    if nomination is None or not policy.can(user, "nomination.view", nomination):
        return None
    return nomination
