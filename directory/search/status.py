"""Is the search index complete? The outbox backlog and the index's documents beside the
database's records, for ``flask search status`` and ``/readyz``."""

from __future__ import annotations

import sqlalchemy as sa

from directory.extensions import db
from directory.search.sync import backlog
from search_index import get_backend


def database_counts() -> dict[str, int]:
    """How many documents a complete index holds, per entity type."""
    from directory.associations.models import Association
    from directory.people.models import Person

    people = db.session.scalar(
        sa.select(sa.func.count()).select_from(Person).where(Person.anonymised_at.is_(None))
    )
    from directory.search.documents import indexed, indexed_types

    associations = db.session.scalar(sa.select(sa.func.count()).select_from(Association))
    counts = {"person": people or 0, "association": associations or 0}
    # Later kinds (businesses) index every record of their model.
    for kind in indexed_types():
        if kind not in counts:
            model = indexed(kind).model
            counts[kind] = db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0
    return counts


def index_status() -> dict:
    """The backend, the outbox backlog, and document counts beside the database's.

    ``in_step`` is true when nothing is pending and every count matches. Raises
    ``SearchUnavailable`` when the engine does not answer.
    """
    backend = get_backend()
    outbox = backlog()
    database = database_counts()
    found = backend.document_counts()
    documents = {kind: int(found.get(kind, 0)) for kind in database}
    return {
        "backend": backend.name,
        "outbox": outbox,
        "documents": documents,
        "database": database,
        "in_step": outbox["pending"] == 0 and documents == database,
    }
