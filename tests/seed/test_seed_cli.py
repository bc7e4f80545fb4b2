"""``flask seed-demo [--people N] [--if-empty]`` on empty and non-empty databases."""

from __future__ import annotations

import sqlalchemy as sa

from directory.accounts.models import User
from directory.accounts.passwords import hash_password, verify_password
from directory.people.models import Person
from directory.seed.demo import seed_demo
from tests.conftest import _reset_database


def _people(db):
    return db.session.scalars(sa.select(Person)).all()


def _seed(runner, *args):
    result = runner.invoke(args=["seed-demo", *args])
    assert result.exit_code == 0, result.output
    return result


def test_people_option_sets_the_size(runner, db):
    result = runner.invoke(args=["seed-demo", "--people", "40"])
    assert result.exit_code == 0, result.output
    people = _people(db)
    assert len(people) == 40
    assert len({p.country for p in people}) >= 10


def test_if_empty_does_nothing_when_people_exist(runner, db):
    _seed(runner, "--people", "20")
    users = db.session.scalar(sa.select(sa.func.count(User.id)))
    before = len(_people(db))
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0
    assert "already" in result.output
    assert len(_people(db)) == before
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == users


def test_refuses_a_database_that_already_has_people(runner, db):
    _seed(runner, "--people", "20")
    before = len(_people(db))
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code != 0
    assert "already holds people" in result.output
    assert len(_people(db)) == before


def test_if_empty_seeds_an_empty_database(runner, db):
    result = runner.invoke(args=["seed-demo", "--if-empty", "--people", "20"])
    assert result.exit_code == 0, result.output
    assert len(_people(db)) == 20


def test_too_few_people_is_a_usage_error(runner, db):
    result = runner.invoke(args=["seed-demo", "--people", "2"])
    assert result.exit_code == 2
    assert _people(db) == []


def test_existing_accounts_are_kept(runner, db, app):
    db.session.add(
        User(email="admin@demo.kieubao.vn", role="admin", password_hash=hash_password("x" * 12))
    )
    db.session.commit()
    result = runner.invoke(args=["seed-demo", "--people", "20"])
    assert result.exit_code == 0, result.output
    admin = db.session.scalar(sa.select(User).where(User.email == "admin@demo.kieubao.vn"))
    assert verify_password(admin.password_hash, "x" * 12)
    assert "already existed" in result.output


def _history(db) -> list:
    """What the demo's history did, in terms that do not depend on the random record ids."""
    from directory.contacts.models import ContactRequest
    from directory.initiatives.models import Initiative
    from directory.needs.models import Need
    from directory.representatives.models import Nomination

    return [
        sorted((n.title, n.status, sorted(i.person.full_name for i in n.interests))
               for n in db.session.scalars(sa.select(Need))),
        sorted((r.person.full_name, r.requester.email, r.state)
               for r in db.session.scalars(sa.select(ContactRequest))),
        sorted((i.title, i.state) for i in db.session.scalars(sa.select(Initiative))),
        sorted((n.person.full_name, n.country, n.region, n.state)
               for n in db.session.scalars(sa.select(Nomination))),
    ]  # fmt: skip


def test_the_same_seed_gives_the_same_directory(app, db):
    seed_demo(people=25, seed=7)
    first = sorted((p.full_name, p.country, p.city) for p in _people(db))
    history = _history(db)
    assert all(history[:3])  # (too few people in Germany for its representatives)
    db.session.remove()
    _reset_database(app)
    seed_demo(people=25, seed=7)
    assert sorted((p.full_name, p.country, p.city) for p in _people(db)) == first
    assert _history(db) == history
