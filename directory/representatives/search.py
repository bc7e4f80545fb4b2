"""What appointments mean to the search index: a person holding an active appointment carries
the ``representative`` facet, and any change to a nomination may change it."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from directory.search import documents, outbox


def register() -> None:
    from directory.representatives.models import Nomination

    documents.use_representatives(active_representatives)
    outbox.watch(Nomination, _nominee_document)


def active_representatives(session, person_ids: Iterable[str]) -> set[str]:
    """Ids among ``person_ids`` holding an active appointment."""
    from directory.representatives.models import Nomination

    ids = list(person_ids)
    if not ids:
        return set()
    rows = session.scalars(
        sa.select(Nomination.person_id).where(
            Nomination.person_id.in_(ids), Nomination.state == "active"
        )
    )
    return set(rows)


def _nominee_document(session, nomination) -> tuple[tuple[str, str], ...]:
    if not nomination.person_id:
        return ()
    if nomination in session.new or sa.inspect(nomination).attrs.state.history.has_changes():
        return (("person", nomination.person_id),)
    return ()
