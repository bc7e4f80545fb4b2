"""Search, administration, audit and tokens."""

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

# --- search, administration -----------------------------------------------------------


@rule("search.use")
def _search_use(user, _obj) -> bool:
    return True


@rule("admin.manage")
def _admin_manage(user, _obj) -> bool:
    return is_admin(user)


@rule("audit.read")
def _audit_read(user, _obj) -> bool:
    return is_admin(user)


@rule("country.set")
def _country_set(user, country) -> bool:
    """Set the country of a profile or an association (registering or moving it): an embassy
    officer only within its mission's countries; others as far as their edit rights reach."""
    return user is not None and (role(user) != "embassy" or mission_covers(user, country))


@rule("token.manage")
def _token_manage(user, _obj) -> bool:
    return user is not None


@rule("account.two_factor")
def _account_two_factor(user, _obj) -> bool:
    """Two-factor sign-in is offered to officials (members sign in with a password only)."""
    return is_official(user)


@rule("token.revoke")
def _token_revoke(user, token) -> bool:
    """A user revokes their own tokens; an admin may revoke anyone's."""
    return token is not None and user is not None and (token.user_id == user.id or is_admin(user))
