"""Search, administration, audit and tokens."""

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


@rule("token.manage")
def _token_manage(user, _obj) -> bool:
    return user is not None
