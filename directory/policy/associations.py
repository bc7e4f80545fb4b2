"""Who may register, edit and verify associations."""

from __future__ import annotations

from directory.policy import (  # noqa: F401
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
    if user is None or user.person_id is None or association is None:
        return False
    return any(
        m.person_id == user.person_id and m.is_leader and m.end_date is None
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
    # Members register associations they lead (the service makes them its leader).
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
