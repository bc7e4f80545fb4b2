"""Who may do what to a need, and the SQL listing clause that must agree with the rule."""

from __future__ import annotations

import pytest

from directory import policy
from directory.extensions import db
from directory.needs import queries

ACTORS = ("anonymous", "member", "bare_member", "officer", "approver", "hue", "embassy", "admin")
DANANG = {"officer", "approver", "admin"}

# (action, need, actors allowed)
MATRIX = [
    ("need.view", "public", set(ACTORS)),
    ("need.view", "officials", DANANG | {"embassy"}),
    ("need.view", "closed", set(ACTORS)),
    ("need.edit", "public", DANANG),
    ("need.edit", "officials", DANANG),
    ("need.edit", "closed", set()),
    ("need.close", "public", {"approver", "admin"}),
    ("need.close", "closed", {"approver", "admin"}),
    ("need.work", "public", DANANG),
    ("need.work", "officials", DANANG),
    ("need.work", "closed", DANANG),
    ("need.interest", "public", {"member"}),
    ("need.interest", "officials", set()),
    ("need.create", None, {"officer", "approver", "hue", "admin"}),
    ("need.publish_in", "da-nang", DANANG),
    ("need.publish_in", "hue", {"hue", "admin"}),
    ("need.choose_province", None, {"admin"}),
]


@pytest.fixture
def needs(make_need):
    return {
        "public": make_need(),
        "officials": make_need(audience="officials"),
        "closed": make_need(status="closed"),
        "da-nang": "da-nang",  # provinces, by slug
        "hue": "hue",
        None: None,
    }


@pytest.mark.parametrize(
    ("action", "target", "allowed"), MATRIX, ids=[f"{a}-{t}" for a, t, _ in MATRIX]
)
def test_role_action_matrix(team, needs, action, target, allowed):
    decided = {actor for actor in ACTORS if policy.can(getattr(team, actor), action, needs[target])}
    assert decided == allowed


def test_the_matrix_covers_every_need_action():
    covered = {action for action, _target, _allowed in MATRIX}
    assert {a for a in policy.actions() if a.startswith("need.")} <= covered


@pytest.mark.parametrize("actor", ACTORS)
def test_the_listing_clause_agrees_with_the_rule(team, needs, make_need, actor):
    make_need(province_slug="hue", audience="officials")
    user = getattr(team, actor)
    listed = {n.id for n in db.session.scalars(queries.needs_query(user))}
    from directory.needs.models import Need

    readable = {n.id for n in db.session.query(Need) if policy.can(user, "need.view", n)}
    assert listed == readable


def test_an_inactive_official_may_do_nothing(team, needs):
    team.officer.is_active_flag = False
    assert not policy.can(team.officer, "need.view", needs["officials"])
    assert not policy.can(team.officer, "need.work", needs["public"])
