"""The home page's figures: how many people and associations the visitor can find, and where.

Counted by the search itself, as the visitor (an anonymous visitor counts the members who
consented to be listed), so that each figure equals the search it links to."""

from __future__ import annotations

from flask import current_app

from directory.core.home import home_section
from directory.search.services import SearchParams, SearchUnavailable, run_search


@home_section("search/_home.html", order=10)
def figures(user):
    viewer = user if getattr(user, "is_authenticated", False) else None
    try:
        result = run_search(SearchParams(per_page=1), viewer)
    except SearchUnavailable as exc:
        current_app.logger.warning("home figures: search unavailable: %s", exc)
        return None
    kinds = result.facets.get("kind", {})
    if not result.total:
        return None
    return {
        "experts": kinds.get("expert", 0),
        "entrepreneurs": kinds.get("entrepreneur", 0),
        "associations": kinds.get("association", 0),
        "businesses": kinds.get("business", 0),
        "countries": len([c for c, n in result.facets.get("country", {}).items() if n]),
        "provinces": len([p for p, n in result.facets.get("province", {}).items() if n]),
    }
