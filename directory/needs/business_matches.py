"""Businesses among a need's candidates: their recall and what the scoring reads of them.

The scoring itself is :func:`directory.needs.matching.score` (the module's second table); this
module says which businesses are considered. Recall goes through the search engine as the
viewer (what they may not find is never recalled), with ``kind=business`` and, for a need of
type investment, trade promotion or technology transfer:

- the need's fields as sectors, with the target countries, then alone;
- the businesses interested in the need's province, and those present in it (any kind of
  presence; current and legacy names: the engine's province filters), with the target
  countries, then alone;
- each field's name and the need's title as queries (see :func:`matching._recall`: the
  businesses those find are kept with the fields they name).

Candidates are then read from the database and kept when the viewer may see them (rule
``business.view``, through its SQL twin). A business on the page shown is marked contactable
when an official could ask its contact person now
(:func:`directory.contacts.queries.business_reachable`).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from directory.businesses.models import Business, BusinessPerson
from directory.extensions import db
from directory.needs.models import Need


def business_searches(need: Need) -> list[tuple[str, dict, str | None]]:
    """The engine searches (text, filters, field the text names) that recall businesses."""
    kind = {"kind": ["business"]}
    home = [need.province_slug]
    codes = list(need.fields or [])
    countries = list(need.countries or [])
    out: list[tuple[str, dict, str | None]] = []
    places = ({"interest_province": home}, {"presence_province": home})
    for place in places:
        if countries:
            out.append(("", {**kind, **place, "country": countries}, None))
        out.append(("", {**kind, **place}, None))
    if codes:
        if countries:
            out.append(("", {**kind, "sector": codes, "country": countries}, None))
        out.append(("", {**kind, "sector": codes}, None))
    return out


def business_candidates(need: Need, viewer, now: datetime, named: dict[str, set[str]]) -> list:
    """The recalled businesses ``viewer`` may see, as unscored candidates of ``need`` (plain
    rows filtered by the SQL twin of "business.view": hundreds of candidates; whether each can
    be asked is decided for the page shown only, :func:`mark_reachable`)."""
    from directory.needs.matching import Candidate, Profile
    from directory.policy.businesses import business_view_clause

    ids = list(named)
    if not ids:
        return []
    columns = (
        Business.id,
        Business.name,
        Business.sectors,
        Business.country,
        Business.operates_in,
        Business.interests,
        Business.presence_in_vietnam,
        Business.size_band,
        Business.verified_at,
        Business.updated_at,
    )
    rows = db.session.execute(
        sa.select(*columns).where(Business.id.in_(ids), business_view_clause(viewer))
    ).all()
    out = []
    for row in rows:
        profile = Profile(
            kind="business",
            id=row.id,
            name=row.name,
            fields=list(row.sectors or []),
            named_fields=named.get(row.id, set()),
            country=row.country,
            hometown=None,
            hometown_as_given=None,
            languages=[],
            verified=row.verified_at is not None,
            interested=False,
            updated_at=row.updated_at,
            operates_in=list(row.operates_in or []),
            interests=list(row.interests or []),
            presence=list(row.presence_in_vietnam or []),
            size_band=row.size_band,
        )
        out.append(
            Candidate(
                kind="business", id=row.id, name=row.name, score=0, reasons=[], profile=profile
            )
        )
    return out


def mark_reachable(candidates, viewer) -> None:
    """Mark the business candidates (of one page) whose contact person ``viewer`` may ask now,
    or asked already: ``contactable``."""
    from directory.contacts.queries import business_reachable

    wanted = [c for c in candidates if c.kind == "business"]
    if not wanted:
        return
    businesses = db.session.scalars(
        sa.select(Business)
        .where(Business.id.in_([c.id for c in wanted]))
        .options(selectinload(Business.links).selectinload(BusinessPerson.person))
    ).all()
    reachable = business_reachable(viewer, businesses)
    for candidate in wanted:
        candidate.contactable = candidate.id in reachable
