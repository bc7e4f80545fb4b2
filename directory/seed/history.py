"""The demo's history: who acts in it, when, and whom they deal with.

Once the directory is committed, ``seed_demo`` replays a few months of the product's use through
the domains' services (needs, interest, shortlists, contact requests, initiatives, nominations,
claim invitations, an import): each step runs inside ``as_of(moment)``, so that the records,
their audit events and the members' notices carry the day it happened, and inside
``mail.suppressed()``, so that nobody is emailed about it. The people it involves are chosen by
stable keys (name key, then email), never by random ids, so that the same seed gives the same
history.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from directory import policy
from directory.accounts.models import User
from directory.extensions import db
from directory.people.models import Person
from directory.seed.builder import DemoBuilder
from directory.seed.cast import FIXED_PEOPLE, HISTORY_ACCOUNTS, DemoAccount, create_accounts

# The hand-written profiles' emails: the history picks its other people among the rest.
FIXED_EMAILS = {p.email for p in FIXED_PEOPLE if p.email}


@dataclass
class Actors:
    """The demo accounts that act in the history, and the start of the seed (``now``)."""

    now: datetime
    admin: User
    officer: User  # Đà Nẵng
    approver: User  # Đà Nẵng
    paris: User
    berlin: User | None
    member: User  # Lê Thị Thu Hà
    expert: User  # Võ Thành Nhân

    def ago(self, days: float, hours: float = 0) -> datetime:
        """The moment ``days`` (and ``hours``) before the seed started."""
        return self.now - timedelta(days=days, hours=hours)


def _user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email))


def _fits(user: User | None, account: DemoAccount) -> bool:
    """The account exists with the role and scope the history expects of it (an account that
    existed before the seed may not)."""
    if user is None or user.role != account.role or not user.is_active:
        return False
    if account.province and user.province_slug != account.province:
        return False
    if account.mission and (user.mission is None or user.mission.code != account.mission):
        return False
    return account.approver == bool(user.is_approver)


def history_accounts(builder: DemoBuilder) -> list[DemoAccount]:
    """Create the accounts only the history needs (dated like the others); those skipped."""
    return create_accounts(builder, HISTORY_ACCOUNTS, verified_at=builder.now - timedelta(days=380))


def actors(now: datetime) -> Actors | None:
    """The demo accounts, or None when one of them is missing or not what the history expects."""
    from directory.seed.cast import DEMO_ACCOUNTS

    found = {}
    for account in DEMO_ACCOUNTS:
        user = _user(account.email)
        found[account.email.split("@")[0]] = user if _fits(user, account) else None
    if found["member"] is not None and found["member"].person is None:
        found["member"] = None
    if found["expert"] is not None and found["expert"].person is None:
        found["expert"] = None
    required = ("admin", "danang", "danang.approver", "paris", "member", "expert")
    if any(found[key] is None for key in required):
        return None
    return Actors(
        now=now,
        admin=found["admin"],
        officer=found["danang"],
        approver=found["danang.approver"],
        paris=found["paris"],
        berlin=found["berlin"],
        member=found["member"],
        expert=found["expert"],
    )


# --- the people the history deals with ---------------------------------------------------------


def people(
    where: Iterable = (),
    *,
    member: bool = False,
    keep: Callable[[Person], bool] | None = None,
) -> list[Person]:
    """Generated profiles (not the hand-written ones) matching ``where``, in a stable order:
    those from Đà Nẵng first, then by name key. ``member``: only claimed profiles (an account
    to answer with). ``keep``: a further test in Python (JSON lists, policy)."""
    query = (
        sa.select(Person)
        .where(Person.anonymised_at.is_(None), *where)
        .options(selectinload(Person.user))
        .order_by(
            sa.case((Person.hometown_province == "da-nang", 0), else_=1),
            Person.name_key,
            Person.email,
        )
    )
    if member:
        query = query.where(sa.exists().where(User.person_id == Person.id))
    found = []
    for person in db.session.scalars(query):
        if person.email in FIXED_EMAILS:
            continue
        if keep is None or keep(person):
            found.append(person)
    return found


def askable_by(official: User) -> Callable[[Person], bool]:
    """A test: ``official`` may send this member a contact request (the service's own rules:
    the profile is visible to them, listed, open to contact requests, with an account)."""

    def test(person: Person) -> bool:
        return (
            person.user is not None
            and person.consent_listed
            and person.consent_contact
            and person.contact_requests_enabled
            and policy.can(official, "contact_request.create", person)
        )

    return test


def in_fields(codes: Iterable[str], *, exclude: Iterable[str] = ()) -> Callable[[Person], bool]:
    """A test: the person works in one of ``codes`` and in none of ``exclude``."""
    wanted, unwanted = set(codes), set(exclude)

    def test(person: Person) -> bool:
        fields = set(person.fields or ())
        return bool(fields & wanted) and not fields & unwanted

    return test


def both(*tests: Callable[[Person], bool]) -> Callable[[Person], bool]:
    return lambda person: all(test(person) for test in tests)


def pick(candidates: list[Person], taken: set[str]) -> Person | None:
    """The first candidate not ``taken`` yet (then taken)."""
    for person in candidates:
        if person.id not in taken:
            taken.add(person.id)
            return person
    return None
