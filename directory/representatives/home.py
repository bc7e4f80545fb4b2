"""The home page's section of the public register: who represents the provinces abroad."""

from __future__ import annotations

from directory.core.home import home_section
from directory.representatives.services import register

SHOWN = 4


@home_section("representatives/_home.html", order=30)
def representatives(user):
    appointments, total = register(page=1, per_page=SHOWN)
    if not total:
        return None
    return {"appointments": appointments, "total": total}
