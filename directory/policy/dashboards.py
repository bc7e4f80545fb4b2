"""Who may read the dashboards and their figures.

- A province's dashboard and its figures (``GET /api/v1/stats/province/<slug>``): the officers
  of that province (approvers included) and the admin. The object is the province's slug.
- A mission's dashboard: the embassy officers of that mission. The object is the mission.
- The central overview (``/dashboard/overview``, ``GET /api/v1/stats/overview``): the admin.
- ``dashboard.home``: the official has a dashboard of their own: their province's, their
  mission's, or the admin's overview (the navigation link, the landing page after sign-in).
"""

from __future__ import annotations

from directory.policy.core import is_admin, role, rule


@rule("dashboard.province")
def _dashboard_province(user, slug) -> bool:
    if not isinstance(slug, str) or not slug:
        return False
    if is_admin(user):
        return True
    return role(user) == "province" and getattr(user, "province_slug", None) == slug


@rule("dashboard.mission")
def _dashboard_mission(user, mission) -> bool:
    return (
        mission is not None
        and role(user) == "embassy"
        and getattr(user, "mission_id", None) is not None
        and user.mission_id == getattr(mission, "id", None)
    )


@rule("dashboard.overview")
def _dashboard_overview(user, _obj=None) -> bool:
    return is_admin(user)


@rule("dashboard.home")
def _dashboard_home(user, _obj=None) -> bool:
    """The official has a dashboard of their own: their province's, their mission's, or (the
    admin) the overview."""
    if user is None:
        return False
    if is_admin(user):
        return True
    return _dashboard_province(user, getattr(user, "province_slug", None)) or _dashboard_mission(
        user, getattr(user, "mission", None)
    )
