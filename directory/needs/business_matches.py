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
``business.view``). A business is marked contactable when an official could ask its contact
person now (:func:`directory.contacts.queries.business_reachable`).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from directory import policy
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
    """The recalled businesses ``viewer`` may see, as unscored candidates of ``need``."""
    from directory.contacts.queries import business_reachable
    from directory.needs.matching import Candidate, Profile

    ids = list(named)
    if not ids:
        return []
    businesses = db.session.scalars(
        sa.select(Business)
        .where(Business.id.in_(ids))
        .options(selectinload(Business.links).selectinload(BusinessPerson.person))
    ).all()
    visible = [b for b in businesses if policy.can(viewer, "business.view", b)]
    reachable = business_reachable(viewer, visible)
    out = []
    for business in visible:
        profile = Profile(
            kind="business",
            id=business.id,
            name=business.name,
            fields=list(business.sectors or []),
            named_fields=named.get(business.id, set()),
            country=business.country,
            hometown=None,
            hometown_as_given=None,
            languages=[],
            verified=business.verified,
            interested=False,
            updated_at=business.updated_at,
            operates_in=list(business.operates_in or []),
            interests=list(business.interests or []),
            presence=list(business.presence_in_vietnam or []),
            size_band=business.size_band,
        )
        out.append(
            Candidate(
                kind="business",
                id=business.id,
                name=business.name,
                score=0,
                reasons=[],
                contactable=business.id in reachable,
                profile=profile,
            )
        )
    return out
