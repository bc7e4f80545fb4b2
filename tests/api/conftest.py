"""API test helpers: bearer headers for a user, and row counts to prove nothing was written."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from directory.accounts.tokens import create_token


@pytest.fixture
def bearer(db):
    """``bearer(user)`` -> request headers carrying a fresh API token of ``user``."""

    def make(user, **headers) -> dict:
        _token, raw = create_token(user)
        db.session.commit()
        return {"Authorization": f"Bearer {raw}", **headers}

    return make


@pytest.fixture
def row_counts(db):
    """``row_counts()`` -> {table: rows} for every table whose rows the API could add."""
    skipped = {"api_tokens", "provinces", "fields"}

    def count() -> dict[str, int]:
        db.session.expire_all()
        return {
            table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
            for table in db.metadata.sorted_tables
            if table.name not in skipped
        }

    return count
