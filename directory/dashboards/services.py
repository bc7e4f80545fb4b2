"""The dashboards' figures: read functions over the other domains' records.

One function per set of figures; the pages, the JSON API (``GET /api/v1/stats/province/<slug>``)
and the tests use the same ones, so that a number agrees wherever it is shown. Every count is
taken as the viewer: people through the SQL twin of "person.view", needs through that of
"need.view", businesses through that of "business.view", initiatives and nominations
through theirs, so that a dashboard never counts what
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
from directory.businesses.models import Business
from directory.contacts.models import ContactRequest
from directory.core.models import utcnow
from directory.core.sql import json_elements, json_objects_have
from directory.extensions import db
from directory.imports.models import ImportBatch
from directory.initiatives.models import STATES as INITIATIVE_STATES
from directory.initiatives.models import Initiative
from directory.initiatives.queries import overdue_condition
from directory.initiatives.services import today
from directory.needs.models import Need
from directory.needs.queries import interest_counts, needs_query
from directory.people.models import Person
from directory.people.queries import mission_people, verification_holds_clause
from directory.policy.businesses import business_view_clause
from directory.policy.initiatives import initiative_view_clause
from directory.policy.nominations import nomination_view_clause
from directory.policy.people import person_view_clause
from directory.representatives.models import Nomination
from directory.representatives.services import waiting_condition as nominations_waiting
from directory.search.services import day_start

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


def largest_first(counter: Counter) -> dict[str, int]:
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


def has_a_kind():
    """SQL: the profile has at least one kind.

    A profile's kinds are codes of KINDS only (``people.normalise``), so "at least one of them"
    is "a list that is not empty", and an empty list is always written ``[]`` (the JSON type's
    serialiser). Comparing the list's text reads no JSON (``json_array_length`` parsed every
    profile's list: a third of a count over 100,000 of them), and the planner estimates an
    inequality as nearly every row (a ``LIKE`` on the text was estimated at a handful of rows,
    which chose sorts that spill to disk instead of a hash)."""
    return sa.cast(Person.kinds, sa.Text) != "[]"


def people_clause(user):
    """SQL: the experts and entrepreneurs (at least one kind) ``user`` may see, not anonymised:
    whom the search lists with ``kind=expert&kind=entrepreneur``."""
    has_kind = has_a_kind()
    # Anonymised profiles are out of every list, the admin's search included.
    return sa.and_(person_view_clause(user), Person.anonymised_at.is_(None), has_kind)


def field_counts(*where) -> Counter:
    """Field code -> the people selected by ``where`` tagged with it, counted in SQL (a
    profile's fields are distinct: ``people.normalise`` keeps each code once)."""
    codes = json_elements(Person.fields, "codes")
    query = sa.select(codes.c.value, sa.func.count()).select_from(Person).join(codes, sa.true())
    rows = db.session.execute(query.where(*where).group_by(codes.c.value)).all()
    return Counter({code: n for code, n in rows if code})


def count_where(condition):
    """SQL: how many of the grouped rows meet ``condition``."""
    return sa.func.sum(sa.case((condition, 1), else_=0))


def recent_since() -> date:
    """The first day of "new in the last 90 days" (a day in Vietnam, 89 days before today): a
    profile counts as new from the start of that day, as the search's ``added_since`` filter
    the figure links to selects."""
    return today() - timedelta(days=RECENT_DAYS - 1)


def diaspora(user, slug: str) -> Diaspora:
    """The experts and entrepreneurs from province ``slug`` that ``user`` may see."""
    since = day_start(recent_since())
    where = (people_clause(user), Person.hometown_province == slug)
    rows = db.session.execute(
        sa.select(
            Person.country,
            sa.func.count(),
            count_where(verification_holds_clause()),
            count_where(Person.created_at >= since),
        )
        .where(*where)
        .group_by(Person.country)
    ).all()
    out = Diaspora()
    countries: Counter = Counter()
    for country, n, verified, new in rows:
        out.total += n
        out.verified += verified or 0
        out.new_recent += new or 0
        if country:
            countries[country] += n
    out.by_country = largest_first(countries)
    out.by_field = largest_first(field_counts(*where)) if out.total else {}
    return out


# --- diaspora businesses -----------------------------------------------------------------------


@dataclass
class Businesses:
    total: int = 0
    # A business counts under each country it is registered or operates in, and each of its
    # sectors: the search's ``country`` and ``sector`` filters the figures link to.
    by_country: dict[str, int] = field(default_factory=dict)
    by_sector: dict[str, int] = field(default_factory=dict)
    # Of them, for a province: an interest (of any kind) naming it; a presence in it.
    interested: int = 0
    present: int = 0


def business_counts(user, slug: str | None = None) -> Businesses:
    """The businesses ``user`` may see (the SQL twin of "business.view"), by country and by
    sector; with ``slug``, also those interested in the province and those present in it."""
    visible = business_view_clause(user)
    out = Businesses(
        total=count(sa.select(Business.id).where(visible)),
    )
    operates = json_elements(Business.operates_in, "operates")
    pairs = sa.union(
        sa.select(Business.id, Business.country.label("country")).where(visible),
        sa.select(Business.id, operates.c.value.label("country"))
        .select_from(Business)
        .join(operates, sa.true())
        .where(visible),
    ).subquery("pairs")
    rows = db.session.execute(
        sa.select(pairs.c.country, sa.func.count()).group_by(pairs.c.country)
    ).all()
    out.by_country = largest_first(Counter({code: n for code, n in rows if code}))
    sectors = json_elements(Business.sectors, "sectors")
    rows = db.session.execute(
        sa.select(sectors.c.value, sa.func.count(sa.distinct(Business.id)))
        .select_from(Business)
        .join(sectors, sa.true())
        .where(visible)
        .group_by(sectors.c.value)
    ).all()
    out.by_sector = largest_first(Counter({code: n for code, n in rows if code}))
    if slug is not None:
        out.interested = count(
            sa.select(Business.id).where(
                visible, json_objects_have(Business.interests, "provinces", slug, in_list=True)
            )
        )
        out.present = count(
            sa.select(Business.id).where(
                visible, json_objects_have(Business.presence_in_vietnam, "province", slug)
            )
        )
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


def contactable_clause(user):
    """SQL: the people an official may reach about a need, as ``user`` sees them: visible to
    ``user``, not anonymised, who consented to be contacted by officials and accept contact
    requests (the matcher's "contactable" candidates)."""
    return sa.and_(
        person_view_clause(user),
        Person.anonymised_at.is_(None),
        Person.consent_contact.is_(True),
        Person.contact_requests_enabled.is_(True),
    )


def match_counts(user, needs) -> dict[str, int]:
    """need id -> the contactable people (:func:`contactable_clause`) tagged with at least one
    of the need's fields, for the ``needs`` given, in one query over the people (a need naming
    no field has no such match)."""
    needs = list(needs)
    pairs = sorted({(need.id, code) for need in needs for code in need.fields or ()})
    found: dict[str, int] = {}
    if pairs:
        wanted = sa.union_all(
            *(
                sa.select(sa.literal(need_id).label("need_id"), sa.literal(code).label("code"))
                for need_id, code in pairs
            )
        ).subquery("wanted")
        tagged = json_elements(Person.fields, "tagged")
        found = dict(
            db.session.execute(
                sa.select(wanted.c.need_id, sa.func.count(sa.distinct(Person.id)))
                .select_from(Person)
                .join(tagged, sa.true())
                .join(wanted, wanted.c.code == tagged.c.value)
                .where(
                    tagged.c.value.in_(sorted({code for _need, code in pairs})),
                    contactable_clause(user),
                )
                .group_by(wanted.c.need_id)
            ).all()
        )
    return {need.id: found.get(need.id, 0) for need in needs}


@dataclass
class OpenNeed:
    need: Need
    matches: int
    interested: int


def open_needs(user, slug: str, limit: int | None = NEEDS_SHOWN) -> tuple[int, list[OpenNeed]]:
    """How many open needs of the province ``user`` may read, and the ``limit`` newest of them
    (None: all) with the number of contactable matching people and of members interested in
    each."""
    query = needs_query(user, {"province": slug, "status": "open"})
    needs = list(db.session.scalars(query if limit is None else query.limit(limit)))
    interest = interest_counts(n.id for n in needs)
    matches = match_counts(user, needs)
    return count(query), [OpenNeed(n, matches[n.id], interest.get(n.id, 0)) for n in needs]


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
    businesses = business_counts(user, slug)
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
        "businesses_by_country": businesses.by_country,
        "businesses_by_sector": businesses.by_sector,
        "businesses_interested": businesses.interested,
        "businesses_present": businesses.present,
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
        by_country=largest_first(countries),
        invitations_pending=count(invitations.distinct()),
        imports_in_progress=count(
            sa.select(ImportBatch.id).where(
                ImportBatch.mission_id == user.mission_id,
                ImportBatch.status.in_(IMPORTS_IN_PROGRESS),
            )
        ),
        nominations_waiting=count(sa.select(Nomination.id).where(nominations_waiting(user))),
    )
