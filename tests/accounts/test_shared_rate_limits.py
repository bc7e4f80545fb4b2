"""The login rate limit is one count for every worker and host when Redis keeps it
(``RATELIMIT_STORAGE_URI`` / ``REDIS_URL``), one per process in memory otherwise; session
cookies are Secure in production, HttpOnly and SameSite=Lax."""

from __future__ import annotations

import os
import uuid

import pytest

from directory.extensions import limiter
from tests.accounts.conftest import sign_in

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_prefix():
    """A key prefix of this test's own in Redis, its keys deleted afterwards."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(f"REQUIRE_REDIS=1 but no Redis answers at {REDIS_URL}")
        pytest.skip(f"no Redis at {REDIS_URL}")
    prefix = f"kieubao-test-{uuid.uuid4().hex}"
    saved = dict(limiter._storage_options)
    yield client, prefix
    # The extension keeps storage options across apps: give the next app the ones it had.
    limiter._storage_options.clear()
    limiter._storage_options.update(saved)
    limiter._storage_dead = False  # the next app's storage is a new one
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)
    client.close()


def limited_app(make_app, storage: str, prefix: str | None = None):
    options = {"key_prefix": prefix} if prefix else {}
    return make_app(
        RATELIMIT_ENABLED=True,
        LOGIN_RATE_LIMIT="3 per minute",
        RATELIMIT_STORAGE_URI=storage,
        RATELIMIT_STORAGE_OPTIONS=options,
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=not storage.startswith("memory"),
    )


def test_two_instances_sharing_redis_share_the_count(app, make_app, member, redis_prefix):
    client_redis, prefix = redis_prefix
    first = limited_app(make_app, REDIS_URL, prefix)
    with first.app_context():
        for _ in range(2):
            assert sign_in(first.test_client(), member.email, "wrong!").status_code == 401
    assert list(client_redis.scan_iter(f"{prefix}:*")), "the count is kept in Redis"

    # A second instance (its own storage connection, as another worker or host would have)
    # sees the two attempts: one more is allowed, then the limit holds.
    second = limited_app(make_app, REDIS_URL, prefix)
    client = second.test_client()
    assert sign_in(client, member.email, "wrong!").status_code == 401
    response = sign_in(client, member.email, "wrong!")
    assert response.status_code == 429
    assert "Quá nhiều lần thử" in response.get_data(as_text=True)


def test_in_memory_each_instance_counts_alone(app, make_app, member):
    first = limited_app(make_app, "memory://")
    for _ in range(3):
        assert sign_in(first.test_client(), member.email, "wrong!").status_code == 401
    assert sign_in(first.test_client(), member.email, "wrong!").status_code == 429
    second = limited_app(make_app, "memory://")
    assert sign_in(second.test_client(), member.email, "wrong!").status_code == 401


def test_redis_down_keeps_limiting_in_memory(app, make_app, member, redis_prefix):
    _, prefix = redis_prefix
    down = limited_app(make_app, "redis://127.0.0.1:1/0", prefix)
    client = down.test_client()
    codes = [sign_in(client, member.email, "wrong!").status_code for _ in range(5)]
    assert 500 not in codes
    assert codes[-1] == 429, codes


def test_the_storage_comes_from_the_environment(monkeypatch, tmp_path):
    from directory.config import from_environment

    for name in ("RATELIMIT_STORAGE_URI", "RATELIMIT_STORAGE_URL", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    assert from_environment(str(tmp_path))["RATELIMIT_STORAGE_URI"] == "memory://"
    monkeypatch.setenv("REDIS_URL", "redis://redis:6379/0")
    config = from_environment(str(tmp_path))
    assert config["RATELIMIT_STORAGE_URI"] == "redis://redis:6379/0"
    assert config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] is True
    monkeypatch.setenv("RATELIMIT_STORAGE_URL", "redis://other:6379/1")
    assert from_environment(str(tmp_path))["RATELIMIT_STORAGE_URI"] == "redis://other:6379/1"


def test_production_session_cookies(monkeypatch, tmp_path):
    from directory import create_app

    monkeypatch.setenv("PRODUCTION", "1")
    monkeypatch.setenv("SECRET_KEY", "k" * 64)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'prod.sqlite3'}")
    monkeypatch.delenv("MEILI_URL", raising=False)
    monkeypatch.delenv("SEARCH_BACKEND", raising=False)
    app = create_app({"LOG_CONFIGURE": False})
    config = app.config
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert config["REMEMBER_COOKIE_SECURE"] is True
    assert config["REMEMBER_COOKIE_HTTPONLY"] is True
    assert config["REMEMBER_COOKIE_SAMESITE"] == "Lax"

    # The cookie as sent: over HTTPS, with every flag.
    client = app.test_client()
    client.post("/lang/en", data={"next": "/"}, base_url="https://kieubao.example")
    cookie = client.get_cookie("session", domain="kieubao.example")
    assert cookie is not None
    assert cookie.secure and cookie.http_only and cookie.same_site == "Lax"
    with app.app_context():
        from directory.extensions import db

        db.session.remove()
        db.engine.dispose()


def test_behind_a_trusted_proxy_each_client_counts_alone(app, make_app, member):
    behind = make_app(
        RATELIMIT_ENABLED=True,
        LOGIN_RATE_LIMIT="2 per minute",
        RATELIMIT_STORAGE_URI="memory://",
        TRUSTED_PROXIES=1,
    )
    client = behind.test_client()

    def attempt(address):
        return client.post(
            "/login",
            data={"email": member.email, "password": "wrong!"},
            headers={"X-Forwarded-For": address},
        ).status_code

    assert [attempt("203.0.113.7") for _ in range(3)] == [401, 401, 429]
    # Another client behind the same load balancer is not locked out by the first.
    assert attempt("198.51.100.9") == 401
