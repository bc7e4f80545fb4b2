"""Every action from every state: the transitions table, and refusals that change nothing."""

from __future__ import annotations

import pytest

from directory.core.errors import ApiError
from directory.initiatives import services
from directory.initiatives.models import STATES

# action -> (actor, input) that the policy allows on any Đà Nẵng initiative of the member
ACTORS = {
    "triage": ("officer", {}),
    "assign": ("officer", {"assignee_id": "officer"}),
    "review": ("approver", {}),
    "answer": ("approver", {"answer": "Tỉnh sẽ tổ chức khóa học vào tháng 9."}),
    "adopt": ("approver", {}),
    "decline": ("approver", {}),
    "withdraw": ("member", {}),
    "forward": ("officer", {"province": "ha-noi"}),
}

EXPECTED = {
    ("triage", "received"): "triaged",
    ("assign", "triaged"): "assigned",
    ("assign", "assigned"): "assigned",
    ("assign", "under_review"): "assigned",
    ("review", "assigned"): "under_review",
    ("answer", "under_review"): "answered",
    ("adopt", "answered"): "adopted",
    ("decline", "answered"): "declined",
    **{("withdraw", s): "withdrawn" for s in ("received", "triaged", "assigned", "under_review")},
    **{("forward", s): "received" for s in ("received", "triaged", "assigned", "under_review")},
}


def test_the_table_is_the_services_table():
    table = {
        (action, state): to
        for action, (from_states, to) in services.TRANSITIONS.items()
        for state in from_states
    }
    assert table == EXPECTED


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", sorted(ACTORS))
def test_each_action_from_each_state(cast, initiative_in, trail, mail_outbox, action, state):
    initiative = initiative_in(state)
    role, data = ACTORS[action]
    data = {k: (cast[v].id if k == "assignee_id" else v) for k, v in data.items()}
    before = trail(initiative)
    expected = EXPECTED.get((action, state))
    if expected is None:
        with pytest.raises(ApiError) as caught:
            services.take_action(initiative, action, cast[role], data)
        assert (caught.value.status, caught.value.code) == (409, "invalid_state")
        assert trail(initiative) == before
        assert mail_outbox() == []
        return
    services.take_action(initiative, action, cast[role], data)
    state_after, version, events, audits = trail(initiative)
    assert state_after == expected
    assert version == before[1] + 1
    assert events == [*before[2], action]
    assert audits == [*before[3], f"initiative.{action}"]
    told = [m["To"] for m in mail_outbox()]
    assert told == (["thuha@example.fr"] if expected in services.MEMBER_NOTICES else [])
