"""The role × action matrix of the initiative rules, and the SQL twin of "initiative.view"."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from directory import policy
from directory.extensions import db
from directory.initiatives.models import Initiative
from directory.policy.initiatives import initiative_view_clause
from tests.initiatives.conftest import ROLES

DA_NANG = {"officer", "colleague", "approver"}
# (action, target, roles allowed). Targets: "danang" (of the member, assigned to colleague),
# "central" (of the member, to the central body, assigned to the admin), None.
MATRIX = [
    ("initiative.submit", None, {"member", "other_member"}),
    ("initiative.list_own", None, {"member", "other_member"}),
    ("initiative.inbox", None, DA_NANG | {"other_officer", "other_approver", "admin"}),
    ("initiative.view", "danang", DA_NANG | {"member", "admin"}),
    ("initiative.view", "central", {"member", "admin"}),
    ("initiative.view_internal", "danang", DA_NANG | {"admin"}),
    ("initiative.view_internal", "central", {"admin"}),
    ("initiative.triage", "danang", DA_NANG),
    ("initiative.triage", "central", {"admin"}),
    ("initiative.assign", "danang", DA_NANG),
    ("initiative.assign", "central", {"admin"}),
    ("initiative.forward", "danang", DA_NANG),
    ("initiative.forward", "central", {"admin"}),
    ("initiative.assignee", "danang", DA_NANG),
    ("initiative.assignee", "central", {"admin"}),
    ("initiative.review", "danang", {"colleague", "approver"}),
    ("initiative.review", "central", {"admin"}),
    ("initiative.answer", "danang", {"colleague", "approver"}),
    ("initiative.answer", "central", {"admin"}),
    ("initiative.adopt", "danang", {"approver"}),
    ("initiative.adopt", "central", {"admin"}),
    ("initiative.decline", "danang", {"approver"}),
    ("initiative.decline", "central", {"admin"}),
    ("initiative.withdraw", "danang", {"member"}),
    ("initiative.withdraw", "central", {"member"}),
    ("initiative.note", "danang", DA_NANG),
    ("initiative.note", "central", {"admin"}),
]


@pytest.fixture
def targets(cast, initiative_in):
    return {
        "danang": initiative_in("under_review"),
        "central": initiative_in("under_review", province_slug=None, assignee_id=cast["admin"].id),
        None: None,
    }


@pytest.mark.parametrize(
    ("action", "target", "allowed"), MATRIX, ids=[f"{a}-{t}" for a, t, _ in MATRIX]
)
def test_role_action_matrix(cast, targets, action, target, allowed):
    decided = {role for role in ROLES if policy.can(cast[role], action, targets[target])}
    assert decided == allowed


def test_the_matrix_covers_every_initiative_action():
    covered = {action for action, _target, _allowed in MATRIX}
    assert {a for a in policy.actions() if a.startswith("initiative.")} == covered


def test_an_inactive_account_does_nothing(db, cast, targets):
    cast["approver"].is_active_flag = False
    assert not policy.can(cast["approver"], "initiative.adopt", targets["danang"])
    assert not policy.can(cast["approver"], "initiative.assignee", targets["danang"])


@pytest.mark.parametrize("role", ROLES)
def test_the_sql_view_clause_agrees_with_the_rule(cast, targets, initiative_in, role):
    initiative_in("received", province_slug="ha-noi", submitter_id=cast["other_member"].id)
    user = cast[role]
    everything = db.session.scalars(sa.select(Initiative)).all()
    by_rule = {i.id for i in everything if policy.can(user, "initiative.view", i)}
    by_sql = set(db.session.scalars(sa.select(Initiative.id).where(initiative_view_clause(user))))
    assert by_sql == by_rule
