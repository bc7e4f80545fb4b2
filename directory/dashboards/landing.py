"""Where an official lands: their own dashboard (after signing in, and ``/dashboard``)."""

from __future__ import annotations

from flask import url_for

from directory import policy


def landing(user) -> str | None:
    """The address of ``user``'s own dashboard (None when they have none): the admin's
    overview, their province's, or their mission's."""
    if policy.can(user, "dashboard.overview"):
        return url_for("dashboards.overview_page")
    if policy.can(user, "dashboard.province", getattr(user, "province_slug", None)):
        return url_for("dashboards.province", slug=user.province_slug)
    if policy.can(user, "dashboard.mission", getattr(user, "mission", None)):
        return url_for("dashboards.mission")
    return None
