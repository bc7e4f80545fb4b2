"""The index is complete at all times: however many rows a transaction writes, every change is
searchable when the request returns (embedded engine) or once the worker has drained the
backlog (Meilisearch); `flask search status` and `/readyz` say when it is not."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from directory.core.models import utcnow
from directory.extensions import db
from directory.search.outbox import SearchOutbox
from directory.search.services import parse_search_args, run_search
from directory.search.status import index_status
from directory.search.sync import BATCH_SIZE, run_worker
from search_index import get_backend
from tests.factories import AssociationFactory, PersonFactory, UserFactory

MANY = 1000


@pytest.fixture(params=["sqlite", "meilisearch"])
def backend_name(request):
    return request.param


def all_ids(q: str, user) -> list[str]:
    """Every id a search returns, page after page."""
    ids: list[str] = []
    page = 1
    while True:
        args = MultiDict({"q": q, "per_page": "100", "page": str(page)})
        result = run_search(parse_search_args(args), user)
        ids.extend(h["id"] for h in result.hits)
        if page >= result.pages:
            return ids
        page += 1


def commit_many_people(n: int) -> list[str]:
    people = [
        PersonFactory.build(full_name=f"Nguyễn Văn Khối {i}", organization="Bulkcorp")
        for i in range(n)
    ]
    db.session.add_all(people)
    db.session.commit()
    return [p.id for p in people]


def pending_rows() -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(SearchOutbox).where(SearchOutbox.done_at.is_(None))
    )


def drain_with_the_worker(app) -> None:
    if app.config["SEARCH_BACKEND"] == "meilisearch":
        assert run_worker(app, once=True, echo=lambda _m: None) == 0


def test_a_transaction_of_a_thousand_changes_is_searchable_in_full(app):
    assert MANY > BATCH_SIZE
    ids = commit_many_people(MANY)
    drain_with_the_worker(app)
    admin = UserFactory(role="admin")
    assert pending_rows() == 0
    found = all_ids("bulkcorp", admin)
    assert len(found) == MANY and set(found) == set(ids)
    status = index_status()
    assert status["in_step"], status
    assert status["documents"]["person"] == MANY + 0


def test_the_embedded_engine_applies_a_big_transaction_before_the_commit_returns(make_app):
    from tests.conftest import _reset_database

    app = make_app()
    with app.app_context():
        _reset_database(app)
        ids = commit_many_people(BATCH_SIZE * 2 + 7)
        # No worker, no later edit: the commit itself drained the outbox.
        assert pending_rows() == 0
        assert get_backend(app).document_counts().get("person") == len(ids)
        db.session.remove()


def test_rows_left_by_a_failed_apply_are_retried_by_the_next_commit(make_app, monkeypatch):
    from tests.conftest import _reset_database

    app = make_app(SEARCH_RETRY_BASE_SECONDS=0)
    with app.app_context():
        _reset_database(app)
        backend = get_backend(app)
        real_apply = backend.apply
        calls = {"n": 0}

        def failing_once(conn, upserts, deletes):
            calls["n"] += 1
            if calls["n"] == 1:
                raise ConnectionError("disk full")
            return real_apply(conn, upserts, deletes)

        monkeypatch.setattr(backend, "apply", failing_once)
        first = PersonFactory(full_name="Trần Văn Lỡ")
        assert pending_rows() == 1  # committed, not indexed, recorded on the row
        second = PersonFactory(full_name="Trần Văn Sau")
        assert pending_rows() == 0
        counts = backend.document_counts()
        assert counts.get("person") == 2, (first.id, second.id, counts)
        db.session.remove()


def test_search_status_prints_the_backlog_and_the_counts_side_by_side(app, runner):
    PersonFactory(full_name="Lê Văn Một")
    AssociationFactory()
    drain_with_the_worker(app)
    result = runner.invoke(args=["search", "status", "--check"])
    assert result.exit_code == 0, result.output
    assert "pending changes: 0" in result.output
    assert "person" in result.output and "association" in result.output
    assert "in step" in result.output and "NOT" not in result.output

    # A change the index has not seen yet: the status says so and --check fails.
    db.session.add(SearchOutbox(entity_type="person", entity_id="0" * 16))
    db.session.commit()
    if app.config["SEARCH_BACKEND"] == "sqlite":
        # The embedded engine drained it at commit; a document missing from the index shows too.
        get_backend(app).reset()
    result = runner.invoke(args=["search", "status", "--check"])
    assert result.exit_code == 1, result.output
    assert "NOT in step" in result.output


def test_readyz_reports_every_part_when_migrated_and_drained(make_app, tmp_path):
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'ready.sqlite3'}")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    client = app.test_client()
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "migrations", "search", "outbox"}
    assert body["checks"]["outbox"]["pending"] == 0

    # A change waiting longer than the limit: 503, naming the outbox.
    with app.app_context():
        app.config["SEARCH_SYNC_INLINE"] = False
        db.session.add(
            SearchOutbox(
                entity_type="person", entity_id="1" * 16, created_at=utcnow() - timedelta(hours=1)
            )
        )
        db.session.commit()
        db.session.remove()
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["failing"] == ["outbox"]
    assert body["checks"]["outbox"]["pending"] == 1


def test_readyz_names_missing_migrations(app, client):
    # The test schema is made with create_all: no migration has been recorded.
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "migrations" in response.get_json()["failing"]


def test_a_reindex_larger_than_its_batches_rebuilds_every_document(app, runner):
    ids = commit_many_people(450)
    drain_with_the_worker(app)
    get_backend(app).reset()
    assert not index_status()["in_step"]
    result = runner.invoke(args=["search", "reindex", "--batch-size", "100"])
    assert result.exit_code == 0, result.output
    assert "indexed 450 documents" in result.output
    status = index_status()
    assert status["in_step"], status
    admin = UserFactory(role="admin")
    assert set(all_ids("bulkcorp", admin)) == set(ids)
