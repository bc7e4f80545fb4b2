"""Who may register, edit and verify associations."""

from __future__ import annotations

from directory.policy.core import (  # noqa: F401
    LEVEL_ORDER,
    can,
    is_admin,
    is_official,
    is_registering_mission,
    mission_covers,
    owns_person,
    role,
    rule,
)

# --- associations ---------------------------------------------------------------------


def leads(user, association) -> bool:
    """The user's profile holds a current, accepted leading role in the association."""
    if user is None or user.person_id is None or association is None:
        return False
    return any(
        m.person_id == user.person_id
        and m.is_leader
        and m.end_date is None
        and m.status == "accepted"
        for m in association.memberships
    )


@rule("association.view")
def _association_view(user, association) -> bool:
    return True


@rule("association.create")
def _association_create(user, association) -> bool:
    if is_admin(user):
        return True
    if role(user) == "embassy":
        return association is None or mission_covers(user, association.country)
    return _association_create_as_leader(user, association)


@rule("association.create_as_leader")
def _association_create_as_leader(user, _association) -> bool:
    """Members register associations they lead: the service makes them its president."""
    return role(user) == "member" and user.person_id is not None


@rule("association.edit")
def _association_edit(user, association) -> bool:
    return association is not None and (
        is_admin(user) or mission_covers(user, association.country) or leads(user, association)
    )


@rule("association.verify")
def _association_verify(user, association) -> bool:
    return association is not None and (is_admin(user) or mission_covers(user, association.country))


@rule("association.manage_members")
def _association_manage_members(user, association) -> bool:
    """Leaders, the covering mission and the admin add and end memberships."""
    return _association_edit(user, association)


# --- memberships: proposed, then decided by the person ----------------------------------


def _may_decide_for(user, person) -> bool:
    """The person themself; for an unclaimed profile, the mission that registered it."""
    if person is None or person.anonymised_at is not None:
        return False
    if owns_person(user, person):
        return True
    return person.user is None and is_registering_mission(user, person)


@rule("membership.decide")
def _membership_decide(user, membership) -> bool:
    """Accept or decline a proposed membership."""
    return membership is not None and _may_decide_for(user, membership.person)


def membership_shown(membership) -> bool:
    """A membership appears on profiles, member lists and exports once accepted."""
    return membership is not None and membership.status == "accepted"


def membership_shown_clause():
    """The SQL twin of :func:`membership_shown`."""
    from directory.associations.models import Membership

    return Membership.status == "accepted"


def membership_decider_clause(user):
    """The SQL twin of "membership.decide", for the proposals waiting for ``user``."""
    import sqlalchemy as sa

    from directory.accounts.models import User
    from directory.associations.models import Membership
    from directory.people.models import Person

    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    if user is None or not user.is_active:
        return sa.false()
    mine = Membership.person_id == user.person_id if user.person_id else sa.false()
    registered = sa.false()
    if role(user) == "embassy" and user.mission_id is not None:
        registered = Membership.person_id.in_(
            sa.select(Person.id).where(
                Person.provenance_mission_id == user.mission_id,
                Person.anonymised_at.is_(None),
                ~sa.exists().where(User.person_id == Person.id),
            )
        )
    return sa.or_(mine, registered)
