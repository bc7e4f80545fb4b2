"""The demo directory: missions, officials of every role, people, associations.

``seed_demo()`` is deterministic (a seeded ``random.Random``; only the record ids, which must be
unguessable, differ between runs) and writes through the models, keeping the data as the
services would: name keys, E.164 phones, resolved hometowns with the wording kept, consent
records, hashed passwords, and a search outbox row for every person and association.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from directory.extensions import db
from directory.people.models import Person
from directory.reference.loader import sync_reference_data
from directory.search.outbox import enqueue
from directory.seed.associations import create_associations
from directory.seed.builder import DemoBuilder
from directory.seed.bulk import countries_for, generated_person
from directory.seed.cast import DEMO_ACCOUNTS, create_accounts, create_fixed_people
from directory.seed.initiatives import seed_initiatives

DEFAULT_PEOPLE = 300
DEFAULT_SEED = 2026


def database_has_people() -> bool:
    """True when at least one person is in the database (seed-demo then refuses)."""
    return db.session.scalar(sa.select(Person.id).limit(1)) is not None


@dataclass
class SeedSummary:
    people: int
    countries: int
    missions: int
    associations: int
    memberships: int
    accounts_created: list[str]
    accounts_skipped: list[str]


def seed_demo(people: int = DEFAULT_PEOPLE, seed: int = DEFAULT_SEED) -> SeedSummary:
    """Fill an empty database with the demo directory; commits once at the end."""
    sync_reference_data()
    builder = DemoBuilder(seed)
    builder.create_missions()
    skipped = create_accounts(builder)
    fixed = create_fixed_people(builder)
    db.session.flush()
    everyone = list(fixed.values())
    for country in countries_for(builder, max(0, people - len(fixed))):
        everyone.append(generated_person(builder, country))
    db.session.flush()
    associations = create_associations(builder, everyone, fixed)
    db.session.flush()
    for person in everyone:
        enqueue("person", person.id)
    for association in associations:
        enqueue("association", association.id)
    # The embedded engine applies these rows right after the commit; with Meilisearch,
    # ``flask search worker`` does (or ``flask search reindex`` rebuilds everything).
    db.session.commit()
    seed_initiatives(builder.now)
    return SeedSummary(
        people=len(everyone),
        countries=len({p.country for p in everyone}),
        missions=len(builder.missions),
        associations=len(associations),
        memberships=sum(len(a.memberships) for a in associations),
        accounts_created=[a.email for a in DEMO_ACCOUNTS if a not in skipped],
        accounts_skipped=[a.email for a in skipped],
    )
