"""Account fixtures: users with real (fast) password hashes, mail link helpers."""

from __future__ import annotations

import re

import pytest

from directory.accounts.passwords import hash_password
from tests.factories import MissionFactory, PersonFactory, UserFactory  # noqa: F401

PASSWORD = "correct horse battery"


def make_user(password: str = PASSWORD, **kwargs):
    """A user whose password is ``password``."""
    return UserFactory(password_hash=hash_password(password), **kwargs)


@pytest.fixture
def member(app):
    return make_user(email="member@example.org")


@pytest.fixture
def admin_user(app):
    return make_user(email="admin@example.org", admin=True)


@pytest.fixture
def embassy_officer(app):
    mission = MissionFactory(code="FR-PAR", name="Đại sứ quán tại Pháp", countries=["FR", "MC"])
    return make_user(email="officer@example.org", role="embassy", mission=mission)


def mail_text(msg) -> str:
    """The plain-text body of a parsed message."""
    return msg.get_body(preferencelist=("plain",)).get_content()


def link_in(msg, path: str) -> str:
    """The path of the first link to ``/<path>/…`` in the message (host removed)."""
    match = re.search(rf"https?://[^/\s]+(/{path}/[A-Za-z0-9_\-]+)", mail_text(msg))
    assert match, f"no /{path}/ link in: {mail_text(msg)}"
    return match.group(1)


def sign_in(client, email: str, password: str = PASSWORD, **extra):
    return client.post("/login", data={"email": email, "password": password, **extra})


class FrozenClock:
    """The time second-factor codes are checked against, moved by hand."""

    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def totp_clock(monkeypatch):
    """Freeze the second-factor clock at the start of a 30-second step."""
    from directory.accounts import two_factor

    clock = FrozenClock(1_767_225_600.0)  # 2026-01-01T00:00:00Z, a step boundary
    monkeypatch.setattr(two_factor, "totp_clock", clock)
    return clock
