"""The demo directory: missions, officials of every role, people, associations; then a few
months of its use (needs, interest, shortlists, contact requests, initiatives, nominations,
claim invitations, an import in preview), so that every dashboard shows something real.

``seed_demo()`` is deterministic (a seeded ``random.Random``; only the record ids, which must be
unguessable, differ between runs). The directory is written through the models, keeping the
data as the services would: name keys, E.164 phones, resolved hometowns with the wording kept,
consent records, hashed passwords, and a search outbox row for every person and association.
The history is replayed through the domains' services (``seed/history.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from directory.core import mail
from directory.extensions import db
from directory.people.models import Person
from directory.reference.loader import sync_reference_data
from directory.search.outbox import enqueue
from directory.seed.associations import create_associations
from directory.seed.builder import DemoBuilder
from directory.seed.bulk import countries_for, generated_person
from directory.seed.businesses import seed_businesses
from directory.seed.cast import DEMO_ACCOUNTS, create_accounts, create_fixed_people
from directory.seed.contacts import seed_contact_requests
from directory.seed.history import actors, history_accounts
from directory.seed.initiatives import seed_initiatives
from directory.seed.missionwork import seed_import, seed_invitations
from directory.seed.needs import seed_needs
from directory.seed.representatives import seed_representatives

DEFAULT_PEOPLE = 300
DEFAULT_SEED = 2026


def database_has_people() -> bool:
    """True when at least one person is in the database (seed-demo then refuses)."""
    return db.session.scalar(sa.select(Person.id).limit(1)) is not None


@dataclass
class History:
    needs: int = 0
    interests: int = 0
    contact_requests: int = 0
    initiatives: int = 0
    nominations: int = 0
    invitations: int = 0
    imports: int = 0
    businesses: int = 0


@dataclass
class SeedSummary:
    people: int
    countries: int
    missions: int
    associations: int
    memberships: int
    accounts_created: list[str]
    accounts_skipped: list[str]
    history: History | None = None


def seed_demo(people: int = DEFAULT_PEOPLE, seed: int = DEFAULT_SEED) -> SeedSummary:
    """Fill an empty database with the demo directory (committed at once), then its history."""
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
    skipped += history_accounts(builder)
    db.session.commit()
    summary = SeedSummary(
        people=len(everyone),
        countries=len({p.country for p in everyone}),
        missions=len(builder.missions),
        associations=len(associations),
        memberships=sum(len(a.memberships) for a in associations),
        accounts_created=[a.email for a in DEMO_ACCOUNTS if a not in skipped],
        accounts_skipped=[a.email for a in skipped],
    )
    # The directory stays in the database, out of the way of the history's many commits.
    db.session.expunge_all()
    summary.history = seed_history(builder.now, seed)
    return summary


def seed_history(now, seed: int = DEFAULT_SEED) -> History | None:
    """Replay the demo's history through the services, on its days, emailing nobody; None when
    a demo account it needs is missing or is not what it expects (an older account kept).
    The businesses come last, so that adding them left the rest of the history as it was."""
    cast = actors(now)
    if cast is None:
        return None
    with mail.suppressed():
        needs = seed_needs(cast)
        history = History(
            needs=len(needs),
            interests=sum(len(need.interests) for need in needs.values()),
            contact_requests=len(seed_contact_requests(cast, needs)),
            initiatives=seed_initiatives(cast, needs),
            nominations=len(seed_representatives(cast)),
            invitations=seed_invitations(cast),
        )
        history.imports = 1 if seed_import(cast) is not None else 0
        history.businesses = len(seed_businesses(cast, seed))
    return history
