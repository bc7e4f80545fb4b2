"""Reading initiatives: what a user may see, the officials' inbox, history, the data download."""

from __future__ import annotations

import sqlalchemy as sa

from directory import policy
from directory.accounts.models import User
from directory.core import paging
from directory.core.models import isoformat
from directory.core.templating import nav_counter
from directory.extensions import db
from directory.initiatives.models import OPEN_STATES, Initiative, InitiativeEvent
from directory.initiatives.services import today
from directory.people.data_protection import export_section
from directory.policy.initiatives import assignee_clause, initiative_view_clause

# The submitter's view of the history: state changes and the answer, never notes nor who.
_SUBMITTER_ACTIONS = ("submit", "forward", "answer", "decline")


def get_visible(initiative_id: str, user) -> Initiative | None:
    """The initiative if ``user`` may see it, else None (missing and hidden look alike)."""
    if not isinstance(initiative_id, str) or len(initiative_id) > 64:
        return None
    initiative = db.session.get(Initiative, initiative_id)
    if initiative is None or not policy.can(user, "initiative.view", initiative):
        return None
    return initiative


def answering(need_id: str, viewer) -> list[Initiative]:
    """The initiatives answering the need ``need_id`` that ``viewer`` may see, newest first."""
    return list(
        db.session.scalars(
            sa.select(Initiative)
            .where(Initiative.need_id == need_id, initiative_view_clause(viewer))
            .order_by(Initiative.received_at.desc(), Initiative.id)
        )
    )


def overdue_condition(on=None):
    """SQL: still unanswered after the due date."""
    return sa.and_(Initiative.state.in_(OPEN_STATES), Initiative.due_on < (on or today()))


def list_initiatives(
    user,
    *,
    state: str | None = None,
    assignee: str | None = None,
    overdue: bool = False,
    province: str | None = None,
    own: bool = False,
    page: int = 1,
    per_page: int = 20,
) -> tuple[list[Initiative], int]:
    """One page of the initiatives ``user`` may see.

    ``own``: only those ``user`` submitted (newest first). Otherwise the inbox order: open
    ones first, the earliest due first. ``assignee``: a user id, ``"me"`` or ``"none"``.
    """
    query = sa.select(Initiative).where(initiative_view_clause(user))
    if own:
        query = query.where(Initiative.submitter_id == getattr(user, "id", None))
    if state:
        query = query.where(Initiative.state == state)
    if assignee == "me":
        query = query.where(Initiative.assignee_id == user.id)
    elif assignee == "none":
        query = query.where(Initiative.assignee_id.is_(None))
    elif assignee:
        query = query.where(Initiative.assignee_id == assignee)
    if overdue:
        query = query.where(overdue_condition())
    if province == "central":
        query = query.where(Initiative.province_slug.is_(None))
    elif province:
        query = query.where(Initiative.province_slug == province)
    if own:
        order = (Initiative.received_at.desc(), Initiative.id)
    else:
        still_open = sa.case((Initiative.state.in_(OPEN_STATES), 0), else_=1)
        order = (still_open, Initiative.due_on, Initiative.received_at, Initiative.id)
    listing = paging.page_of(query.order_by(*order), page, per_page)
    return list(listing.items), listing.total


def colleagues(initiative_or_province, *, central: bool = False) -> list[User]:
    """Who may be given initiatives of that province (the admins for the central body), by
    name: the policy's SQL twin of "initiative.assignee"."""
    slug = getattr(initiative_or_province, "province_slug", initiative_or_province)
    query = sa.select(User).where(assignee_clause(None if central else slug))
    return list(db.session.scalars(query.order_by(User.display_name, User.email)))


def user_names(ids) -> dict[str, str]:
    """{user id: display name} for the ids given (None and unknown ids left out)."""
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return {u.id: u.name for u in db.session.scalars(sa.select(User).where(User.id.in_(wanted)))}


def visible_to_submitter(event: InitiativeEvent) -> bool:
    """A state change or the answer: what the submitter's history shows."""
    return event.action != "note" and (event.changes_state or event.action in _SUBMITTER_ACTIONS)


def history_for(initiative: Initiative, viewer) -> list[InitiativeEvent]:
    """Officials: every event; the submitter: state changes and the answer."""
    if policy.can(viewer, "initiative.view_internal", initiative):
        return list(initiative.events)
    return [e for e in initiative.events if visible_to_submitter(e)]


def waiting_condition(user):
    """SQL: the initiatives waiting for ``user``'s next step (the navigation badge)."""
    from directory.policy.initiatives import decides, handles

    if user is None or not getattr(user, "is_active", False):
        return sa.false()
    slug = user.province_slug if user.role == "province" else None
    if not handles(user, slug):
        return sa.false()
    mine = Initiative.province_slug.is_(None) if slug is None else Initiative.province_slug == slug
    parts = []
    if handles(user, slug):
        parts.append(Initiative.state == "received")
        parts.append(
            sa.and_(
                Initiative.assignee_id == user.id,
                Initiative.state.in_(("assigned", "under_review")),
            )
        )
    if decides(user, slug):
        parts.append(Initiative.state == "answered")
    return sa.and_(mine, sa.or_(*parts)) if parts else sa.false()


@nav_counter("initiatives")
def waiting_count(user) -> int:
    """How many initiatives wait for ``user`` (the navigation badge)."""
    return (
        db.session.scalar(sa.select(sa.func.count(Initiative.id)).where(waiting_condition(user)))
        or 0
    )


@export_section("initiatives")
def export_for_submitter(_person, user) -> list[dict]:
    """The member's initiatives for their data download: what they see, never private notes."""
    if user is None:
        return []
    rows = db.session.scalars(
        sa.select(Initiative)
        .where(Initiative.submitter_id == user.id)
        .order_by(Initiative.received_at)
    ).all()
    return [
        {
            "id": i.id,
            "province": i.province_slug,
            "title": i.title,
            "fields": list(i.fields or []),
            "text": i.text,
            "links": list(i.links or []),
            "state": i.state,
            "received_at": isoformat(i.received_at),
            "due_on": isoformat(i.due_on),
            "answer": i.answer,
            "answered_at": isoformat(i.answered_at),
            "history": [
                {"action": e.action, "at": isoformat(e.at), "to_state": e.to_state}
                for e in i.events
                if visible_to_submitter(e)
            ],
        }
        for i in rows
    ]
