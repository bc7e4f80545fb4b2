"""Who may see and change people's profiles."""

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

# --- people ---------------------------------------------------------------------------


@rule("person.view")
def _person_view(user, person) -> bool:
    if person is None or person.anonymised_at is not None:
        return is_admin(user)
    if user is not None and (is_official(user) or owns_person(user, person)):
        return True
    return bool(person.consent_listed)


@rule("person.register")
def _person_register(user, person) -> bool:
    if is_admin(user):
        return True
    if role(user) != "embassy":
        return False
    return person is None or mission_covers(user, person.country)


@rule("person.edit")
def _person_edit(user, person) -> bool:
    if person is None or person.anonymised_at is not None:
        return False
    if is_admin(user) or owns_person(user, person):
        return True
    # Once claimed, the profile is the member's own: officials no longer edit it.
    return mission_covers(user, person.country) and person.user is None


@rule("person.verify")
def _person_verify(user, person) -> bool:
    return (
        person is not None
        and person.anonymised_at is None
        and (mission_covers(user, person.country) or is_admin(user))
    )


@rule("person.invite")
def _person_invite(user, person) -> bool:
    return (
        person is not None
        and person.user is None
        and person.anonymised_at is None
        and (mission_covers(user, person.country) or is_admin(user))
    )


@rule("person.manage_own")
def _person_manage_own(user, person) -> bool:
    """Consent, visibility, data download and account deletion: the member alone."""
    return owns_person(user, person)


@rule("person.export")
def _person_export(user, person) -> bool:
    return owns_person(user, person) or is_admin(user)


@rule("person.delete")
def _person_delete(user, person) -> bool:
    return owns_person(user, person) or is_admin(user)


@rule("person.create_own")
def _person_create_own(user, _obj) -> bool:
    return role(user) == "member" and user.person_id is None and user.email_verified_at is not None


def person_view_clause(user):
    """The SQL twin of "person.view", for listing what ``user`` may see (kept in step by tests)."""
    import sqlalchemy as sa

    from directory.people.models import Person

    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    if user is not None and not user.is_active:
        return sa.false()
    if is_admin(user):
        return sa.true()
    visible = Person.anonymised_at.is_(None)
    if is_official(user):
        return visible
    if user is not None and user.person_id is not None:
        return visible & (Person.consent_listed.is_(True) | (Person.id == user.person_id))
    return visible & Person.consent_listed.is_(True)


@rule("person.mission_list")
def _person_mission_list(user, _obj) -> bool:
    """The list of people in a mission's countries: its officers (and the admin, for all)."""
    return is_admin(user) or (role(user) == "embassy" and user.mission is not None)
