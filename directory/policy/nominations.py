"""Who may see representative nominations and take each step of the workflow.

The rules answer "is this user the actor of this step for this nomination?"; whether the
nomination's *state* allows the step is the workflow's business (a 409, not a 403).
"""

from __future__ import annotations

from directory.policy import is_admin, mission_covers, role, rule


def province_officer_of(user, province_slug: str | None) -> bool:
    """A province officer (approvers included) of that province."""
    return (
        role(user) == "province"
        and province_slug is not None
        and getattr(user, "province_slug", None) == province_slug
    )


def province_approver_of(user, province_slug: str | None) -> bool:
    return province_officer_of(user, province_slug) and bool(user.is_approver)


def is_nominee(user, nomination) -> bool:
    return (
        user is not None
        and nomination is not None
        and user.person_id is not None
        and user.person_id == nomination.person_id
    )


@rule("nomination.view")
def _nomination_view(user, nomination) -> bool:
    if user is None or nomination is None:
        return False
    if is_admin(user) or province_officer_of(user, nomination.province_slug):
        return True
    # The mission sees it once submitted; the nominee once asked for consent.
    if mission_covers(user, nomination.country) and nomination.submitted_at is not None:
        return True
    return is_nominee(user, nomination) and nomination.consent_requested_at is not None


@rule("nomination.list")
def _nomination_list(user, _obj) -> bool:
    return user is not None


@rule("nomination.create")
def _nomination_create(user, person) -> bool:
    """Province officers nominate, for their own province (checked on the province given)."""
    if role(user) != "province" or not user.province_slug:
        return False
    return person is None or person.anonymised_at is None


@rule("nomination.submit")
def _submit(user, nomination) -> bool:
    return nomination is not None and province_officer_of(user, nomination.province_slug)


@rule("nomination.withdraw")
def _withdraw(user, nomination) -> bool:
    return nomination is not None and province_officer_of(user, nomination.province_slug)


@rule("nomination.endorse")
def _endorse(user, nomination) -> bool:
    return nomination is not None and mission_covers(user, nomination.country)


@rule("nomination.object")
def _object(user, nomination) -> bool:
    return nomination is not None and mission_covers(user, nomination.country)


@rule("nomination.accept")
def _accept(user, nomination) -> bool:
    return is_nominee(user, nomination)


@rule("nomination.decline")
def _decline(user, nomination) -> bool:
    return is_nominee(user, nomination)


@rule("nomination.approve")
def _approve(user, nomination) -> bool:
    return nomination is not None and province_approver_of(user, nomination.province_slug)


@rule("nomination.reject")
def _reject(user, nomination) -> bool:
    return nomination is not None and province_approver_of(user, nomination.province_slug)


@rule("nomination.revoke")
def _revoke(user, nomination) -> bool:
    return nomination is not None and province_officer_of(user, nomination.province_slug)


@rule("nomination.resign")
def _resign(user, nomination) -> bool:
    return is_nominee(user, nomination)


@rule("nomination.expire")
def _expire(user, nomination) -> bool:
    """Only the scheduled command ends a term; no user does."""
    return False


@rule("nomination.renew")
def _renew(user, nomination) -> bool:
    return nomination is not None and province_officer_of(user, nomination.province_slug)
