"""Who may see representative nominations and take each step of the workflow.

The rules answer "is this user the actor of this step for this nomination?"; whether the
nomination's *state* allows the step is the workflow's business (a 409, not a 403).
"""

from __future__ import annotations

from directory.policy.core import is_admin, is_official, mission_covers, role, rule


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


def nomination_view_clause(user):
    """The SQL twin of "nomination.view", for listing what ``user`` may see (kept in step by tests)."""
    import sqlalchemy as sa

    from directory.missions.models import MissionCountry
    from directory.representatives.models import Nomination

    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return sa.false()
    if is_admin(user):
        return sa.true()
    parts = []
    if role(user) == "province" and user.province_slug:
        parts.append(Nomination.province_slug == user.province_slug)
    if role(user) == "embassy" and user.mission_id:
        countries = sa.select(MissionCountry.country).where(
            MissionCountry.mission_id == user.mission_id
        )
        parts.append(
            sa.and_(Nomination.country.in_(countries), Nomination.submitted_at.is_not(None))
        )
    if user.person_id:
        parts.append(
            sa.and_(
                Nomination.person_id == user.person_id,
                Nomination.consent_requested_at.is_not(None),
            )
        )
    return sa.or_(*parts) if parts else sa.false()


def nomination_actor_clause(user, action: str):
    """The SQL twin of the rules naming the actor of a step: the nominations for which ``user``
    may do ``action`` ("nomination.submit", "nomination.approve", "nomination.endorse" or
    "nomination.accept"), whatever their state (kept in step by tests)."""
    import sqlalchemy as sa

    from directory.missions.models import MissionCountry
    from directory.representatives.models import Nomination

    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return sa.false()
    if action in ("nomination.submit", "nomination.approve"):
        if role(user) != "province" or not user.province_slug:
            return sa.false()
        if action == "nomination.approve" and not user.is_approver:
            return sa.false()
        return Nomination.province_slug == user.province_slug
    if action == "nomination.endorse":
        if role(user) != "embassy" or not user.mission_id:
            return sa.false()
        countries = sa.select(MissionCountry.country).where(
            MissionCountry.mission_id == user.mission_id
        )
        return Nomination.country.in_(countries)
    if action == "nomination.accept" and user.person_id:
        return Nomination.person_id == user.person_id
    return sa.false()


@rule("nomination.comment_view")
def _comment_view(user, event) -> bool:
    """The mission's vetting notes are for officials (and their author); other comments are
    shown to whoever sees the nomination."""
    if event is None:
        return False
    if event.action not in ("endorse", "object"):
        return True
    return is_official(user) or (user is not None and event.actor_id == user.id)


@rule("nomination.list")
def _nomination_list(user, _obj) -> bool:
    return user is not None


@rule("nomination.workflow")
def _nomination_workflow(user, _obj) -> bool:
    """Officials take part in the workflow (nominate, endorse, approve): the nominations list
    is in their menu. A nominee reaches their nomination from the inbox."""
    return is_official(user)


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
