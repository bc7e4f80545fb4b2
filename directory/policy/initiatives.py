"""Who may submit, see and move initiatives.

The receiving body handles an initiative: the officers of its province (approvers included),
or the admin for one addressed to the central body. Triage, assignment and forwarding are
theirs; review and answer belong to the assignee or an approver; adoption and declining to an
approver. The submitter sees their own initiative and may withdraw it. Whether the *state*
allows a step is the domain's business (a 409, not a 403): see initiatives/services.py.
"""

from __future__ import annotations

from directory.policy.core import is_admin, role, rule


def _active(user) -> bool:
    return user is not None and getattr(user, "is_active", False)


def handles(user, province_slug: str | None) -> bool:
    """``user`` handles initiatives sent to ``province_slug`` (None: the central body)."""
    if not _active(user):
        return False
    if province_slug is None:
        return is_admin(user)
    return role(user) == "province" and getattr(user, "province_slug", None) == province_slug


def decides(user, province_slug: str | None) -> bool:
    """An approver of that province (the admin for the central body)."""
    if province_slug is None:
        return handles(user, None)
    return handles(user, province_slug) and bool(getattr(user, "is_approver", False))


def is_submitter(user, initiative) -> bool:
    return (
        user is not None
        and initiative is not None
        and initiative.submitter_id is not None
        and initiative.submitter_id == getattr(user, "id", None)
    )


def _is_assignee(user, initiative) -> bool:
    return (
        user is not None
        and initiative.assignee_id is not None
        and initiative.assignee_id == getattr(user, "id", None)
        and handles(user, initiative.province_slug)
    )


@rule("initiative.submit")
def _submit(user, _province) -> bool:
    """A signed-in member whose email address is verified."""
    return role(user) == "member" and getattr(user, "email_verified_at", None) is not None


@rule("initiative.list_own")
def _list_own(user, _obj) -> bool:
    return role(user) == "member"


@rule("initiative.inbox")
def _inbox(user, _obj) -> bool:
    """The officials' list: province officers and the admin."""
    return role(user) in ("province", "admin")


@rule("initiative.view")
def _view(user, initiative) -> bool:
    if user is None or initiative is None:
        return False
    return (
        is_admin(user) or is_submitter(user, initiative) or handles(user, initiative.province_slug)
    )


@rule("initiative.view_internal")
def _view_internal(user, initiative) -> bool:
    """Private notes, the full history and the assignee: the officials, never the submitter."""
    if user is None or initiative is None:
        return False
    return is_admin(user) or handles(user, initiative.province_slug)


def initiative_view_clause(user):
    """The SQL twin of "initiative.view" (kept in step by tests)."""
    import sqlalchemy as sa

    from directory.initiatives.models import Initiative

    if not _active(user) or not getattr(user, "is_authenticated", False):
        return sa.false()
    if is_admin(user):
        return sa.true()
    parts = [Initiative.submitter_id == user.id]
    if role(user) == "province" and user.province_slug:
        parts.append(Initiative.province_slug == user.province_slug)
    return sa.or_(*parts)


@rule("initiative.triage")
def _triage(user, initiative) -> bool:
    return initiative is not None and handles(user, initiative.province_slug)


@rule("initiative.assign")
def _assign(user, initiative) -> bool:
    return initiative is not None and handles(user, initiative.province_slug)


@rule("initiative.forward")
def _forward(user, initiative) -> bool:
    return initiative is not None and handles(user, initiative.province_slug)


@rule("initiative.assignee")
def _assignee(user, initiative) -> bool:
    """``user`` may be given the initiative: a colleague of its province (an admin: central)."""
    return initiative is not None and handles(user, initiative.province_slug)


def assignee_clause(province_slug: str | None):
    """The SQL twin of "initiative.assignee": the users who may be given initiatives sent to
    ``province_slug`` (None: the central body), kept in step by tests."""
    import sqlalchemy as sa

    from directory.accounts.models import User

    active = User.is_active_flag.is_(True)
    if province_slug is None:
        return sa.and_(active, User.role == "admin")
    return sa.and_(active, User.role == "province", User.province_slug == province_slug)


@rule("initiative.review")
def _review(user, initiative) -> bool:
    return initiative is not None and (
        _is_assignee(user, initiative) or decides(user, initiative.province_slug)
    )


@rule("initiative.answer")
def _answer(user, initiative) -> bool:
    return initiative is not None and (
        _is_assignee(user, initiative) or decides(user, initiative.province_slug)
    )


@rule("initiative.adopt")
def _adopt(user, initiative) -> bool:
    return initiative is not None and decides(user, initiative.province_slug)


@rule("initiative.decline")
def _decline(user, initiative) -> bool:
    return initiative is not None and decides(user, initiative.province_slug)


@rule("initiative.withdraw")
def _withdraw(user, initiative) -> bool:
    return is_submitter(user, initiative)


@rule("initiative.note")
def _note(user, initiative) -> bool:
    return initiative is not None and handles(user, initiative.province_slug)
