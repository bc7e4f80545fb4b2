"""Suggested businesses from entrepreneurs' company fields (``flask businesses suggest``).

Before businesses were records, an entrepreneur's profile held four texts: company, sector,
size, website. Each such profile proposes a business; proposals are merged when they share the
folded name and country, or the website's domain, and left out when a business with that name
and country, or that domain, exists already. Reading only: ``services.create_suggested``
writes them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa

from directory.businesses.inputs import business_name_key, resolve_sector, sector_index
from directory.businesses.inputs import website_domain as domain_of
from directory.businesses.queries import likely_duplicates
from directory.extensions import db
from directory.people.models import Person

# Free-text sizes as people wrote them -> the size band.
SIZE_WORDS = {
    "1-9": "micro",
    "micro": "micro",
    "sieu nho": "micro",
    "10-49": "small",
    "small": "small",
    "nho": "small",
    "50-249": "medium",
    "medium": "medium",
    "vua": "medium",
    "250+": "large",
    "large": "large",
    "lon": "large",
}


@dataclass
class Suggestion:
    """A business the company fields of these people describe."""

    name: str
    country: str
    website: str | None
    sectors: list[str]
    size_band: str | None
    person_ids: list[str] = field(default_factory=list)


def _size(text: str | None) -> str | None:
    from search_index.normalize import fold

    return SIZE_WORDS.get(fold(text or "").replace(" ", "")) or SIZE_WORDS.get(fold(text or ""))


def _website(text: str | None) -> str | None:
    from directory.people.normalise import normalize_url

    try:
        return normalize_url(text) if text else None
    except ValueError:
        return None


def suggestions() -> list[Suggestion]:
    """The businesses the entrepreneurs' company fields describe, merged, minus existing ones."""
    people = db.session.scalars(
        sa.select(Person)
        .where(
            Person.anonymised_at.is_(None),
            Person.company.is_not(None),
            Person.company != "",
            Person.country.is_not(None),
        )
        .order_by(Person.created_at, Person.id)
    ).all()
    index = sector_index()
    # Union-find over the people, joined by (name key, country) and by website domain.
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    first_by_key: dict[tuple, str] = {}
    for person in people:
        keys = [("name", business_name_key(person.company), person.country)]
        domain = domain_of(_website(person.company_website))
        if domain:
            keys.append(("domain", domain))
        find(person.id)
        for key in keys:
            if key in first_by_key:
                parent[find(person.id)] = find(first_by_key[key])
            else:
                first_by_key[key] = person.id
    groups: dict[str, list[Person]] = {}
    for person in people:
        groups.setdefault(find(person.id), []).append(person)
    out: list[Suggestion] = []
    for members in groups.values():
        name = Counter(p.company.strip() for p in members).most_common(1)[0][0]
        country = Counter(p.country for p in members).most_common(1)[0][0]
        websites = [w for p in members if (w := _website(p.company_website))]
        website = Counter(websites).most_common(1)[0][0] if websites else None
        if likely_duplicates(name, country, website):
            continue
        sectors = list(
            dict.fromkeys(
                code for p in members if (code := resolve_sector(p.company_sector or "", index))
            )
        )
        sizes = [s for p in members if (s := _size(p.company_size))]
        out.append(
            Suggestion(
                name=name,
                country=country,
                website=website,
                sectors=sectors,
                size_band=Counter(sizes).most_common(1)[0][0] if sizes else None,
                person_ids=[p.id for p in members],
            )
        )
    return sorted(out, key=lambda s: (s.country, business_name_key(s.name)))
