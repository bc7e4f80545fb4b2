"""The central overview: the admin's figures over every province, country and field.

Read functions, shared by the page (``/dashboard/overview``), its CSV downloads and
``GET /api/v1/stats/overview``, each counted in SQL (``GROUP BY``; JSON lists taken apart by
:func:`directory.core.sql.json_elements`), so that the overview stays one handful of queries
whatever the size of the directory. Counted as the viewer sees the records (the admin sees
every one; the functions take the viewer all the same).

Definitions (also in docs/product-rules.md, "The central overview"):

- **People** are the experts and entrepreneurs (profiles with at least one kind), not
  anonymised: what the search lists with ``kind=expert&kind=entrepreneur`` (and ``country``,
  ``field`` or ``province``). A person counts once in each of their fields; people with no
  country or no hometown are left out of those two breakdowns only.
- **A province's main countries** are the :data:`MAIN_COUNTRIES` countries abroad (Vietnam
  left out: representatives serve abroad) where most of its people live (most people first,
  ties by country code). The province is **without representatives** there when one of those
  countries has no active representative of the province; the list names the uncovered
  countries. Provinces with no people abroad are not listed.
- **Fields with few matches** are the fields named by open needs (of any province) with fewer
  than :data:`FEW_MATCHES` contactable people tagged with them (``services.contactable_clause``:
  consented to be contacted by officials, accept contact requests, visible, not anonymised).
- **Initiatives by province**: every state, zero included, and the overdue ones (unanswered
  past their due date); the central body is its own row, keyed :data:`CENTRAL`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa

from directory.core.sql import json_elements
from directory.dashboards.services import (
    business_counts,
    contactable_clause,
    count_where,
    largest_first,
    people_clause,
)
from directory.extensions import db
from directory.initiatives.models import STATES as INITIATIVE_STATES
from directory.initiatives.models import Initiative
from directory.initiatives.queries import overdue_condition
from directory.needs.models import Need
from directory.people.models import Person, PersonFieldTag
from directory.policy.initiatives import initiative_view_clause
from directory.policy.needs import need_view_clause
from directory.policy.nominations import nomination_view_clause
from directory.policy.people import sees_every_profile
from directory.representatives.models import Nomination

# A province's main countries: where most of its people live, this many of them.
MAIN_COUNTRIES = 3
# Fields of open needs with fewer contactable people than this are listed.
FEW_MATCHES = 3
# Not abroad: people living in Vietnam have no representative to look for.
HOME_COUNTRY = "VN"
# The key of the central body's row in the initiatives' figures (no province has this slug).
CENTRAL = "central"


# --- people --------------------------------------------------------------------------------


@dataclass
class People:
    total: int = 0
    by_country: dict[str, int] = field(default_factory=dict)
    by_field: dict[str, int] = field(default_factory=dict)
    by_province: dict[str, int] = field(default_factory=dict)
    # province slug -> country code -> people, largest first
    countries_of: dict[str, dict[str, int]] = field(default_factory=dict)
    # field code -> the contactable people tagged with it (any kind, or none)
    contactable_by_field: dict[str, int] = field(default_factory=dict)


def people(user) -> People:
    """The people ``user`` may see, by country, by field and by hometown province, and the
    contactable people by field: two scans of the profiles (grouped by hometown and country,
    then by field for both counts at once)."""
    rows = db.session.execute(
        sa.select(Person.hometown_province, Person.country, sa.func.count())
        .where(people_clause(user))
        .group_by(Person.hometown_province, Person.country)
    ).all()
    out = People()
    countries: Counter = Counter()
    provinces: Counter = Counter()
    pairs: dict[str, Counter] = {}
    for slug, country, n in rows:
        out.total += n
        if country:
            countries[country] += n
        if slug:
            provinces[slug] += n
            if country:
                pairs.setdefault(slug, Counter())[country] += n
    out.by_country = largest_first(countries)
    out.by_province = largest_first(provinces)
    out.countries_of = {slug: largest_first(counter) for slug, counter in pairs.items()}
    by_field = _field_rows(user)
    out.by_field = largest_first(Counter({c: n for c, n, _r in by_field if c and n}))
    out.contactable_by_field = {c: r for c, _n, r in by_field if c and r}
    return out


def _field_rows(user) -> list[tuple[str, int, int]]:
    """(field code, people, contactable people) as ``user`` sees them.

    For a viewer who sees every profile that is not anonymised (an official, the admin), read
    from ``person_field_tags`` (one row per person and field with the two flags, kept by the
    database from the profiles: ``directory.people.field_tags``), an index-only count instead
    of taking apart every profile's list of fields. For anyone else, from the profiles."""
    if sees_every_profile(user):
        return db.session.execute(
            sa.select(
                PersonFieldTag.code,
                count_where(PersonFieldTag.listed.is_(True)),
                count_where(PersonFieldTag.reachable.is_(True)),
            )
            .where(sa.or_(PersonFieldTag.listed.is_(True), PersonFieldTag.reachable.is_(True)))
            .group_by(PersonFieldTag.code)
        ).all()
    # A profile's fields are distinct (``people.normalise`` keeps each code once).
    listed, reachable = people_clause(user), contactable_clause(user)
    codes = json_elements(Person.fields, "codes")
    return db.session.execute(
        sa.select(codes.c.value, count_where(listed), count_where(reachable))
        .select_from(Person)
        .join(codes, sa.true())
        .where(sa.or_(listed, reachable))
        .group_by(codes.c.value)
    ).all()


