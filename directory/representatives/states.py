"""A nomination's states and the steps between them (docs/product.md "Representative workflow")."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import pgettext

from directory import policy
from directory.representatives.models import OPEN_STATES, Nomination

# action -> (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "submit": (("draft",), "embassy_review"),
    "withdraw": (OPEN_STATES, "withdrawn"),
    "endorse": (("embassy_review",), "awaiting_consent"),
    "object": (("embassy_review",), "objected"),
    "accept": (("awaiting_consent",), "awaiting_approval"),
    "decline": (("awaiting_consent",), "declined"),
    "approve": (("awaiting_approval",), "active"),
    "reject": (("awaiting_approval",), "rejected"),
    "revoke": (("active",), "revoked"),
    "resign": (("active",), "resigned"),
    "expire": (("active",), "expired"),
}
# The steps a user can take (``expire`` belongs to the scheduled command).
USER_ACTIONS = (
    "submit",
    "endorse",
    "object",
    "accept",
    "decline",
    "approve",
    "reject",
    "withdraw",
    "revoke",
    "resign",
)
REASON_REQUIRED = ("object", "revoke")
# The steps that refuse or end a nomination or an appointment: on the page they are secondary
# buttons and ask for a confirmation on a second page (the JSON API takes them at once).
DESTRUCTIVE = ("object", "decline", "reject", "withdraw", "revoke", "resign")
# The steps that check the seat (and so lock every nomination of it on PostgreSQL).
SEAT_ACTIONS = ("submit", "approve")
# A renewal reuses the data of an appointment whose term is over (see nominating.renewal_data).
RENEWABLE_STATES = ("expired",)


def state_label(state: str) -> str:
    """The state's name in the current language."""
    labels = {
        "draft": _("a draft"),
        "embassy_review": _("in review by the mission"),
        "objected": _("objected to by the mission"),
        "awaiting_consent": _("awaiting the nominee's consent"),
        "declined": _("declined by the nominee"),
        "awaiting_approval": _("awaiting approval"),
        "rejected": _("rejected"),
        "active": _("active"),
        "expired": pgettext("appointment", "expired"),
        "revoked": _("revoked"),
        "resigned": _("ended by resignation"),
        "withdrawn": _("withdrawn"),
    }
    return labels.get(state, state)


def allowed_actions(nomination: Nomination, user) -> list[str]:
    """The steps ``user`` may take on ``nomination`` now (actor and state both allow them)."""
    return [
        action
        for action in USER_ACTIONS
        if nomination.state in TRANSITIONS[action][0]
        and policy.can(user, f"nomination.{action}", nomination)
    ]
