"""The home page's section of open cooperation needs: the newest the visitor may read."""

from __future__ import annotations

from directory.core.home import home_section
from directory.core.paging import page_of
from directory.needs.queries import needs_query

SHOWN = 3


@home_section("needs/_home.html", order=20)
def open_needs(user):
    listing = page_of(needs_query(user, {"status": "open"}), 1, SHOWN)
    if not listing.total:
        return None
    return {"needs": list(listing.items), "total": listing.total}
