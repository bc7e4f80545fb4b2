"""Helpers shared by every domain's models."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

# The moment ``utcnow()`` answers inside :func:`as_of` (None: the real time).
_as_of: ContextVar[datetime | None] = ContextVar("as_of", default=None)


def utcnow() -> datetime:
    """Current time in UTC, timezone-aware (inside :func:`as_of`, the moment it was given)."""
    return _as_of.get() or datetime.now(UTC)


@contextmanager
def as_of(moment: datetime) -> Iterator[datetime]:
    """Inside the block, ``utcnow()`` answers ``moment``: every record, audit event and notice
    written through the services is dated then.

    The demo seed replays a plausible history this way (a request sent six weeks ago, answered
    three days later), through the same services as the pages; nothing else uses it.
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    token = _as_of.set(moment.astimezone(UTC))
    try:
        yield moment
    finally:
        _as_of.reset(token)


def isoformat(value) -> str | None:
    """ISO 8601 text for a date or datetime, None for None (the JSON shape of every record)."""
    return value.isoformat() if value is not None else None


def new_id() -> str:
    """A random, unguessable record id (64 bits, hex)."""
    return secrets.token_hex(8)


class UTCDateTime(sa.types.TypeDecorator):
    """A datetime stored in UTC and always returned timezone-aware (SQLite drops the zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False
    )
