"""The search engine failing: Meilisearch killed during a stream of edits, and a reindex killed
midway (on Meilisearch and on the embedded engine)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from directory.accounts.tokens import create_token
from directory.extensions import db
from directory.people.models import Person
from directory.search import documents
from directory.search.sync import backlog, drain
from tests.conftest import _reset_database
from tests.factories import MissionFactory, PersonFactory, UserFactory
from tests.faults.conftest import wait_until
from tests.search.conftest import MeiliServer, find_meilisearch

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def meili():
    """A Meilisearch process of this test's own, which it may kill and start again."""
    binary = find_meilisearch()
    if binary is None:
        message = "Meilisearch binary not found (run `make meilisearch` or set MEILI_BIN)"
        if os.environ.get("REQUIRE_MEILISEARCH") == "1":
            pytest.fail(message)
        pytest.skip(message)
    workdir = Path(tempfile.mkdtemp(prefix="kieubao-faults-meili-"))
    server = MeiliServer(binary, workdir)
    server.start()
    yield server
    server.stop()
    shutil.rmtree(workdir, ignore_errors=True)


def kill9(server: MeiliServer) -> None:
    """SIGKILL: no shutdown, no flush; the database folder stays as the crash left it."""
    server.process.kill()
    server.process.wait()
    server.process = None
    server._log.close()
    server._log = None


def engine_config(backend: str, server: MeiliServer | None) -> dict:
    if backend == "sqlite":
        return {"SEARCH_BACKEND": "sqlite"}
    return {
        "SEARCH_BACKEND": "meilisearch",
        "MEILI_URL": server.url,
        "MEILI_MASTER_KEY": server.key,
        "MEILI_INDEX_PREFIX": "faults",
        "SEARCH_RETRY_BASE_SECONDS": 0.05,  # the worker retries soon after the engine is back
    }


@pytest.fixture
def search_app(request, make_app):
    """``search_app(backend, server)``: an app on that engine, empty tables, empty index."""
    contexts = []

    def build(backend: str, server: MeiliServer | None = None):
        app = make_app(**engine_config(backend, server))
        context = app.app_context()
        context.push()
        contexts.append(context)
        _reset_database(app)
        return app

    yield build
    for context in reversed(contexts):
        db.session.remove()
        context.pop()


def indexed_documents(app, doc_ids: set[str]) -> dict[str, dict]:
    """What Meilisearch holds under these document ids."""
    from search_index import get_backend

    backend = get_backend(app)
    index = backend.client.index(backend.uid)
    found = index.get_documents({"limit": 1000}).results
    return {doc.id: dict(doc) for doc in found if doc.id in doc_ids}


def expected_documents(ids: list[str]) -> dict[str, dict]:
    """The documents the database says these people should have now."""
    with db.engine.connect() as conn, sa.orm.Session(bind=conn) as session:
        docs, gone = documents.build(session, "person", ids)
    assert not gone
    return {doc["id"]: json.loads(json.dumps(doc)) for doc in docs}


