"""``flask users totp`` (development and demo only) and ``flask users reset-2fa``; the demo
officials' documented TOTP secrets."""

from __future__ import annotations

import pathlib
import re

import pyotp
import sqlalchemy as sa

from directory.accounts import two_factor
from directory.audit import AuditEvent
from directory.seed.cast import DEMO_ACCOUNTS
from tests.accounts.conftest import make_user

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"


def test_users_totp_prints_the_current_code(app, runner, totp_clock):
    secret = pyotp.random_base32()
    make_user(email="dev@example.org", admin=True, totp_secret=secret)
    result = runner.invoke(args=["users", "totp", "--email", "dev@example.org"])
    assert result.exit_code == 0, result.output
    code = result.output.split()[0]
    assert code == pyotp.TOTP(secret).at(totp_clock.now)
    assert "valid 30 more seconds" in result.output
    totp_clock.advance(12)
    again = runner.invoke(args=["users", "totp", "--email", "dev@example.org"])
    assert "valid 18 more seconds" in again.output


def test_users_totp_is_refused_in_production_and_for_accounts_without_two_factor(app, runner):
    make_user(email="plain@example.org", admin=True)
    missing = runner.invoke(args=["users", "totp", "--email", "plain@example.org"])
    assert missing.exit_code != 0 and "has not set up two-factor" in missing.output
    unknown = runner.invoke(args=["users", "totp", "--email", "nobody@example.org"])
    assert unknown.exit_code != 0
    make_user(email="prod@example.org", admin=True, totp_secret=pyotp.random_base32())
    app.config["PRODUCTION"] = True
    refused = runner.invoke(args=["users", "totp", "--email", "prod@example.org"])
    assert refused.exit_code != 0 and "refused in production" in refused.output
    assert not re.search(r"\b\d{6}\b", refused.output)


def test_users_reset_2fa_is_the_operators_way_back_in(app, db, runner):
    user = make_user(email="locked.out@example.org", admin=True, totp_secret=pyotp.random_base32())
    result = runner.invoke(args=["users", "reset-2fa", "--email", "locked.out@example.org"])
    assert result.exit_code == 0, result.output
    db.session.refresh(user)
    assert user.totp_secret is None
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.totp_reset"))
    assert event.actor_id is None and event.object_id == user.id
    again = runner.invoke(args=["users", "reset-2fa", "--email", "locked.out@example.org"])
    assert again.exit_code != 0 and "no two-factor sign-in to reset" in again.output


def test_the_demo_officials_secrets_are_those_the_readme_lists():
    readme = README.read_text(encoding="utf-8")
    for account in DEMO_ACCOUNTS:
        row = next(line for line in readme.splitlines() if f"`{account.email}`" in line)
        if account.role == "member":
            assert account.totp_secret is None
            continue
        assert account.totp_secret, account.email
        pyotp.TOTP(account.totp_secret).now()  # a valid base32 secret
        assert f"`{account.totp_secret}`" in row, account.email


def test_the_seeded_demo_officials_are_enrolled(app, db):
    from directory.seed.builder import DemoBuilder
    from directory.seed.cast import DIRECTORY_ACCOUNTS, create_accounts

    builder = DemoBuilder.__new__(DemoBuilder)
    builder.users = {}
    builder.missions = {}
    officials = [a for a in DIRECTORY_ACCOUNTS if not a.mission]
    create_accounts(builder, officials, verified_at=two_factor.utcnow())
    db.session.commit()
    for account in officials:
        user = builder.users[account.email]
        assert user.totp_secret == account.totp_secret
        assert (user.totp_secret is not None) == (account.role != "member")
