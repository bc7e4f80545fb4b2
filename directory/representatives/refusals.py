"""Refused steps: the error every workflow function raises, and the refusals they share.

A refused step changes nothing: :func:`refuse` rolls the transaction back before raising.
"""

from __future__ import annotations

from flask_babel import gettext as _

from directory.core.errors import ApiError
from directory.extensions import db
from directory.representatives.models import Nomination
from directory.representatives.states import state_label


class WorkflowError(ApiError):
    """A refused step (403 not this actor, 409 not in this state); nothing was changed."""


def forbidden(action: str) -> WorkflowError:
    return WorkflowError(
        403, "forbidden", _("You are not allowed to take this step on this nomination.")
    )


def wrong_state(nomination: Nomination, action: str) -> WorkflowError:
    return WorkflowError(
        409,
        "invalid_state",
        _(
            "This step is not possible while the nomination is %(state)s.",
            state=state_label(nomination.state),
        ),
    )


def changed_meanwhile() -> WorkflowError:
    return WorkflowError(
        409,
        "changed_meanwhile",
        _(
            "This nomination was changed by someone else meanwhile; reload it to see its "
            "current state."
        ),
    )


def busy() -> WorkflowError:
    return WorkflowError(
        409,
        "busy",
        _("Someone else is changing this nomination right now; reload it and try again."),
    )


def seat_taken() -> WorkflowError:
    return WorkflowError(
        409,
        "seat_taken",
        _(
            "This province already has an active representative for this country and region. "
            "The current appointment must end before another is approved."
        ),
    )


def refuse(error: Exception):
    """Roll back (releasing any row lock) and raise ``error``: nothing was changed."""
    db.session.rollback()
    raise error
