"""The role × action matrix of contact requests, and the list query that mirrors it."""

from __future__ import annotations

import pytest

from directory import policy
from directory.contacts import services

ACTORS = (
    "anonymous",
    "officer",
    "other_officer",
    "embassy",
    "admin",
    "member",
    "other_member",
)
OFFICIALS = {"officer", "other_officer", "embassy", "admin"}

# (action, target, actors allowed). Targets: "member" (the asked person's profile), "request"
# (the officer's pending request to the member), None.
MATRIX = [
    ("contact_request.create", "member", OFFICIALS),
    ("contact_request.create", "anonymised", set()),
    ("contact_request.list", None, OFFICIALS | {"member", "other_member"}),
    ("contact_request.view", "request", {"officer", "member", "admin"}),
    ("contact_request.answer", "request", {"member"}),
    ("contact_request.withdraw", "request", {"officer"}),
    ("contact_request.contact_view", "request", {"officer"}),
    ("notice.read", "notice", {"member"}),
]


@pytest.fixture
def actors(parties):
    return {
        "anonymous": None,
        "officer": parties.officer,
        "other_officer": parties.other_officer,
        "embassy": parties.embassy,
        "admin": parties.admin,
        "member": parties.member,
        "other_member": parties.other_member,
    }


@pytest.fixture
def targets(parties, ask, db):
    from directory.core.models import utcnow
    from directory.notices.services import notify
    from tests.factories import PersonFactory

    contact_request = ask()
    notice = notify(parties.member, "contact_request.received", request_id=contact_request.id)
    db.session.commit()
    return {
        "member": parties.member_person,
        "anonymised": PersonFactory(anonymised_at=utcnow()),
        "request": contact_request,
        "notice": notice,
        None: None,
    }


@pytest.mark.parametrize(
    ("action", "target", "allowed"), MATRIX, ids=[f"{a}-{t}" for a, t, _ in MATRIX]
)
def test_role_action_matrix(actors, targets, action, target, allowed):
    decided = {name: policy.can(user, action, targets[target]) for name, user in actors.items()}
    assert {name for name, ok in decided.items() if ok} == allowed


def test_the_matrix_covers_every_contact_request_and_notice_action():
    covered = {action for action, _target, _allowed in MATRIX}
    ours = {a for a in policy.actions() if a.startswith(("contact_request.", "notice."))}
    assert ours == covered


def test_an_official_may_not_ask_about_their_own_profile(parties, db):
    from tests.factories import PersonFactory

    own = PersonFactory(full_name="Nguyễn Thị Lan")
    parties.officer.person_id = own.id
    db.session.commit()
    assert not policy.can(parties.officer, "contact_request.create", own)
    assert policy.can(parties.officer, "contact_request.create", parties.other_person)


def test_the_list_query_agrees_with_the_view_rule(actors, targets, db):
    contact_request = targets["request"]
    for name, user in actors.items():
        listed = contact_request in db.session.scalars(services.requests_for(user)).all()
        assert listed is policy.can(user, "contact_request.view", contact_request), name


def test_an_inactive_account_sees_nothing(parties, targets, db):
    parties.officer.is_active_flag = False
    db.session.commit()
    assert not policy.can(parties.officer, "contact_request.view", targets["request"])
    assert db.session.scalars(services.requests_for(parties.officer)).all() == []