# --- provinces without representatives where their people live -------------------------------


@dataclass
class Uncovered:
    slug: str
    people: int  # the province's people (all countries)
    main: dict[str, int]  # its main countries -> people there
    uncovered: dict[str, int]  # those without an active representative -> people there


def provinces_without_representatives(user, figures: People | None = None) -> list[Uncovered]:
    """The provinces with a main country (see the module) where no active representative of
    theirs is, most people first (then by slug), each with the uncovered countries."""
    figures = figures or people(user)
    covered = set(
        db.session.execute(
            sa.select(Nomination.province_slug, Nomination.country)
            .where(nomination_view_clause(user), Nomination.state == "active")
            .distinct()
        ).all()
    )
    out = []
    for slug, countries in figures.countries_of.items():
        abroad = [(code, n) for code, n in countries.items() if code != HOME_COUNTRY]
        main = dict(abroad[:MAIN_COUNTRIES])
        uncovered = {code: n for code, n in main.items() if (slug, code) not in covered}
        if uncovered:
            out.append(Uncovered(slug, figures.by_province.get(slug, 0), main, uncovered))
    out.sort(key=lambda u: (-u.people, u.slug))
    return out


# --- fields of open needs with few contactable people ----------------------------------------


@dataclass
class FieldGap:
    code: str
    needs: int  # open needs naming the field
    contactable: int  # contactable people tagged with it


def fields_without_matches(user, figures: People | None = None) -> list[FieldGap]:
    """The fields named by open needs ``user`` may read that fewer than :data:`FEW_MATCHES`
    contactable people are tagged with; fewest people first, then most needs, then by code."""
    wanted = json_elements(Need.fields, "wanted")
    named = dict(
        db.session.execute(
            sa.select(wanted.c.value, sa.func.count(sa.distinct(Need.id)))
            .select_from(Need)
            .join(wanted, sa.true())
            .where(need_view_clause(user), Need.status == "open")
            .group_by(wanted.c.value)
        ).all()
    )
    named.pop(None, None)
    if not named:
        return []
    reach = (figures or people(user)).contactable_by_field
    gaps = [
        FieldGap(code, needs, reach.get(code, 0))
        for code, needs in named.items()
        if reach.get(code, 0) < FEW_MATCHES
    ]
    gaps.sort(key=lambda g: (g.contactable, -g.needs, g.code))
    return gaps


# --- initiatives by province ------------------------------------------------------------------


@dataclass
class InitiativeRow:
    key: str  # a province's slug, or CENTRAL
    by_state: dict[str, int]
    overdue: int

    @property
    def total(self) -> int:
        return sum(self.by_state.values())

    @property
    def central(self) -> bool:
        return self.key == CENTRAL


def initiatives_by_province(user) -> list[InitiativeRow]:
    """Per receiving body with at least one initiative: every state (zero included) and the
    overdue ones; the central body first, then the provinces by slug."""
    visible = initiative_view_clause(user)
    counts: dict[str, dict[str, int]] = {}
    for slug, state, n in db.session.execute(
        sa.select(Initiative.province_slug, Initiative.state, sa.func.count())
        .where(visible)
        .group_by(Initiative.province_slug, Initiative.state)
    ):
        counts.setdefault(slug or CENTRAL, {})[state] = n
    overdue = {
        slug or CENTRAL: n
        for slug, n in db.session.execute(
            sa.select(Initiative.province_slug, sa.func.count())
            .where(visible, overdue_condition())
            .group_by(Initiative.province_slug)
        )
    }
    keys = sorted(counts, key=lambda k: (k != CENTRAL, k))
    return [
        InitiativeRow(
            key,
            {state: counts[key].get(state, 0) for state in INITIATIVE_STATES},
            overdue.get(key, 0),
        )
        for key in keys
    ]


# --- the API ----------------------------------------------------------------------------------


def overview_stats(user) -> dict:
    """The figures of ``GET /api/v1/stats/overview``, as ``user`` sees them."""
    figures = people(user)
    businesses = business_counts(user)
    return {
        "people_by_country": figures.by_country,
        "people_by_field": figures.by_field,
        "people_by_province": figures.by_province,
        "provinces_without_representatives": [
            u.slug for u in provinces_without_representatives(user, figures)
        ],
        "fields_without_matches": [g.code for g in fields_without_matches(user, figures)],
        "initiatives_by_province": {row.key: row.by_state for row in initiatives_by_province(user)},
        "businesses_by_country": businesses.by_country,
        "businesses_by_sector": businesses.by_sector,
    }
