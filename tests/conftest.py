"""Fixtures: app, db, client, runner, login — on SQLite, or PostgreSQL with TEST_DB=postgres.

The schema is created once per session; each test starts from empty tables plus the reference
data (provinces, field taxonomy). ``TEST_DB=postgres`` runs the whole suite on
``TEST_DATABASE_URL``; tests marked ``postgres`` always use it (skipped without it unless
``REQUIRE_POSTGRES=1``).
"""

from __future__ import annotations

import os
import tempfile
import time

import pyotp
import pytest
import sqlalchemy as sa
from flask import g, has_app_context
from flask.testing import FlaskClient

from directory import create_app
from directory.extensions import db as _db

PG_URL = os.environ.get("TEST_DATABASE_URL")
ON_POSTGRES = os.environ.get("TEST_DB") == "postgres"
_SESSION_DIR = tempfile.mkdtemp(prefix="kieubao-tests-")


def pytest_configure(config):
    from directory.i18n import compile_catalogs

    compile_catalogs()
    if ON_POSTGRES and not PG_URL:
        raise pytest.UsageError("TEST_DB=postgres needs TEST_DATABASE_URL")


def pytest_collection_modifyitems(config, items):
    if PG_URL:
        return
    if os.environ.get("REQUIRE_POSTGRES") == "1":
        return  # the postgres fixtures fail loudly instead
    skip = pytest.mark.skip(reason="TEST_DATABASE_URL not set (PostgreSQL)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


def database_url() -> str:
    if ON_POSTGRES:
        return PG_URL
    return f"sqlite:///{os.path.join(_SESSION_DIR, 'test.sqlite3')}"


def test_config(instance_path: str, **overrides) -> dict:
    """The configuration every test app gets (fast hashing, no CSRF, no rate limits)."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url(),
        "INSTANCE_PATH": instance_path,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "ARGON2_FAST": True,
        "SEARCH_BACKEND": "sqlite",
        "MEILI_URL": None,
        "MAIL_SERVER": None,
        "SERVER_NAME": "localhost",
        "BASE_URL": "http://localhost",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    }
    config.update(overrides)
    return config


_schema_ready = False


def _reset_database(app) -> None:
    """Empty every table (fast), then reload reference data."""
    global _schema_ready
    from directory.reference.loader import sync_reference_data

    engine = _db.engine
    if not _schema_ready:
        if ON_POSTGRES:
            with engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        else:
            _db.drop_all()
        _db.create_all()
        _schema_ready = True
    tables = list(reversed(_db.metadata.sorted_tables))
    with engine.begin() as conn:
        if ON_POSTGRES:
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            conn.execute(sa.text("PRAGMA foreign_keys=OFF"))
            for table in tables:
                conn.execute(table.delete())
            conn.execute(sa.text("PRAGMA foreign_keys=ON"))
    search_reset = app.extensions.get("search_reset")
    if search_reset:
        search_reset()
    sync_reference_data()


class IsolatedClient(FlaskClient):
    """A test client whose requests each start with a fresh ``g``.

    Tests keep an app context pushed so that they can use the database; Flask then reuses
    it for requests, and ``g`` (current user, locale) would leak from one request to the next.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            g.__dict__.clear()
        return super().open(*args, **kwargs)


@pytest.fixture
def make_app(tmp_path):
    """Build an app with extra config (the per-test database is already clean)."""
    apps = []

    def factory(**overrides):
        app = create_app(test_config(str(tmp_path / f"instance{len(apps)}"), **overrides))
        app.test_client_class = IsolatedClient
        apps.append(app)
        return app

    yield factory
    for app in apps:
        with app.app_context():
            _db.session.remove()
            _db.engine.dispose()


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.app_context():
        _reset_database(app)
        yield app
        _db.session.remove()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class SteppingClock:
    """The time second-factor codes are checked against: the real time, plus an offset that
    ``advance`` moves on (as if one had waited for the authenticator's next code)."""

    def __init__(self):
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@pytest.fixture(autouse=True)
def totp_test_clock(monkeypatch):
    """Every test checks second-factor codes against a SteppingClock (tests that freeze the
    clock replace it with theirs)."""
    from directory.accounts import two_factor

    clock = SteppingClock()
    monkeypatch.setattr(two_factor, "totp_clock", clock)
    return clock


def next_totp_code(user) -> str:
    """A code from ``user``'s authenticator that the app will accept now.

    Each code signs in once: when the codes of this moment are used up (several sign-ins of
    one account within a few seconds), the second-factor clock moves on to the next one.
    """
    from directory.accounts import two_factor
    from directory.accounts.models import User

    secret, last = _db.session.execute(
        sa.select(User.totp_secret, User.totp_last_step).where(User.id == user.id)
    ).one()
    assert secret, f"{user.email} has not set up two-factor sign-in"
    clock = two_factor.totp_clock
    interval = pyotp.TOTP(secret).interval
    current = int(clock()) // interval
    step = current if last is None else max(current, last + 1)
    if step > current + 1:  # beyond the one step of drift the app allows: wait for it
        clock.advance((step - current) * interval)
    return pyotp.TOTP(secret).at(step * interval)


def sign_in_client(client, user, fresh: bool = True):
    """Sign ``client`` in as ``user`` without the password round-trip, but with the real
    second step for those who need it (officials): a TOTP code computed from the user's
    secret, sent to ``/login/code``. An official not yet enrolled is enrolled first."""
    from directory.accounts import two_factor

    if not user.totp_secret and not two_factor.required_for(user):
        with client.session_transaction() as sess:
            sess["_user_id"] = user.id
            sess["_fresh"] = fresh
        return client
    if not user.totp_secret:
        user.totp_secret = pyotp.random_base32()
        _db.session.commit()
    code = next_totp_code(user)
    with client.session_transaction() as sess:
        for key in ("_user_id", "_fresh", two_factor.VERIFIED_KEY):
            sess.pop(key, None)
        # Where a correct password leaves the sign-in (accounts.views.login).
        sess["totp_user"] = user.id
        sess["totp_at"] = int(time.time())
    # The sign-in itself is not what a test with CSRF switched on is about.
    config = client.application.config
    csrf = config.get("WTF_CSRF_ENABLED", True)
    config["WTF_CSRF_ENABLED"] = False
    try:
        response = client.post("/login/code", data={"code": code})
    finally:
        config["WTF_CSRF_ENABLED"] = csrf
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    if not fresh:
        with client.session_transaction() as sess:
            sess["_fresh"] = False
    return client


@pytest.fixture
def login(client):
    """``login(user)`` signs the test client in as ``user`` (no password round-trip; the
    second factor, for officials, through the real code step: ``sign_in_client``)."""

    def do_login(user, fresh: bool = True):
        return sign_in_client(client, user, fresh)

    return do_login


@pytest.fixture
def pg_url():
    """The PostgreSQL URL; fails under REQUIRE_POSTGRES=1 when missing."""
    if not PG_URL:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set")
        pytest.skip("TEST_DATABASE_URL not set")
    return PG_URL


@pytest.fixture
def mail_outbox(app):
    """The ``.eml`` messages written during the test, parsed."""
    import email
    from email import policy

    from directory.core.mail import outbox_messages

    def read():
        msgs = []
        for path in outbox_messages():
            with open(path, "rb") as fh:
                msgs.append(email.message_from_binary_file(fh, policy=policy.default))
        return msgs

    return read


@pytest.fixture
def pg_app(pg_url, make_app, request):
    """An app on PostgreSQL with a fresh schema (the session's app when the suite runs there)."""
    if ON_POSTGRES:
        yield request.getfixturevalue("app")
        return
    from directory.reference.loader import sync_reference_data

    app = make_app(SQLALCHEMY_DATABASE_URI=pg_url)
    with app.app_context():
        with _db.engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        _db.create_all()
        sync_reference_data()
        yield app
        _db.session.remove()


@pytest.fixture(params=["suite_db", pytest.param("postgres", marks=pytest.mark.postgres)])
def race_app(request):
    """The app a race runs on: the suite's (its SQLite file, or PostgreSQL with
    TEST_DB=postgres), then PostgreSQL (tests/races.py sends the requests)."""
    if request.param == "postgres":
        return request.getfixturevalue("pg_app")
    return request.getfixturevalue("app")


@pytest.fixture
def cast(db):
    """One user of each role and the records they act on (``tests.factories.make_cast``)."""
    from tests.factories import make_cast

    return make_cast()
