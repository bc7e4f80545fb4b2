"""``flask users create`` and ``flask users token``."""

from __future__ import annotations

import sqlalchemy as sa

from directory.accounts.models import User
from directory.accounts.passwords import verify_password
from directory.accounts.tokens import authenticate, authenticate_token
from tests.factories import MissionFactory, PersonFactory


def count_users(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User))


def test_create_an_embassy_officer(runner, db):
    MissionFactory(code="FR-PAR", countries=["FR", "MC"])
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "Officer@Example.org",
            "--password",
            "long enough pw",
            "--role",
            "embassy",
            "--mission",
            "fr-par",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User))
    assert user.email == "officer@example.org" and user.mission.code == "FR-PAR"
    assert verify_password(user.password_hash, "long enough pw")
    assert user.email_verified_at is not None


def test_create_a_province_approver_and_a_member_linked_to_a_profile(runner, db):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "dn@example.org",
            "--password",
            "long enough pw",
            "--role",
            "province",
            "--province",
            "da-nang",
            "--approver",
        ]
    )
    assert result.exit_code == 0, result.output
    person = PersonFactory()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "m@example.org",
            "--password",
            "long enough pw",
            "--role",
            "member",
            "--person",
            person.id,
        ]
    )
    assert result.exit_code == 0, result.output
    approver = db.session.scalar(sa.select(User).where(User.email == "dn@example.org"))
    assert approver.is_approver and approver.province_slug == "da-nang"
    member = db.session.scalar(sa.select(User).where(User.email == "m@example.org"))
    assert member.person_id == person.id


def test_bad_input_exits_non_zero_and_writes_nothing(runner, db):
    cases = [
        ["--role", "embassy"],  # no mission
        ["--role", "embassy", "--mission", "NOPE"],  # unknown mission
        ["--role", "province", "--province", "atlantis"],
        ["--role", "member", "--approver"],
        ["--role", "member", "--person", "doesnotexist"],
        ["--role", "king"],
    ]
    for extra in cases:
        result = runner.invoke(
            args=["users", "create", "--email", "x@example.org", "--password", "long enough pw"]
            + extra
        )
        assert result.exit_code != 0, extra
        assert "Error" in result.output or "error" in result.output.lower(), extra
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "not-an-email",
            "--password",
            "long enough pw",
            "--role",
            "admin",
        ]
    )
    assert result.exit_code != 0 and "--email" in result.output
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "a@example.org",
            "--password",
            "short",
            "--role",
            "admin",
        ]
    )
    assert result.exit_code != 0 and "10 characters" in result.output
    assert count_users(db) == 0


def test_duplicate_email_is_refused(runner, db):
    args = [
        "users",
        "create",
        "--email",
        "a@example.org",
        "--password",
        "long enough pw",
        "--role",
        "admin",
    ]
    assert runner.invoke(args=args).exit_code == 0
    result = runner.invoke(args=args)
    assert result.exit_code != 0 and "already exists" in result.output
    assert count_users(db) == 1


def test_token_is_printed_as_the_last_line_and_works(runner, db):
    runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "a@example.org",
            "--password",
            "long enough pw",
            "--role",
            "admin",
        ]
    )
    result = runner.invoke(args=["users", "token", "--email", "a@example.org"])
    assert result.exit_code == 0
    raw = result.output.strip().splitlines()[-1]
    assert authenticate(raw).email == "a@example.org"
    token = authenticate_token(raw)
    assert token.scope == "write"  # the user's full rights unless --scope read
    assert 89 <= (token.expires_at - token.created_at).days <= 90
    result = runner.invoke(
        args=["users", "token", "--email", "a@example.org", "--scope", "read", "--days", "7"]
    )
    assert result.exit_code == 0, result.output
    token = authenticate_token(result.output.strip().splitlines()[-1])
    assert token.scope == "read" and 6 <= (token.expires_at - token.created_at).days <= 7
    refused = runner.invoke(args=["users", "token", "--email", "a@example.org", "--days", "0"])
    assert refused.exit_code != 0


def test_token_for_an_unknown_user_fails(runner):
    result = runner.invoke(args=["users", "token", "--email", "ghost@example.org"])
    assert result.exit_code != 0 and "ghost@example.org" in result.output
