"""Keeping the index in step: outbox in the same transaction, inline sync, worker, reindex."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from directory.extensions import db
from directory.people import data_protection
from directory.people import services as people_services
from directory.search.outbox import SearchOutbox
from directory.search.services import parse_search_args, run_search
from directory.search.sync import drain, reindex
from search_index import get_backend
from search_index.base import SearchQuery
from tests.factories import AssociationFactory, MissionFactory, PersonFactory, UserFactory


def found(q: str, user=None) -> list[str]:
    return [h["id"] for h in run_search(parse_search_args(MultiDict({"q": q})), user).hits]


def outbox_rows():
    return db.session.scalars(sa.select(SearchOutbox).order_by(SearchOutbox.id)).all()


def test_a_change_writes_its_outbox_row_in_the_same_transaction(app):
    person = PersonFactory(full_name="Hoàng Văn Sơn")
    rows = [r for r in outbox_rows() if r.entity_id == person.id]
    assert len(rows) == 1 and rows[0].entity_type == "person"


def test_a_rolled_back_change_leaves_no_outbox_row_and_no_document(app):
    db.session.add(PersonFactory.build(full_name="Phan Văn Rollback"))
    db.session.flush()
    db.session.rollback()
    assert outbox_rows() == []
    assert found("rollback") == []


def test_the_embedded_engine_applies_changes_right_after_commit(app):
    person = PersonFactory(full_name="Hoàng Văn Sơn")
    assert found("hoang van son") == [person.id]
    assert all(r.done_at is not None for r in outbox_rows())
    person.full_name = "Hoàng Văn Hải"
    db.session.commit()
    assert found("hoang van hai") == [person.id]
    assert found("hoang van son") == []


def test_withdrawing_consent_removes_the_person_from_public_search(app):
    person = PersonFactory(full_name="Hoàng Văn Sơn", consent_listed=True)
    assert found("son") == [person.id]
    person.consent_listed = False
    db.session.commit()
    assert found("son") == []


def test_deleting_an_account_removes_the_profile_from_the_index(app):
    person = PersonFactory(full_name="Hoàng Văn Sơn")
    user = UserFactory(role="member", person_id=person.id)
    data_protection.delete_account(user)
    db.session.commit()
    admin = UserFactory(role="admin")
    assert found("hoang", admin) == []
    assert found("son") == []


def test_an_association_change_is_indexed(app):
    association = AssociationFactory(name="Hội Doanh nhân Việt tại Đức", country="DE")
    assert found("doanh nhan duc") == [association.id]


def test_inline_sync_can_be_turned_off_and_the_worker_catches_up(make_app):
    from tests.conftest import _reset_database

    app = make_app(SEARCH_SYNC_INLINE=False)
    with app.app_context():
        _reset_database(app)
        person = PersonFactory(full_name="Hoàng Văn Sơn")
        index = get_backend(app)
        assert index.search(SearchQuery(text="hoang van son")).total == 0
        # Search reads pending changes from the database meanwhile.
        assert found("hoang van son") == [person.id]
        assert drain(app) == (1, 0)
        assert [h.entity_id for h in index.search(SearchQuery(text="hoang van son")).hits] == [
            person.id
        ]
        assert found("hoang van son") == [person.id]
        db.session.remove()


class BrokenBackend:
    """A backend that fails every write, like an engine that is down."""

    name = "broken"

    def __init__(self, real):
        self.real = real

    def upsert(self, docs):
        raise ConnectionError("engine down")

    delete = upsert

    def shares_engine(self, engine):
        return False

    def __getattr__(self, name):
        return getattr(self.real, name)


def test_a_failed_sync_never_undoes_the_edit_and_is_retried_with_backoff(app):
    real = get_backend(app)
    app.extensions["search_backend"] = BrokenBackend(real)
    app.config["SEARCH_BACKEND"] = "meilisearch"  # worker-fed, like production
    person = PersonFactory(full_name="Hoàng Văn Sơn")
    assert db.session.get(type(person), person.id) is not None
    assert drain(app) == (0, 1)
    row = outbox_rows()[-1]
    assert row.attempts == 1 and "engine down" in row.last_error
    assert row.next_attempt_at is not None and row.done_at is None
    # Not due yet: the next drain leaves it alone.
    assert drain(app) == (0, 0)
    first_delay = row.next_attempt_at
    row.next_attempt_at = None
    db.session.commit()
    assert drain(app) == (0, 1)
    db.session.refresh(row)
    assert row.attempts == 2 and row.next_attempt_at > first_delay
    # The engine is back.
    app.extensions["search_backend"] = real
    app.config["SEARCH_BACKEND"] = "sqlite"
    row.next_attempt_at = None
    db.session.commit()
    assert drain(app) == (1, 0)
    assert found("hoang van son") == [person.id]


def test_reindex_rebuilds_from_the_database(app, runner):
    person = PersonFactory(full_name="Hoàng Văn Sơn")
    get_backend(app).reset()
    assert found("son") == []
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "indexed 1 documents" in result.output
    assert found("son") == [person.id]


def test_search_keeps_answering_while_reindex_runs(app):
    person = PersonFactory(full_name="Hoàng Văn Sơn")
    backend = get_backend(app)
    seen: list[list[str]] = []
    original_rebuild = backend.rebuild

    def slow_rebuild(batches):
        def watched():
            for batch in batches:
                seen.append(found("son"))  # mid-rebuild: the old index answers
                yield batch

        original_rebuild(watched())

    backend.rebuild = slow_rebuild
    reindex(app, echo=lambda *_: None)
    assert seen and all(ids == [person.id] for ids in seen)
    assert found("son") == [person.id]


def test_worker_once_drains_and_exits(make_app):
    from tests.conftest import _reset_database

    app = make_app(SEARCH_SYNC_INLINE=False)
    with app.app_context():
        _reset_database(app)
        person = PersonFactory(full_name="Hoàng Văn Sơn")
        result = app.test_cli_runner().invoke(args=["search", "worker", "--once"])
        assert result.exit_code == 0, result.output
        assert "applied 1 index changes" in result.output
        assert found("son") == [person.id]
        db.session.remove()


def test_worker_once_fails_when_the_engine_refuses_the_changes(make_app):
    from tests.conftest import _reset_database

    app = make_app(
        SEARCH_BACKEND="meilisearch",
        MEILI_URL="http://127.0.0.1:9",  # nothing listens there
        MEILI_INDEX_PREFIX="down",
        SEARCH_RETRY_BASE_SECONDS=0.01,
    )
    with app.app_context():
        app.extensions["search_reset"] = None  # the engine is unreachable by design
        _reset_database(app)
        PersonFactory(full_name="Hoàng Văn Sơn")
        result = app.test_cli_runner().invoke(args=["search", "worker", "--once"])
        assert result.exit_code == 1, result.output
        assert "1 changes still pending" in result.output
        assert "did not take the changes" in result.output
        assert outbox_rows()[-1].attempts == 1
        db.session.remove()


@pytest.mark.meilisearch
def test_meilisearch_down_edits_commit_and_the_worker_catches_up(make_app, meili_server):
    """Stop Meilisearch, edit through the service, restart it, drain: the edit is found."""
    from tests.conftest import _reset_database

    app = make_app(
        SEARCH_BACKEND="meilisearch",
        MEILI_URL=meili_server.url,
        MEILI_MASTER_KEY=meili_server.key,
        MEILI_INDEX_PREFIX="outage",
        SEARCH_RETRY_BASE_SECONDS=0.01,
    )
    with app.app_context():
        _reset_database(app)
        mission = MissionFactory(countries=["FR"])
        officer = UserFactory(role="embassy", mission=mission)
        person = PersonFactory(
            full_name="Hoàng Văn Sơn", provenance_mission_id=mission.id, provenance="mission"
        )
        assert drain(app) == (1, 0)
        assert found("hoang van son") == [person.id]

        meili_server.stop()
        try:
            people_services.update_person(person, {"full_name": "Hoàng Văn Hải"}, officer)
            assert db.session.get(type(person), person.id).full_name == "Hoàng Văn Hải"
            applied, failed = drain(app)
            assert (applied, failed) == (0, 1)
            assert outbox_rows()[-1].last_error
        finally:
            meili_server.start()

        threading.Event().wait(0.05)  # past the (tiny) backoff
        result = app.test_cli_runner().invoke(args=["search", "worker", "--once"])
        assert result.exit_code == 0, result.output
        assert found("hoang van hai") == [person.id]
        assert found("hoang van son") == []
        db.session.remove()


@pytest.mark.meilisearch
def test_meilisearch_reindex_swaps_in_a_fresh_index(make_app, meili_server):
    from tests.conftest import _reset_database

    app = make_app(
        SEARCH_BACKEND="meilisearch",
        MEILI_URL=meili_server.url,
        MEILI_MASTER_KEY=meili_server.key,
        MEILI_INDEX_PREFIX="swap",
    )
    with app.app_context():
        _reset_database(app)
        person = PersonFactory(full_name="Hoàng Văn Sơn")
        backend = get_backend(app)
        seen = []
        original = backend.rebuild

        def watched_rebuild(batches):
            def watched():
                for batch in batches:
                    seen.append(found("son"))
                    yield batch

            original(watched())

        drain(app)
        backend.rebuild = watched_rebuild
        assert reindex(app, echo=lambda *_: None) == 1
        assert seen == [[person.id]]
        assert found("son") == [person.id]
        uids = [i.uid for i in backend.client.get_indexes()["results"]]
        assert "swap_people" in uids
        assert not [u for u in uids if u.startswith("swap_people_")]
        db.session.remove()


@pytest.mark.meilisearch
def test_a_failed_meilisearch_task_is_raised(make_app, meili_server):
    from search_index.meilisearch import MeiliBackend, MeiliTaskFailed

    backend = MeiliBackend(meili_server.url, meili_server.key, prefix="failing")
    backend.configure()
    with pytest.raises(MeiliTaskFailed, match="invalid_document_id"):
        backend.upsert([{"id": "not a valid id!", "type": "person"}])


@pytest.mark.meilisearch
def test_meilisearch_deletes_documents_by_id(meili_server):
    """Deleting by ids goes through the delete-batch route (no deprecated client call)."""
    from search_index.meilisearch import MeiliBackend

    backend = MeiliBackend(meili_server.url, meili_server.key, prefix="deleting")
    backend.configure()
    backend.upsert(
        [
            {"id": "p1", "type": "person", "name": "Nguyễn Văn An"},
            {"id": "p2", "type": "person", "name": "Trần Thị Bình"},
            {"id": "p3", "type": "person", "name": "Lê Văn Cường"},
        ]
    )
    backend.delete(["p1", "p3"])
    assert backend.document_counts() == {"person": 1}


def test_a_second_reindex_is_refused_while_one_runs(race_app):
    """Two real rebuilds at once (a thread, then the CLI): the second is refused at once and
    changes nothing; once the first ends, a reindex runs again. On the suite's database and
    on PostgreSQL (an advisory lock there, a file lock beside SQLite)."""
    app = race_app
    with app.app_context():
        person_id = PersonFactory(full_name="Hoàng Văn Sơn").id
        backend = get_backend(app)
    started, release = threading.Event(), threading.Event()
    original_rebuild = backend.rebuild

    def held_rebuild(batches):
        started.set()
        assert release.wait(30)
        original_rebuild(batches)

    backend.rebuild = held_rebuild
    outcome: list = []
    first = threading.Thread(
        target=lambda: outcome.append(reindex(app, echo=lambda *_: None)), daemon=True
    )
    first.start()
    try:
        assert started.wait(30)
        result = app.test_cli_runner().invoke(args=["search", "reindex"])
        assert result.exit_code == 1, result.output
        assert "another reindex is running" in result.output
        assert "indexed" not in result.output
    finally:
        release.set()
        first.join(30)
    backend.rebuild = original_rebuild
    assert outcome and outcome[0] >= 1
    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert person_id in found("son")
