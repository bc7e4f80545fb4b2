"""Reading saved searches: one's list, one by id, what is new since it was last opened."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import sqlalchemy as sa

from directory import policy
from directory.core.models import isoformat
from directory.extensions import db
from directory.people.data_protection import export_section
from directory.savedsearch.models import SavedSearch
from directory.savedsearch.services import query_args
from directory.search.services import VIETNAM, parse_search_args, run_search


def saved_searches_query(user):
    """``user``'s saved searches, newest first."""
    return (
        sa.select(SavedSearch)
        .where(SavedSearch.user_id == user.id)
        .order_by(SavedSearch.created_at.desc(), SavedSearch.id)
    )


def get_own(saved_id: str, user) -> SavedSearch | None:
    """The saved search when ``user`` owns it; None otherwise (missing and others' alike)."""
    saved = db.session.get(SavedSearch, str(saved_id)[:16])
    if saved is None or not policy.can(user, "saved_search.manage", saved):
        return None
    return saved


def opened_day(saved: SavedSearch) -> date | None:
    """The day (in Vietnam) it was last opened."""
    if saved.last_opened_at is None:
        return None
    return saved.last_opened_at.astimezone(VIETNAM).date()


def new_since_args(saved: SavedSearch):
    """The saved search's arguments limited to records added since it was last opened."""
    day = opened_day(saved)
    args = query_args(saved.query)
    if day is None:
        return None
    kept = args.get("added_since")
    if not kept or kept < day.isoformat():
        args.setlist("added_since", [day.isoformat()])
    return args


def count_new(saved: SavedSearch, viewer) -> int | None:
    """How many records the search finds, for ``viewer``, added since it was last opened.

    None when it was never opened, or the search cannot answer now.
    """
    args = new_since_args(saved)
    if args is None:
        return None
    try:
        params = parse_search_args(args)
        return run_search(replace(params, per_page=1), viewer).total
    except Exception as exc:  # noqa: BLE001 - a count never breaks a page
        from flask import current_app

        current_app.logger.warning("saved search %s: no count (%s)", saved.id, exc)
        return None


def saved_search_to_dict(saved: SavedSearch) -> dict:
    """The contract's SavedSearch."""
    return {
        "id": saved.id,
        "name": saved.name,
        "query": saved.query,
        "created_at": isoformat(saved.created_at),
        "updated_at": isoformat(saved.updated_at),
        "last_opened_at": isoformat(saved.last_opened_at),
    }


@export_section("saved_searches")
def export_saved_searches(_person, user) -> list[dict]:
    """The member's saved searches, for their data download."""
    if user is None:
        return []
    return [saved_search_to_dict(s) for s in db.session.scalars(saved_searches_query(user))]
