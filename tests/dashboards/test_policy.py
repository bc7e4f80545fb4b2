"""The role × action matrix of the dashboard rules (rows beside the central matrix's)."""

from __future__ import annotations

import pytest

from directory import policy
from tests.factories import CAST_ROLES

DA_NANG = {"officer", "approver"}
HA_NOI = {"other_officer", "other_approver"}
# (action, target, actors allowed). Targets: "da-nang", "ha-noi" (province slugs), "paris",
# "berlin" (missions), None.
MATRIX = [
    ("dashboard.province", "da-nang", DA_NANG | {"admin"}),
    ("dashboard.province", "ha-noi", HA_NOI | {"admin"}),
    ("dashboard.province", None, set()),
    ("dashboard.mission", "paris", {"embassy"}),
    ("dashboard.mission", "berlin", {"other_embassy"}),
    ("dashboard.mission", None, set()),
    ("dashboard.overview", None, {"admin"}),
    ("dashboard.overview", "da-nang", {"admin"}),
    ("dashboard.home", None, DA_NANG | HA_NOI | {"embassy", "other_embassy", "admin"}),
]


@pytest.fixture
def targets(cast):
    return {
        "da-nang": "da-nang",
        "ha-noi": "ha-noi",
        "paris": cast.paris,
        "berlin": cast.berlin,
        None: None,
    }


@pytest.mark.parametrize(
    ("action", "target", "allowed"), MATRIX, ids=[f"{a}-{t}" for a, t, _ in MATRIX]
)
def test_role_action_matrix(cast, targets, action, target, allowed):
    decided = {actor: policy.can(cast[actor], action, targets[target]) for actor in CAST_ROLES}
    assert {actor for actor, ok in decided.items() if ok} == allowed


def test_an_inactive_officer_sees_no_dashboard(cast):
    cast.officer.is_active_flag = False
    assert not policy.can(cast.officer, "dashboard.province", "da-nang")


def test_an_inactive_admin_sees_no_overview(cast):
    cast.admin.is_active_flag = False
    assert not policy.can(cast.admin, "dashboard.overview")
    assert not policy.can(cast.admin, "dashboard.home")
