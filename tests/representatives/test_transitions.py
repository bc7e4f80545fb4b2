"""Every step of the workflow, for every role, from every state: allowed exactly as docs/product.md says.

A refused step is a 403 (not this actor) or a 409 (not in this state) and changes nothing: no
state change, no history entry, no audit event.
"""

from __future__ import annotations

import pytest

from directory.representatives import refusals, states, workflow
from directory.representatives.models import STATES
from tests.representatives.conftest import ROLES

# Who takes each step (docs/product.md "Representative workflow"), written out independently of the
# code under test. Province approvers are province officers with the approver flag.
ACTORS = {
    "submit": {"officer", "approver"},
    "withdraw": {"officer", "approver"},
    "endorse": {"embassy"},
    "object": {"embassy"},
    "accept": {"nominee"},
    "decline": {"nominee"},
    "approve": {"approver"},
    "reject": {"approver"},
    "revoke": {"officer", "approver"},
    "resign": {"nominee"},
}
# From which states, and to which state.
MOVES = {
    "submit": ({"draft"}, "embassy_review"),
    "withdraw": (
        {"draft", "embassy_review", "awaiting_consent", "awaiting_approval"},
        "withdrawn",
    ),
    "endorse": ({"embassy_review"}, "awaiting_consent"),
    "object": ({"embassy_review"}, "objected"),
    "accept": ({"awaiting_consent"}, "awaiting_approval"),
    "decline": ({"awaiting_consent"}, "declined"),
    "approve": ({"awaiting_approval"}, "active"),
    "reject": ({"awaiting_approval"}, "rejected"),
    "revoke": ({"active"}, "revoked"),
    "resign": ({"active"}, "resigned"),
}


def expected(role: str, action: str, state: str) -> int | str:
    """The new state, or the refusal's status."""
    if role not in ACTORS[action]:
        return 403
    from_states, to_state = MOVES[action]
    return to_state if state in from_states else 409


def test_the_table_covers_every_user_action():
    assert set(ACTORS) == set(MOVES) == set(states.USER_ACTIONS)


@pytest.mark.parametrize("action", sorted(ACTORS))
@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_take_each_step_only_as_the_workflow_allows(
    role, action, cast, nomination_in, trail
):
    actor = cast[role]
    wrong = []
    for state in STATES:
        nomination = nomination_in(state)
        want = expected(role, action, state)
        try:
            workflow.take_action(nomination, action, actor, "Lý do: kiểm tra quy trình.")
        except refusals.WorkflowError as exc:
            got = exc.status
            events, audits = trail(nomination)
            if nomination.state != state or events or audits:
                wrong.append(f"{state}: refused with {got} but changed something")
        else:
            got = nomination.state
            events, audits = trail(nomination)
            if events != [action] or audits != [f"nomination.{action}"]:
                wrong.append(f"{state}: history {events}, audit {audits}")
        if got != want:
            wrong.append(f"{state}: expected {want}, got {got}")
    assert wrong == []


@pytest.mark.parametrize("role", ROLES)
def test_nobody_can_expire_a_term_by_hand(role, cast, nomination_in):
    nomination = nomination_in("active")
    with pytest.raises(refusals.WorkflowError) as refused:
        workflow.take_action(nomination, "expire", cast[role], "")
    assert refused.value.status == 404
    assert nomination.state == "active"


def test_refusals_explain_themselves(cast, nomination_in, app):
    nomination = nomination_in("draft")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        with pytest.raises(refusals.WorkflowError) as not_actor:
            workflow.approve(nomination, cast["embassy"])
        with pytest.raises(refusals.WorkflowError) as wrong_state:
            workflow.approve(nomination, cast["approver"])
    assert not_actor.value.code == "forbidden"
    assert "not allowed" in not_actor.value.message
    assert wrong_state.value.code == "invalid_state"
    assert "a draft" in wrong_state.value.message


def test_refusals_are_in_vietnamese_by_default(cast, nomination_in, app):
    nomination = nomination_in("draft")
    with app.test_request_context(), pytest.raises(refusals.WorkflowError) as refused:
        workflow.endorse(nomination, cast["embassy"])
    assert "bản nháp" in refused.value.message


def test_allowed_actions_lists_the_viewers_next_steps(cast, nomination_in):
    assert states.allowed_actions(nomination_in("draft"), cast["officer"]) == [
        "submit",
        "withdraw",
    ]
    assert states.allowed_actions(nomination_in("embassy_review"), cast["embassy"]) == [
        "endorse",
        "object",
    ]
    assert states.allowed_actions(nomination_in("awaiting_approval"), cast["approver"]) == [
        "approve",
        "reject",
        "withdraw",
    ]
    assert states.allowed_actions(nomination_in("active"), cast["nominee"]) == ["resign"]
    assert states.allowed_actions(nomination_in("active"), cast["admin"]) == []
    assert states.allowed_actions(nomination_in("active"), None) == []
