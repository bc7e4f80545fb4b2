"""Imported people are searchable at once, and a search can be exported."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa

from directory.audit import AuditEvent
from directory.imports import batches, commit
from tests.factories import PersonFactory
from tests.imports.conftest import csv_bytes


def test_imported_people_are_searchable_at_once_and_exported(client, login, db, officer, mission):
    batch = batches.start_batch(csv_bytes(), "p.csv", mission, officer)
    batches.read_batch(batch.id)
    commit.claim_commit(batch, officer)
    commit.commit_batch(batch.id, officer.id)
    PersonFactory(full_name="Phạm Thu Hà", fields=["tourism"])
    login(officer)
    client.post("/lang/en")
    response = client.get("/imports/exports/search.csv?q=nguyen+van+an")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data()[3:].decode("utf-8"))))
    assert [r[0] for r in rows[1:]] == ["Nguyễn Văn An"]
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "export"))
    assert event.details == {"kind": "search", "format": "csv", "count": 1}


def test_search_export_is_for_officials(client, login, db):
    from tests.factories import UserFactory

    login(UserFactory(role="member"))
    assert client.get("/imports/exports/search.csv?q=x").status_code == 403


def test_search_export_with_bad_parameters_is_a_clear_422(client, login, officer):
    login(officer)
    assert client.get("/imports/exports/search.csv?country=Atlantis").status_code == 422


def test_an_import_larger_than_a_search_batch_is_wholly_searchable_when_it_commits(
    db, officer, mission
):
    from directory.search.status import index_status
    from directory.search.sync import BATCH_SIZE

    count = BATCH_SIZE * 2 + 50
    rows = [
        [f"Nguyễn Văn Nhập {n}", "FR", "Lyon", "Đà Nẵng", f"bulk{n}@example.net", "", "", ""]
        for n in range(count)
    ]
    batch = batches.start_batch(csv_bytes(rows=rows), "many.csv", mission, officer)
    batches.read_batch(batch.id)
    commit.claim_commit(batch, officer)
    commit.commit_batch(batch.id, officer.id)
    # No worker and no explicit drain: the commit itself brought the index up to date.
    status = index_status()
    assert status["outbox"]["pending"] == 0
    assert status["documents"]["person"] == status["database"]["person"] == count
