"""The dashboards' figures: read functions over the other domains' records.

One function per set of figures; the pages, the JSON API (``GET /api/v1/stats/province/<slug>``)
and the tests use the same ones, so that a number agrees wherever it is shown. Every count is
taken as the viewer: people through the SQL twin of "person.view", needs through that of
"need.view", initiatives and nominations through theirs, so that a dashboard never counts what
its viewer may not see, and equals the list it links to.

The diaspora of a province is its experts and entrepreneurs (people with at least one kind)
whose hometown is the province: the people the search page lists with the filters
``province=<slug>&kind=expert&kind=entrepreneur``. Legacy hometown names are included because
a profile stores the current province's slug, whatever name the person gave.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa

from directory.accounts.models import EmailToken, User
from directory.contacts.models import ContactRequest
from directory.core.models import utcnow
from directory.core.sql import json_array_has_any, json_array_values
from directory.extensions import db
from directory.imports.models import ImportBatch
from directory.initiatives.models import STATES as INITIATIVE_STATES
from directory.initiatives.models import Initiative
from directory.initiatives.queries import overdue_condition
from directory.initiatives.services import today
from directory.needs.models import Need
from directory.needs.queries import interest_counts, needs_query
from directory.people.models import KINDS, Person
from directory.people.queries import mission_people
from directory.policy.initiatives import initiative_view_clause
from directory.policy.nominations import nomination_view_clause
from directory.policy.people import person_view_clause
from directory.representatives.models import Nomination
from directory.representatives.services import waiting_condition as nominations_waiting

# "New" profiles and terms "ending soon": within this many days.
RECENT_DAYS = 90
ENDING_DAYS = 90
# Open needs listed on the province dashboard (the rest through the needs list).
NEEDS_SHOWN = 10
# Import batches not yet finished: being read, in preview, being committed.
IMPORTS_IN_PROGRESS = ("queued", "reading", "ready", "committing")
# Nominations whose next step is the province's: its draft to submit, its approver's decision.
PROVINCE_NOMINATION_STATES = ("draft", "awaiting_approval")


def count(query: sa.Select) -> int:
    """How many rows ``query`` selects (its order ignored)."""
    sub = query.order_by(None).subquery()
    return db.session.scalar(sa.select(sa.func.count()).select_from(sub)) or 0


def _by_count(counter: Counter) -> dict[str, int]:
    """Largest first, then by code: the order of the charts and the API."""
    return dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


# --- a province's diaspora --------------------------------------------------------------------


@dataclass
class Diaspora:
    total: int = 0
    by_country: dict[str, int] = field(default_factory=dict)
    by_field: dict[str, int] = field(default_factory=dict)
    verified: int = 0
    new_recent: int = 0


def diaspora(user, slug: str) -> Diaspora:
    """The experts and entrepreneurs from province ``slug`` that ``user`` may see, counted by
    the database in one statement: the province's people are read once (a CTE), then counted
    in total, by country and by field (``UNION ALL`` of three ``GROUP BY``)."""
    since = utcnow() - timedelta(days=RECENT_DAYS)
    people = (
        sa.select(Person.id, Person.country, Person.fields, Person.verified_at, Person.created_at)
        .where(
            person_view_clause(user),
            # Anonymised profiles are out of every list, the admin's search included.
            Person.anonymised_at.is_(None),
            Person.hometown_province == slug,
            json_array_has_any(Person.kinds, KINDS),
        )
        .cte("diaspora")
    )
    fields = json_array_values(people.c.fields)
    rows = db.session.execute(
        sa.union_all(
            sa.select(
                sa.literal("total"),
                sa.null(),
                sa.func.count(people.c.id),
                sa.func.count(people.c.verified_at),
                sa.func.count(sa.case((people.c.created_at >= since, people.c.id))),
            ),
            sa.select(sa.literal("country"), people.c.country, sa.func.count(people.c.id), 0, 0)
            .where(people.c.country.is_not(None), people.c.country != "")
            .group_by(people.c.country),
            # A person naming a field twice counts once in it.
            sa.select(
                sa.literal("field"), fields.c.value, sa.func.count(sa.distinct(people.c.id)), 0, 0
            )
            .select_from(people)
            .join(fields, sa.true())
            .where(fields.c.value.is_not(None))
            .group_by(fields.c.value),
        )
    ).all()
    out = Diaspora()
    countries: Counter = Counter()
    by_field: Counter = Counter()
    for kind, code, n, verified, new_recent in rows:
        if kind == "total":
            out.total, out.verified, out.new_recent = n, verified, new_recent
        elif kind == "country":
            countries[code] = n
        else:
            by_field[code] = n
    out.by_country = _by_count(countries)
    out.by_field = _by_count(by_field)
    return out


# --- what waits for a province officer --------------------------------------------------------


@dataclass
class Waiting:
    initiatives_overdue: int
    received: int
    assigned: int
    under_review: int
    contact_requests_sent: int
    nominations: dict[str, int]

    @property
    def total(self) -> int:
        return (
            self.initiatives_overdue
            + self.received
            + self.assigned
            + self.under_review
            + self.contact_requests_sent
            + sum(self.nominations.values())
        )


def _province_initiatives(user, slug: str) -> sa.Select:
    return sa.select(Initiative.id).where(
        initiative_view_clause(user), Initiative.province_slug == slug
    )


def _province_nominations(user, slug: str) -> sa.Select:
    return sa.select(Nomination.id).where(
        nomination_view_clause(user), Nomination.province_slug == slug
    )


def waiting(user, slug: str) -> Waiting:
    """Overdue initiatives of the province, those received and not yet triaged (any officer of
    the province may triage them), those assigned to ``user`` (assigned, under review), the
    contact requests ``user`` sent that wait for an answer, and the province's
    nominations waiting on it (drafts to submit, appointments to approve). One statement per
    kind of record, each figure a conditional count over the province's rows."""

    def when(condition):
        return sa.func.count(sa.case((condition, Initiative.id)))

    mine = Initiative.assignee_id == user.id
    overdue, received, assigned, under_review = db.session.execute(
        _province_initiatives(user, slug).with_only_columns(
            when(overdue_condition()),
            when(Initiative.state == "received"),
            when(sa.and_(mine, Initiative.state == "assigned")),
            when(sa.and_(mine, Initiative.state == "under_review")),
        )
    ).one()
    nominations = dict(
        db.session.execute(
            _province_nominations(user, slug)
            .where(Nomination.state.in_(PROVINCE_NOMINATION_STATES))
            .with_only_columns(Nomination.state, sa.func.count(Nomination.id))
            .group_by(Nomination.state)
        ).all()
    )
    return Waiting(
        initiatives_overdue=overdue,
        received=received,
        assigned=assigned,
        under_review=under_review,
        contact_requests_sent=count(
            sa.select(ContactRequest.id).where(
                ContactRequest.requester_id == user.id, ContactRequest.state == "pending"
            )
        ),
        nominations={state: nominations.get(state, 0) for state in PROVINCE_NOMINATION_STATES},
    )


