"""The bulk path on PostgreSQL (COPY): a few thousand rows staged and committed intact."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from directory.extensions import db as _db

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_app(make_app, pg_url):
    from directory.reference.loader import sync_reference_data

    app = make_app(SQLALCHEMY_DATABASE_URI=pg_url, IMPORT_RUN_INLINE=True)
    with app.app_context():
        _db.create_all()
        names = ", ".join(f'"{t.name}"' for t in _db.metadata.sorted_tables)
        with _db.engine.begin() as conn:
            conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        sync_reference_data()
        yield app
        _db.session.remove()


def test_bulk_import_on_postgres_is_complete_and_searchable_data_is_queued(pg_app):
    from directory.imports import batches, commit
    from directory.people.models import Person
    from directory.search.outbox import SearchOutbox
    from tests.factories import MissionFactory, UserFactory
    from tests.imports.conftest import HEADER_VI, csv_bytes

    mission = MissionFactory(code="PARIS", countries=["FR"])
    officer = UserFactory(role="embassy", mission=mission)
    rows = [
        [
            f"Nguyễn Văn {i}",
            "Pháp",
            "Paris",
            "Yên Bái",
            f"p{i}@example.fr",
            f"06{i:08d}",
            "Bán dẫn; logistics",
            str(1950 + i % 50),
        ]
        for i in range(3000)
    ]
    rows.append(["Nguyễn Văn 0", "Pháp", "Paris", "Yên Bái", "p0@example.fr", "", "", ""])
    batch = batches.start_batch(csv_bytes(header=HEADER_VI, rows=rows), "big.csv", mission, officer)
    batch = batches.read_batch(batch.id)
    assert batch.status == "ready" and batch.total_rows == 3001 and batch.duplicate_rows == 1
    assert commit.claim_commit(batch, officer)
    batch = commit.commit_batch(batch.id, officer.id)
    assert batch.status == "done" and batch.created_count == 3000
    person = _db.session.scalar(sa.select(Person).where(Person.email == "p7@example.fr"))
    assert person.fields == ["semiconductors", "logistics"]
    assert person.hometown_province == "lao-cai" and person.hometown_as_given == "Yên Bái"
    assert person.phone == "+33600000007" and person.field_sources == {}
    assert person.created_at.tzinfo is not None
    pending = _db.session.scalar(
        sa.select(sa.func.count()).select_from(SearchOutbox).where(SearchOutbox.attempts == 0)
    )
    assert pending >= 3000
