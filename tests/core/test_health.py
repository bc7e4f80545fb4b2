"""Liveness (`/healthz`) and readiness (`/readyz`): each part of readiness failing on its own
gives a 503 whose JSON body names it; neither asks to sign in, carries a CSRF token or counts
against a rate limit."""

from __future__ import annotations

from datetime import timedelta

import pytest

from directory.core.models import utcnow
from directory.extensions import db
from directory.search.outbox import SearchOutbox


@pytest.fixture
def ready_app(make_app, tmp_path):
    """An app on its own migrated database, with nothing waiting for the index."""
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'ready.sqlite3'}")
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    return app


def readyz(app):
    response = app.test_client().get("/readyz")
    return response.status_code, response.get_json()


def test_liveness_answers_without_the_database(make_app, tmp_path):
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'missing' / 'no.sqlite3'}")
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_ready_when_every_part_is(ready_app):
    status, body = readyz(ready_app)
    assert status == 200, body
    assert body["status"] == "ready"
    assert "failing" not in body
    assert all(check["ok"] for check in body["checks"].values())


def test_not_ready_without_a_database(make_app, tmp_path):
    # A folder that does not exist: SQLite cannot open the file.
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'missing' / 'no.sqlite3'}")
    status, body = readyz(app)
    assert status == 503
    assert "database" in body["failing"]
    assert body["checks"]["database"] == {"ok": False, "error": "OperationalError"}
    assert body["status"] == "unavailable"


def test_not_ready_when_migrations_are_behind(ready_app):
    with ready_app.app_context():
        result = ready_app.test_cli_runner().invoke(args=["db", "downgrade"])
        assert result.exit_code == 0, result.output
    status, body = readyz(ready_app)
    assert status == 503
    assert body["failing"] == ["migrations"]
    check = body["checks"]["migrations"]
    assert check["current"] != check["head"]


def test_not_ready_when_search_does_not_answer(ready_app, monkeypatch):
    from search_index import get_backend

    with ready_app.app_context():
        backend = get_backend()
    monkeypatch.setattr(backend, "health", lambda: False)
    status, body = readyz(ready_app)
    assert status == 503
    assert body["failing"] == ["search"]


def test_not_ready_when_search_raises(ready_app, monkeypatch):
    from search_index import get_backend
    from search_index.base import SearchUnavailable

    with ready_app.app_context():
        backend = get_backend()

    def down():
        raise SearchUnavailable("connection refused")

    monkeypatch.setattr(backend, "health", down)
    status, body = readyz(ready_app)
    assert status == 503
    assert body["checks"]["search"] == {"ok": False, "error": "SearchUnavailable"}


def _pending(app, n: int, age: timedelta = timedelta(0)) -> None:
    with app.app_context():
        app.config["SEARCH_SYNC_INLINE"] = False
        for i in range(n):
            db.session.add(
                SearchOutbox(entity_type="person", entity_id=f"{i:016d}", created_at=utcnow() - age)
            )
        db.session.commit()
        db.session.remove()


def test_not_ready_when_the_outbox_backlog_is_too_long(ready_app):
    ready_app.config["SEARCH_BACKLOG_MAX_PENDING"] = 2
    _pending(ready_app, 2)
    status, body = readyz(ready_app)
    assert status == 200, body
    assert body["checks"]["outbox"]["pending"] == 2

    _pending(ready_app, 1)
    status, body = readyz(ready_app)
    assert status == 503
    assert body["failing"] == ["outbox"]
    assert body["checks"]["outbox"]["pending"] == 3
    assert body["checks"]["outbox"]["max_pending"] == 2


def test_not_ready_when_a_change_waits_too_long(ready_app):
    ready_app.config["SEARCH_BACKLOG_MAX_SECONDS"] = 60
    _pending(ready_app, 1, age=timedelta(minutes=5))
    status, body = readyz(ready_app)
    assert status == 503
    assert body["failing"] == ["outbox"]
    assert body["checks"]["outbox"]["oldest_pending_seconds"] >= 300


@pytest.fixture
def app_wide_limits():
    """Limits on every route, taken off again: the extension keeps them across apps."""
    from directory.extensions import limiter

    yield {"RATELIMIT_DEFAULT": "2 per minute", "RATELIMIT_APPLICATION": "2 per minute"}
    limiter.limit_manager.set_application_limits([])
    limiter.limit_manager.set_default_limits([])


def test_checks_need_no_login_csrf_nor_count_against_rate_limits(
    make_app, tmp_path, app_wide_limits
):
    app = make_app(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'limits.sqlite3'}",
        RATELIMIT_ENABLED=True,
        WTF_CSRF_ENABLED=True,
        **app_wide_limits,
    )
    client = app.test_client()
    for _ in range(5):
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code in (200, 503)
    # The same limits do apply elsewhere: the checks are exempt, not the app unlimited.
    codes = [client.get("/privacy").status_code for _ in range(4)]
    assert 429 in codes
