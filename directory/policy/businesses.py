"""Who may register, read, edit and verify businesses, and link people to them.

- Officials (embassy and province officers) and the admin read every business; the public and
  members read only the businesses listed with their consent, members also the ones they are
  linked to (accepted).
- An embassy officer registers and verifies businesses operating in the mission's countries
  (the country of registration or one it operates in); the officer edits them, and links
  people, while no member manages the business.
- A member linked (and accepted) as owner or executive manages the business: edits it, links
  people, and alone (with the admin) sets its visibility and its consent to be listed.
- A link to a person is accepted by the person, or for a profile nobody has claimed, by the
  mission that registered that profile.
- What a viewer sees of a business: :func:`business_groups`, from the record in the database.
"""

from __future__ import annotations

from directory.policy.core import (
    LEVEL_ORDER,
    is_admin,
    is_official,
    is_registering_mission,
    owns_person,
    role,
    rule,
)


def _anonymous_to_none(user):
    if user is not None and not getattr(user, "is_authenticated", False):
        return None
    return user


def business_countries(business) -> set[str]:
    """The countries a business is registered or operates in."""
    return {c for c in [business.country, *(business.operates_in or [])] if c}


def covers_business(user, business) -> bool:
    """An embassy officer whose mission covers a country the business operates in."""
    if role(user) != "embassy" or user.mission is None or business is None:
        return False
    return any(user.mission.covers(c) for c in business_countries(business))


def manages(user, business) -> bool:
    """The user's profile is linked to the business, accepted, as owner or executive."""
    from directory.businesses.models import MANAGING_ROLES

    person_id = getattr(user, "person_id", None)
    if person_id is None or business is None or role(user) != "member":
        return False
    return any(
        link.person_id == person_id and link.role in MANAGING_ROLES and link.accepted
        for link in business.links
    )


def is_managed(business) -> bool:
    """Some member manages the business (its page is then theirs, as a claimed profile)."""
    from directory.businesses.models import MANAGING_ROLES

    return any(
        link.role in MANAGING_ROLES and link.accepted and link.person.user is not None
        for link in business.links
    )


def linked(user, business) -> bool:
    person_id = getattr(user, "person_id", None)
    return person_id is not None and any(
        link.person_id == person_id and link.accepted for link in business.links
    )


@rule("business.list")
def _business_list(user, _obj) -> bool:
    """The businesses page in the header: officials and members (visitors reach it too)."""
    return user is not None


@rule("business.view")
def _business_view(user, business) -> bool:
    if business is None:
        return False
    if is_admin(user) or is_official(user):
        return True
    return bool(business.consent_listed) or linked(user, business)


@rule("business.register")
def _business_register(user, business) -> bool:
    """Register a business (``None``: any), in the mission's countries."""
    if is_admin(user):
        return True
    if role(user) != "embassy" or user.mission is None:
        return False
    return business is None or covers_business(user, business)


@rule("business.edit")
def _business_edit(user, business) -> bool:
    if business is None:
        return False
    if is_admin(user) or manages(user, business):
        return True
    return covers_business(user, business) and not is_managed(business)


@rule("business.manage")
def _business_manage(user, business) -> bool:
    """Visibility of its groups of fields and its consent to be listed publicly."""
    return business is not None and (is_admin(user) or manages(user, business))


@rule("business.verify")
def _business_verify(user, business) -> bool:
    return business is not None and (is_admin(user) or covers_business(user, business))


@rule("business.delete")
def _business_delete(user, business) -> bool:
    """Remove a business: the admin, its managers, or the covering mission while unmanaged."""
    return _business_edit(user, business)


@rule("business.link")
def _business_link(user, business) -> bool:
    """Link people to the business, or remove a link."""
    return _business_edit(user, business)


@rule("business_link.decide")
def _business_link_decide(user, link) -> bool:
    """Accept a link: the person, or for an unclaimed profile, the mission that registered it."""
    if link is None or link.person is None or link.person.anonymised_at is not None:
        return False
    person = link.person
    if owns_person(user, person):
        return True
    return person.user is None and is_registering_mission(user, person)


def business_level(user, business) -> int:
    """The visibility level a viewer reaches on a business (0 public .. 2 private)."""
    user = _anonymous_to_none(user)
    if user is None:
        return 0
    if is_admin(user) or manages(user, business):
        return 2
    if (
        role(user) == "embassy"
        and business.provenance_mission_id is not None
        and user.mission_id == business.provenance_mission_id
    ):
        return 2
    if is_official(user):
        return 1
    return 0


def business_groups(user, business) -> set[str]:
    """The field groups of ``business`` this viewer may see (``FIELD_GROUPS`` of the model)."""
    from directory.policy.core import can

    if not can(user, "business.view", business):
        return set()
    level = business_level(user, business)
    groups = {"basic"}
    if LEVEL_ORDER.get(business.visibility_profile, 2) <= level:
        groups.add("profile")
    if LEVEL_ORDER.get(business.visibility_contact, 2) <= level:
        groups.add("contact")
    return groups


def business_view_clause(user):
    """The SQL twin of "business.view", for listing what ``user`` may see (tested to agree)."""
    import sqlalchemy as sa

    from directory.businesses.models import Business, BusinessPerson

    user = _anonymous_to_none(user)
    if user is not None and not user.is_active:
        return sa.false()
    if is_admin(user) or is_official(user):
        return sa.true()
    listed = Business.consent_listed.is_(True)
    if user is not None and user.person_id is not None:
        mine = sa.select(BusinessPerson.business_id).where(
            BusinessPerson.person_id == user.person_id, BusinessPerson.accepted_at.is_not(None)
        )
        return listed | Business.id.in_(mine)
    return listed
