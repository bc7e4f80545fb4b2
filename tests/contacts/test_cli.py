"""``flask contact-requests expire``, and the search worker that runs the same expiry."""

from __future__ import annotations

from datetime import timedelta

from directory.contacts.models import ContactRequest
from directory.core.models import utcnow


def _age(db, contact_request, days: int) -> None:
    contact_request.created_at = utcnow() - timedelta(days=days)
    contact_request.expires_at = contact_request.created_at + timedelta(days=30)
    db.session.commit()


def test_the_command_expires_requests_older_than_30_days(parties, ask, db, runner, mail_outbox):
    old = ask()
    recent = ask(by=parties.embassy)
    _age(db, old, 31)
    _age(db, recent, 29)

    result = runner.invoke(args=["contact-requests", "expire"])

    assert result.exit_code == 0, result.output
    assert f"expired {old.id}" in result.output
    assert "1 contact request(s) expired" in result.output
    db.session.expire_all()
    assert db.session.get(ContactRequest, old.id).state == "expired"
    assert db.session.get(ContactRequest, recent.id).state == "pending"
    again = runner.invoke(args=["contact-requests", "expire"])
    assert "0 contact request(s) expired" in again.output


def test_the_search_worker_expires_them_too(parties, ask, db, runner):
    old = ask()
    _age(db, old, 40)

    result = runner.invoke(args=["search", "worker", "--once"])

    assert result.exit_code == 0, result.output
    assert "expired 1 contact request(s)" in result.output
    db.session.expire_all()
    assert db.session.get(ContactRequest, old.id).state == "expired"


def test_the_worker_runs_the_expiry_at_most_once_an_hour(parties, ask, db, app):
    from directory.search.cli import expiry_chore

    chore = expiry_chore(app, every=3600)
    chore()
    old = ask()
    _age(db, old, 40)
    chore()  # within the hour: not yet
    db.session.expire_all()
    assert db.session.get(ContactRequest, old.id).state == "pending"
    expiry_chore(app, every=0)()
    db.session.expire_all()
    assert db.session.get(ContactRequest, old.id).state == "expired"
