"""Pending index changes, written in the same transaction as the data they describe.

Services call :func:`enqueue` (or :func:`enqueue_in` with a session of their own); besides, a
``before_flush`` listener (:mod:`directory.search.sync`) adds the row for any changed record of
a kind a domain registered with :func:`index_changes` or :func:`watch`, so a service that forgets
cannot leave the index behind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from directory.core.models import UTCDateTime, new_id, utcnow
from directory.extensions import db


class SearchOutbox(db.Model):
    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True
    )
    entity_type: Mapped[str] = mapped_column(sa.String(20))  # person | association
    entity_id: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)

    def __repr__(self) -> str:
        return f"<SearchOutbox {self.entity_type}:{self.entity_id}>"


def enqueue(entity_type: str, entity_id: str) -> None:
    """Record that this entity's search document must be rebuilt (in the current transaction).

    At most one pending row per entity and transaction.
    """
    enqueue_in(db.session, entity_type, entity_id)


INFO_KEYS = "search_outbox_keys"
INFO_BULK = "search_outbox_bulk"


def enqueue_in(session, entity_type: str, entity_id: str) -> None:
    """Add an outbox row to ``session`` unless one is already pending in it."""
    keys = session.info.setdefault(INFO_KEYS, set())
    if (entity_type, entity_id) in keys:
        return
    keys.add((entity_type, entity_id))
    session.add(SearchOutbox(entity_type=entity_type, entity_id=entity_id))


def enqueued_in_bulk(session) -> None:
    """Say that ``session`` inserted outbox rows in bulk (Core inserts the flush hooks do not
    see): the commit then applies every due row, as it does for the rows it saw."""
    session.info[INFO_BULK] = True


# Model -> function(session, obj) -> [(entity_type, entity_id)]: the documents a change to such a
# record makes stale. Filled by the domains when the application starts.
_WATCHED: dict[type, Callable[[Any, Any], Iterable[tuple[str, str]]]] = {}


def index_changes(model: type, entity_type: str) -> None:
    """A new, changed or deleted ``model`` record rebuilds its own document (``entity_type``)."""

    def own(session, obj):
        if not (obj in session.new or obj in session.deleted or session.is_modified(obj)):
            return ()
        if obj.id is None:
            obj.id = new_id()
        return ((entity_type, obj.id),)

    _WATCHED[model] = own


def watch(model: type, documents: Callable[[Any, Any], Iterable[tuple[str, str]]]) -> None:
    """A change to a ``model`` record makes the documents ``documents(session, obj)`` names
    stale (an appointment changes its person's ``representative`` facet)."""
    _WATCHED[model] = documents


def stale_documents(session, obj) -> Iterable[tuple[str, str]]:
    """The documents a pending change to ``obj`` makes stale."""
    documents = _WATCHED.get(type(obj))
    return documents(session, obj) if documents is not None else ()
