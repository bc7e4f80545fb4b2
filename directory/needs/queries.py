"""Reading needs: what a viewer may list and open, interest counts, the JSON shape."""

from __future__ import annotations

import sqlalchemy as sa

from directory import policy
from directory.core.models import isoformat
from directory.extensions import db
from directory.needs.models import (
    Need,
    NeedInterest,
    ShortlistEntry,
)
from directory.people.data_protection import export_section


def get_visible(need_id: str | None, user) -> Need | None:
    """The need if it exists and ``user`` may read it (ids the user may not see look missing)."""
    need = db.session.get(Need, need_id) if need_id and len(need_id) <= 16 else None
    if need is None or not policy.can(user, "need.view", need):
        return None
    return need


def needs_query(user, filters: dict | None = None) -> sa.Select:
    """The needs ``user`` may read, newest first, narrowed by ``filters`` (canonical values).

    ``filters``: ``field`` (code), ``country`` (ISO), ``province`` (slug), ``type``, ``status``.
    """
    from directory.policy.needs import need_view_clause

    filters = filters or {}
    query = sa.select(Need).where(need_view_clause(user))
    # Codes hold no quote: a quoted code inside the stored JSON list is that element.
    if filters.get("field"):
        query = query.where(sa.cast(Need.fields, sa.Text).like(f'%"{filters["field"]}"%'))
    if filters.get("country"):
        query = query.where(sa.cast(Need.countries, sa.Text).like(f'%"{filters["country"]}"%'))
    if filters.get("province"):
        query = query.where(Need.province_slug == filters["province"])
    if filters.get("type"):
        query = query.where(Need.type == filters["type"])
    if filters.get("status"):
        query = query.where(Need.status == filters["status"])
    return query.order_by(Need.created_at.desc(), Need.id)


def interest_counts(need_ids) -> dict[str, int]:
    """need id -> number of members who expressed interest."""
    ids = list(need_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(NeedInterest.need_id, sa.func.count(NeedInterest.id))
        .where(NeedInterest.need_id.in_(ids))
        .group_by(NeedInterest.need_id)
    ).all()
    return {need_id: count for need_id, count in rows}


def interest_of(need: Need, user) -> NeedInterest | None:
    """The interest ``user``'s profile expressed in ``need``, if any."""
    person_id = getattr(user, "person_id", None)
    if person_id is None:
        return None
    return db.session.scalar(
        sa.select(NeedInterest).where(
            NeedInterest.need_id == need.id, NeedInterest.person_id == person_id
        )
    )


def shortlisted_ids(need: Need) -> set[str]:
    return set(
        db.session.scalars(
            sa.select(ShortlistEntry.person_id).where(ShortlistEntry.need_id == need.id)
        )
    )


def interested_ids(need: Need) -> set[str]:
    return set(
        db.session.scalars(sa.select(NeedInterest.person_id).where(NeedInterest.need_id == need.id))
    )


def need_to_dict(need: Need, count: int | None = None) -> dict:
    """The contract's JSON shape of a need."""
    if count is None:
        count = interest_counts([need.id]).get(need.id, 0)
    return {
        "id": need.id,
        "province": need.province_slug,
        "title": need.title,
        "description": need.description or "",
        "type": need.type,
        "fields": list(need.fields or []),
        "countries": list(need.countries or []),
        "milestones": [dict(m) for m in need.milestones or []],
        "deadline": isoformat(need.deadline),
        "audience": need.audience,
        "status": need.status,
        "interest_count": count,
        "created_at": isoformat(need.created_at),
        "updated_at": isoformat(need.updated_at),
    }


@export_section("need_interests")
def export_interests(person, _user) -> list[dict]:
    """The member's expressions of interest, for their data download."""
    rows = db.session.scalars(
        sa.select(NeedInterest)
        .where(NeedInterest.person_id == person.id)
        .order_by(NeedInterest.created_at, NeedInterest.id)
    ).all()
    return [
        {
            "need_id": i.need_id,
            "need_title": i.need.title,
            "province": i.need.province_slug,
            "message": i.message,
            "at": isoformat(i.created_at),
        }
        for i in rows
    ]