def test_meilisearch_killed_during_a_stream_of_edits(search_app, meili):
    app = search_app("meilisearch", meili)
    paris = MissionFactory(code="PARIS", countries=["FR"])
    officer = UserFactory(embassy=True, mission=paris, email="officer@paris.example")
    people = [
        PersonFactory(
            full_name=f"Lê Văn Số {i}",
            consent_listed=False,
            provenance="mission",
            provenance_mission_id=paris.id,
        )
        for i in range(10)
    ]
    ids = [p.id for p in people]
    _token, raw = create_token(officer)
    db.session.commit()
    auth = {"Authorization": f"Bearer {raw}"}
    client = app.test_client()

    # The worker, as `flask search worker` runs it: a round, a short sleep, again.
    stop = threading.Event()

    def worker():
        while not stop.is_set():
            drain(app)
            time.sleep(0.05)

    thread = threading.Thread(target=worker, daemon=True)
    thread.start()
    try:
        wait_until(lambda: backlog()["pending"] == 0)
        assert client.get("/readyz").get_json()["checks"]["search"]["ok"] is True

        edits = 0
        for round_ in range(3):
            for i, person_id in enumerate(ids):
                if round_ == 1 and i == 3:
                    kill9(meili)
                    body = client.get("/readyz").get_json()
                    assert "search" in body["failing"]
                    assert body["checks"]["search"] == {"ok": False, "backend": "meilisearch"}
                response = client.patch(
                    f"/api/v1/people/{person_id}",
                    json={"city": f"Lyon {round_}-{i}"},
                    headers=auth,
                )
                assert response.status_code == 200, response.get_json()
                edits += 1
        assert edits == 30

        # Every edit committed, though the engine was down for most of them.
        db.session.expire_all()
        cities = dict(db.session.execute(sa.select(Person.id, Person.city)).all())
        assert all(cities[person_id] == f"Lyon 2-{i}" for i, person_id in enumerate(ids))
        assert backlog()["pending"] > 0
        response = client.get("/readyz")
        assert response.status_code == 503
        assert "search" in response.get_json()["failing"]

        # Back on the same port and database folder: the worker catches up.
        meili.start()
        wait_until(lambda: backlog()["pending"] == 0, timeout=60)
        wanted = expected_documents(ids)
        assert len(wanted) == 10
        wait_until(lambda: indexed_documents(app, set(wanted)) == wanted, timeout=30)
        body = client.get("/readyz").get_json()
        assert body["checks"]["search"]["ok"] is True
        assert body["checks"]["outbox"]["ok"] is True and body["checks"]["outbox"]["pending"] == 0
    finally:
        stop.set()
        thread.join(timeout=30)


def index_engine(app):
    """Where the embedded index lives (the app's SQLite database, or a file of its own)."""
    from search_index import get_backend

    return get_backend(app).engine


def search_names(client, text: str) -> set[str]:
    response = client.get("/api/v1/search", query_string={"q": text, "per_page": 100})
    assert response.status_code == 200, response.get_json()
    return {hit["full_name"] for hit in response.get_json()["hits"]}


@pytest.mark.parametrize("backend", ["meilisearch", "sqlite"])
def test_a_reindex_killed_midway_leaves_the_old_index_serving(
    backend, search_app, request, tmp_path
):
    server = request.getfixturevalue("meili") if backend == "meilisearch" else None
    app = search_app(backend, server)
    for i in range(12):
        PersonFactory(full_name=f"Trần Thị Hạnh {i}")
    db.session.commit()
    drain(app)
    client = app.test_client()
    before = search_names(client, "Hạnh")
    assert len(before) == 12

    overrides = {
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        **engine_config(backend, server),
    }
    db.session.remove()
    crash = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.faults.crash_reindex",
            app.instance_path,
            json.dumps(overrides),
            "5",  # documents per batch: the kill comes after the first 5
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        timeout=240,
    )
    assert crash.returncode == -9, crash.stderr.decode()[-2000:]
    assert "sent 5" in crash.stdout.decode()

    # The old index answers as before, complete.
    assert search_names(client, "Hạnh") == before
    if backend == "sqlite":
        with index_engine(app).connect() as conn:  # the half-built copy is beside it, unread
            assert conn.exec_driver_sql(
                "SELECT count(*) FROM sqlite_master WHERE name LIKE 'search_new_%'"
            ).scalar()

    # The next reindex completes and swaps in a full index (leaving nothing behind).
    from directory.search.sync import reindex

    assert reindex(app, batch_size=5, echo=lambda _line: None) == 12
    assert search_names(client, "Hạnh") == before
    if backend == "meilisearch":
        from search_index import get_backend

        uids = {i.uid for i in get_backend(app).client.get_indexes({"limit": 100})["results"]}
        assert not [uid for uid in uids if uid.startswith(f"{get_backend(app).uid}_")], uids
    else:
        with index_engine(app).connect() as conn:
            half_built = conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE name LIKE 'search_new_%'"
            ).all()
        assert half_built == []
