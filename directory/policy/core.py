"""The policy's machinery: the rule registry, ``can``/``require``, roles and scope, and the
viewer levels. Rule modules (one per domain, beside this file) import from here; everyone
else imports ``directory.policy``."""

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
    person_id = getattr(user, "person_id", None)  # anonymous users have none
    return person is not None and person_id is not None and person_id == person.id


def is_registering_mission(user, person) -> bool:
    """The officer belongs to the mission that registered this person."""
    return (
        role(user) == "embassy"
        and person.provenance_mission_id is not None
        and user.mission_id == person.provenance_mission_id
    )


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
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    level = viewer_level(user, person)
    groups = {"basic"}
    if LEVEL_ORDER.get(person.visibility_profile, 2) <= level:
        groups.add("profile")
    if LEVEL_ORDER.get(person.visibility_contact, 2) <= level:
        groups.add("contact")
    return groups