# --- needs, initiatives, representatives of a province ----------------------------------------


def open_needs(user, slug: str) -> tuple[int, list[tuple[Need, int]]]:
    """How many open needs of the province ``user`` may read, and the newest of them with the
    number of members interested in each."""
    query = needs_query(user, {"province": slug, "status": "open"})
    needs = list(db.session.scalars(query.limit(NEEDS_SHOWN)))
    interest = interest_counts(n.id for n in needs)
    return count(query), [(n, interest.get(n.id, 0)) for n in needs]


def initiatives_by_state(user, slug: str) -> dict[str, int]:
    """The province's initiatives per state (every state, zero included)."""
    sub = _province_initiatives(user, slug).subquery()
    rows = db.session.execute(
        sa.select(Initiative.state, sa.func.count())
        .where(Initiative.id.in_(sa.select(sub.c.id)))
        .group_by(Initiative.state)
    ).all()
    found = dict(rows)
    return {state: found.get(state, 0) for state in INITIATIVE_STATES}


@dataclass
class Representatives:
    active: int
    ending: list[Nomination]


def representatives(user, slug: str, on: date | None = None) -> Representatives:
    """The province's active representatives, and those whose term ends within
    :data:`ENDING_DAYS` (soonest first)."""
    on = on or today()
    active = _province_nominations(user, slug).where(Nomination.state == "active")
    ending = db.session.scalars(
        sa.select(Nomination)
        .where(
            Nomination.id.in_(active),
            Nomination.term_end.is_not(None),
            Nomination.term_end <= on + timedelta(days=ENDING_DAYS),
        )
        .order_by(Nomination.term_end, Nomination.id)
    ).all()
    return Representatives(active=count(active), ending=list(ending))


