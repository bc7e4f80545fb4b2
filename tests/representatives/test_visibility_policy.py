"""Who sees which nomination: the SQL filter used by lists and the per-record rule agree."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from directory import policy
from directory.extensions import db
from directory.policy.nominations import nomination_view_clause
from directory.representatives.models import STATES, Nomination, NominationEvent
from tests.representatives.conftest import ROLES


@pytest.mark.parametrize("role", ROLES)
def test_the_sql_filter_and_the_rule_agree_in_every_state(role, cast, nomination_in):
    nominations = [nomination_in(state) for state in STATES]
    # The same states for a seat in Germany and one of another province.
    nominations += [nomination_in(state, country="DE") for state in STATES]
    nominations += [nomination_in(state, province_slug="ha-noi") for state in STATES]
    user = cast[role]

    listed = set(db.session.scalars(sa.select(Nomination.id).where(nomination_view_clause(user))))
    allowed = {n.id for n in nominations if policy.can(user, "nomination.view", n)}

    assert listed == allowed
    assert allowed or role in ("member", "anonymous")


def test_an_inactive_account_lists_no_nomination(cast, nomination_in):
    nomination_in("active")
    cast["admin"].is_active_flag = False

    listed = db.session.scalars(
        sa.select(Nomination.id).where(nomination_view_clause(cast["admin"]))
    )

    assert list(listed) == []


OFFICIALS = {"officer", "other_officer", "approver", "other_approver", "embassy", "other_embassy"}


@pytest.mark.parametrize(
    ("action", "shown_to"),
    [
        ("endorse", OFFICIALS | {"admin"}),
        ("object", OFFICIALS | {"admin"}),
        ("submit", set(ROLES)),
        ("approve", set(ROLES)),
    ],
)
def test_vetting_notes_are_for_officials_and_their_author(action, shown_to, cast):
    event = NominationEvent(action=action, actor_id=cast["nominee"].id, comment="Ghi chú")

    shown = {role for role in ROLES if policy.can(cast[role], "nomination.comment_view", event)}

    # The author (here the nominee, standing in for whoever wrote it) always reads their note.
    assert shown == shown_to | {"nominee"}
