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
    assert event.details == {
        "kind": "search",
        "format": "csv",
        "count": 1,
        "search": {"q": "nguyen van an", "filters": {}, "sort": "relevance"},
    }


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


def read_rows(response) -> list[dict]:
    rows = list(csv.reader(io.StringIO(response.get_data()[3:].decode("utf-8"))))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def test_the_search_export_takes_the_searchs_filters(client, login, db, officer):
    PersonFactory(full_name="Đỗ Minh Khoa", country="FR", fields=["tourism"], kinds=["expert"])
    PersonFactory(full_name="Vũ Thị Lan", country="FR", fields=["tourism"], kinds=["entrepreneur"])
    PersonFactory(full_name="Phạm Thu Hà", country="DE", fields=["tourism"], kinds=["expert"])
    login(officer)
    # As the exports page's form sends it: unchosen filters are empty.
    query = "q=&kind=expert&field=tourism&country=FR&province=&language="
    response = client.get(f"/imports/exports/search.csv?{query}")
    assert response.status_code == 200
    assert [r["Họ và tên"] for r in read_rows(response)] == ["Đỗ Minh Khoa"]


def test_exports_write_labels_in_the_pages_language_not_codes(client, login, db, officer):
    PersonFactory(full_name="Đỗ Minh Khoa", country="FR", kinds=["expert"], languages=["vi", "fr"])
    login(officer)
    (row,) = read_rows(client.get("/imports/exports/search.csv?q=khoa"))
    assert row["Loại"] == "Chuyên gia" and row["Quốc gia"] == "Pháp"
    assert row["Ngôn ngữ"] == "Tiếng Việt; Tiếng Pháp"
    client.post("/lang/en")
    (row,) = read_rows(client.get("/imports/exports/search.csv?q=khoa"))
    assert row["kinds"] == "Expert" and row["country"] == "France"
    assert row["languages"] == "Vietnamese; French"


def test_the_labels_of_an_export_are_read_back_by_the_import():
    from directory.people.normalise import normalize_person_input

    values = normalize_person_input(
        {
            "full_name": "Đỗ Minh Khoa",
            "kinds": "Chuyên gia",
            "country": "Pháp",
            "languages": "Tiếng Việt; Tiếng Pháp",
        }
    )
    assert values["kinds"] == ["expert"] and values["country"] == "FR"
    assert values["languages"] == ["vi", "fr"]


def test_the_search_page_offers_to_export_its_results_with_its_filters(client, login, officer):
    PersonFactory(full_name="Đỗ Minh Khoa", country="FR", fields=["tourism"])
    html = client.get("/search?q=khoa&country=FR").get_data(as_text=True)
    assert "/imports/exports/search.csv" not in html  # anonymous: no export
    login(officer)
    html = client.get("/search?q=khoa&country=FR").get_data(as_text=True)
    assert "/imports/exports/search.csv?q=khoa&amp;country=FR" in html


def test_the_exports_page_has_the_searchs_filters(client, login, officer):
    login(officer)
    html = client.get("/imports/exports").get_data(as_text=True)
    for name in ("q", "kind", "field", "country", "province", "language"):
        assert f'name="{name}"' in html
    assert "Chuyên gia" in html and "/imports/exports/search.xlsx" in html