def contact_requests_pending(slug: str) -> int:
    """Contact requests sent by the province's officers that wait for the member's answer."""
    return count(
        sa.select(ContactRequest.id)
        .join(User, User.id == ContactRequest.requester_id)
        .where(
            ContactRequest.state == "pending",
            User.role == "province",
            User.province_slug == slug,
        )
    )


def province_stats(user, slug: str) -> dict:
    """The figures of ``GET /api/v1/stats/province/<slug>``, as ``user`` sees them."""
    people = diaspora(user, slug)
    needs_open, _needs = open_needs(user, slug)
    reps = representatives(user, slug)
    by_state = initiatives_by_state(user, slug)
    overdue = count(_province_initiatives(user, slug).where(overdue_condition()))
    nominations = count(
        _province_nominations(user, slug).where(Nomination.state.in_(PROVINCE_NOMINATION_STATES))
    )
    return {
        "people_by_country": people.by_country,
        "people_by_field": people.by_field,
        "people_verified": people.verified,
        "people_new_90d": people.new_recent,
        "needs_open": needs_open,
        "contact_requests_pending": contact_requests_pending(slug),
        "initiatives_by_state": by_state,
        "initiatives_overdue": overdue,
        "representatives_active": reps.active,
        "representatives_ending_90d": len(reps.ending),
        "nominations_pending": nominations,
    }


# --- a mission ----------------------------------------------------------------------------------


@dataclass
class MissionFigures:
    # (verified, claimed) -> how many people
    states: dict[tuple[bool, bool], int]
    by_country: dict[str, int]
    invitations_pending: int
    imports_in_progress: int
    nominations_waiting: int

    @property
    def total(self) -> int:
        return sum(self.states.values())


def mission_figures(user) -> MissionFigures:
    """The people in ``user``'s mission's countries by verification and claim, per country;
    claim invitations sent and not yet used nor expired; the mission's imports not finished;
    the nominations waiting for the embassy."""
    # The mission's people read once, grouped by country, verification and claim (a member
    # account holds at most one profile: the outer join counts each person once).
    people = (
        mission_people(user)
        .order_by(None)
        .with_only_columns(Person.id, Person.country, Person.verified_at)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(
            people.c.country,
            people.c.verified_at.is_not(None),
            User.id.is_not(None),
            sa.func.count(),
        )
        .select_from(people)
        .outerjoin(User, User.person_id == people.c.id)
        .group_by(people.c.country, people.c.verified_at.is_not(None), User.id.is_not(None))
    ).all()
    states = {(verified, claimed): 0 for verified in (True, False) for claimed in (True, False)}
    countries: Counter = Counter()
    for country, verified, claimed, n in rows:
        states[(bool(verified), bool(claimed))] += n
        if country:
            countries[country] += n
    # Each pending invitation looks its person up (not the mission's unclaimed people listed
    # first: SQLite would build that list whole).
    unclaimed = mission_people(user, claimed=False).order_by(None).with_only_columns(Person.id)
    invitations = sa.select(EmailToken.person_id).where(
        EmailToken.purpose == "claim",
        EmailToken.used_at.is_(None),
        EmailToken.expires_at > utcnow(),
        unclaimed.where(Person.id == EmailToken.person_id).exists(),
    )
    return MissionFigures(
        states=states,
        by_country=_by_count(countries),
        invitations_pending=count(invitations.distinct()),
        imports_in_progress=count(
            sa.select(ImportBatch.id).where(
                ImportBatch.mission_id == user.mission_id,
                ImportBatch.status.in_(IMPORTS_IN_PROGRESS),
            )
        ),
        nominations_waiting=count(sa.select(Nomination.id).where(nominations_waiting(user))),
    )
