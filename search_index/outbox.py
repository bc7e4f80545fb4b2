"""Pending index changes, written in the same transaction as the data they describe."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from directory.core.models import UTCDateTime, utcnow
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
    from search_index.sync import enqueue_in

    enqueue_in(db.session, entity_type, entity_id)
