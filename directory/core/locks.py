"""Concurrent writers: telling a lock the database gave up on from any other database error.

Steps that must serialise (a workflow transition, a contact request under the daily limit)
take a row lock (PostgreSQL) or the write lock (SQLite) before they check and write. When the
database gives up waiting, the step is refused with a 409 that changes nothing, instead of a
500: :func:`lock_refused` recognises that case on both databases.
"""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError

# PostgreSQL: serialization_failure, deadlock_detected, lock_not_available.
POSTGRES_LOCK_STATES = ("40001", "40P01", "55P03")


def lock_refused(exc: DBAPIError) -> bool:
    """The database gave up waiting for a lock (SQLite busy, PostgreSQL deadlock/serialisation)."""
    orig = getattr(exc, "orig", None)
    name = getattr(orig, "sqlite_errorname", "") or ""
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "database is locked" in str(orig):
        return True
    return getattr(orig, "sqlstate", None) in POSTGRES_LOCK_STATES
