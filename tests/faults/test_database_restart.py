"""PostgreSQL restarted under load: the requests caught by the outage get a clean 503 (the
API's error JSON, a page for people), none a 500, and the same process serves again once the
database is back, without a restart.

The cluster is the test's own (``throwaway_postgres``), never the shared server.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request

import pytest
import sqlalchemy as sa

from directory.extensions import db
from tests.faults.conftest import serve


@pytest.fixture
def outage_app(throwaway_postgres, make_app):
    from directory.reference.loader import sync_reference_data

    app = make_app(SQLALCHEMY_DATABASE_URI=throwaway_postgres.url)
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        db.create_all()
        sync_reference_data()
        yield app
        db.session.remove()


def fetch(url: str, method: str = "GET", body: dict | None = None, headers: dict | None = None):
    """(status, content type, body text) of a real HTTP request."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return (
                response.status,
                response.headers.get("Content-Type", ""),
                response.read().decode(),
            )
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read().decode()


def test_requests_during_a_restart_get_a_503_and_the_app_recovers(outage_app, throwaway_postgres):
    from directory.accounts.tokens import create_token
    from tests.factories import make_cast

    cast = make_cast()
    _token, raw = create_token(cast.embassy)
    person_id = cast.unclaimed.id
    db.session.commit()
    db.session.remove()
    auth = {"Authorization": f"Bearer {raw}", "Accept-Language": "en"}

    with serve(outage_app) as base:
        requests = {
            "api_read": lambda: fetch(f"{base}/api/v1/associations", headers=auth),
            "page": lambda: fetch(f"{base}/associations", headers={"Accept-Language": "en"}),
            "api_write": lambda i: fetch(
                f"{base}/api/v1/people/{person_id}",
                "PATCH",
                {"city": f"Lyon {i}"},
                auth,
            ),
        }
        # Before: everything answers.
        assert requests["api_read"]()[0] == 200
        assert requests["page"]()[0] == 200
        assert requests["api_write"](0)[0] == 200

        results: list[tuple[str, float, tuple]] = []
        stop = threading.Event()

        def load(kind: str) -> None:
            i = 0
            while not stop.is_set():
                i += 1
                started = time.monotonic()
                call = requests[kind]
                result = call(i) if kind == "api_write" else call()
                results.append((kind, started, result))

        threads = [
            threading.Thread(target=load, args=(kind,), daemon=True)
            for kind in ("api_read", "api_read", "page", "api_write")
        ]
        for thread in threads:
            thread.start()
        time.sleep(0.5)
        down_at = time.monotonic()
        throwaway_postgres.stop("fast")  # in-flight transactions are cut off
        time.sleep(1.0)
        throwaway_postgres.start()
        up_at = time.monotonic()
        time.sleep(0.5)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        assert not any(thread.is_alive() for thread in threads)

        statuses = {(kind, result[0]) for kind, _t, result in results}
        assert {status for _kind, status in statuses} <= {200, 503}, sorted(statuses)
        during = [(kind, result) for kind, t, result in results if down_at <= t < up_at]
        outage = [(kind, result) for kind, result in during if result[0] == 503]
        assert {kind for kind, _result in outage} == {"api_read", "page", "api_write"}, statuses
        for kind, (_status, content_type, body) in outage:
            if kind == "page":
                assert content_type.startswith("text/html")
                assert "briefly unavailable" in body and "Try again" in body
            else:
                assert content_type == "application/json"
                error = json.loads(body)["error"]
                assert error["code"] == "database_unavailable"
                assert "Nothing was saved" in error["message"]

        # After: the same process answers again, at once, every kind of request.
        for i in range(5):
            assert requests["api_read"]()[0] == 200
            assert requests["page"]()[0] == 200
            status, _type, body = requests["api_write"](1000 + i)
            assert status == 200, body
        assert json.loads(body)["city"] == "Lyon 1004"


def test_a_page_names_the_outage_in_the_readers_language(outage_app, throwaway_postgres):
    """Vietnamese by default, with Retry-After; the page needs no database to be drawn."""
    with serve(outage_app) as base:
        throwaway_postgres.stop("fast")
        try:
            request = urllib.request.Request(f"{base}/associations")
            with pytest.raises(urllib.error.HTTPError) as caught:
                urllib.request.urlopen(request, timeout=30)
            page = caught.value.read().decode()
            assert caught.value.code == 503
            assert caught.value.headers["Retry-After"] == "30"
            assert "Danh bạ tạm thời không hoạt động" in page
            status, _type, body = fetch(f"{base}/readyz")
            assert status == 503 and "database" in json.loads(body)["failing"]
        finally:
            throwaway_postgres.start()
        assert fetch(f"{base}/associations")[0] == 200


@pytest.mark.parametrize(
    ("orig", "invalidated", "unavailable"),
    [
        ("AdminShutdown", False, True),  # 57P01: the server is shutting down
        ("CannotConnectNow", False, True),  # 57P03: starting up
        ("ConnectionFailure", False, True),  # 08006
        ("OperationalError", False, True),  # psycopg: could not connect at all (no state)
        ("UndefinedTable", False, False),  # 42P01: a bug, stays a 500
        ("UniqueViolation", False, False),  # 23505
        ("UniqueViolation", True, True),  # whatever it says, the connection was lost
    ],
)
def test_which_database_errors_mean_unavailable(orig, invalidated, unavailable):
    import psycopg
    from sqlalchemy.exc import DBAPIError

    from directory.core.errors import database_unavailable

    error_class = getattr(psycopg.errors, orig, None) or getattr(psycopg, orig)
    exc = DBAPIError.instance("SELECT 1", {}, error_class("x"), psycopg.Error)
    exc.connection_invalidated = invalidated
    assert database_unavailable(exc) is unavailable
