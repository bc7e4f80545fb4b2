"""The one place that answers "may this user do this to that record?".

HTML views and the JSON API both call :func:`can` / :func:`require`. Each rule is a plain
function ``(user, obj) -> bool`` registered under an action name; a domain adds its rules with
:func:`rule`. Unknown actions are refused, so a typo fails closed.

Visibility of a person's fields is decided by :func:`visible_groups`.
"""

from __future__ import annotations

from collections.abc import Callable

from werkzeug.exceptions import Forbidden

_RULES: dict[str, Callable] = {}


def rule(action: str):
    """Register the decision function for ``action``."""

    def decorator(func: Callable) -> Callable:
        if action in _RULES:
            raise RuntimeError(f"policy rule {action!r} registered twice")
        _RULES[action] = func
        return func

    return decorator


def actions() -> list[str]:
    """Every action the policy knows (for the tested role × action matrix)."""
    return sorted(_RULES)


def can(user, action: str, obj=None) -> bool:
    """True when ``user`` (a User, an anonymous user or None) may do ``action`` to ``obj``."""
    decide = _RULES.get(action)
    if decide is None:
        return False
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    if user is not None and not user.is_active:
        return False
    return bool(decide(user, obj))


def require(user, action: str, obj=None) -> None:
    """Raise 403 unless ``can(user, action, obj)``."""
    if not can(user, action, obj):
        raise Forbidden(description=action)


# --- roles and scope ---------------------------------------------------------------------


def role(user) -> str | None:
    return getattr(user, "role", None) if user is not None else None


def is_admin(user) -> bool:
    return role(user) == "admin"


def is_official(user) -> bool:
    return role(user) in ("embassy", "province", "admin")


def mission_covers(user, country: str | None) -> bool:
    """An embassy officer whose mission covers ``country``."""
    return (
        role(user) == "embassy"
        and user.mission is not None
        and country is not None
        and user.mission.covers(country)
    )


def owns_person(user, person) -> bool:
    return user is not None and person is not None and user.person_id == person.id


def is_registering_mission(user, person) -> bool:
    """The officer belongs to the mission that registered this person."""
    return (
        role(user) == "embassy"
        and person.provenance_mission_id is not None
        and user.mission_id == person.provenance_mission_id
    )


# --- people ------------------------------------------------------------------------------

LEVEL_ORDER = {"public": 0, "officials": 1, "private": 2}


def viewer_level(user, person) -> int:
    """The highest visibility level this viewer reaches for this person (0 public .. 2 private)."""
    if user is None:
        return 0
    if is_admin(user) or owns_person(user, person) or is_registering_mission(user, person):
        return 2
    if is_official(user):
        return 1
    return 0


def visible_groups(user, person) -> set[str]:
    """The field groups of ``person`` this viewer may see ('basic' is the name and country)."""
    if not can(user, "person.view", person):
        return set()
    level = viewer_level(user, person)
    groups = {"basic"}
    if LEVEL_ORDER.get(person.visibility_profile, 2) <= level:
        groups.add("profile")
    if LEVEL_ORDER.get(person.visibility_contact, 2) <= level:
        groups.add("contact")
    return groups


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


# --- associations ------------------------------------------------------------------------


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


# --- search, administration --------------------------------------------------------------


@rule("search.use")
def _search_use(user, _obj) -> bool:
    return True


@rule("admin.manage")
def _admin_manage(user, _obj) -> bool:
    return is_admin(user)


@rule("audit.read")
def _audit_read(user, _obj) -> bool:
    return is_admin(user)


@rule("token.manage")
def _token_manage(user, _obj) -> bool:
    return user is not None
