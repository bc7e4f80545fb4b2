"""Administration queries: users, the audit log and the dashboard figures."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from directory.accounts.models import ROLES, User
from directory.audit import AuditEvent
from directory.extensions import db
from directory.missions.models import Mission


def users_query(
    *,
    role: str | None = None,
    q: str | None = None,
    mission_id: str | None = None,
    province_slug: str | None = None,
    active: str | None = None,
) -> sa.Select:
    """Users matching the filters, by email."""
    stmt = sa.select(User).order_by(User.email)
    if role in ROLES:
        stmt = stmt.where(User.role == role)
    if q and q.strip():
        like = f"%{q.strip().lower()}%"
        stmt = stmt.where(
            sa.or_(User.email.like(like), sa.func.lower(User.display_name).like(like))
        )
    if mission_id:
        stmt = stmt.where(User.mission_id == mission_id)
    if province_slug:
        stmt = stmt.where(User.province_slug == province_slug)
    if active == "yes":
        stmt = stmt.where(User.is_active_flag.is_(True))
    elif active == "no":
        stmt = stmt.where(User.is_active_flag.is_(False))
    return stmt


def _local_midnight_utc(day: date) -> datetime:
    """Midnight of ``day`` in the application's time zone, as a UTC instant."""
    tz = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "UTC")
    return datetime.combine(day, time.min, tzinfo=tz).astimezone(ZoneInfo("UTC"))


def resolve_actor(value: str | None) -> str | None:
    """An actor filter given as an email or a user id -> the user id (or the value itself)."""
    value = (value or "").strip()
    if not value:
        return None
    if "@" in value:
        user = db.session.scalar(sa.select(User).where(User.email == value.lower()))
        return user.id if user is not None else "-"
    return value


def audit_query(
    *,
    actor: str | None = None,
    action: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> sa.Select:
    """Audit events matching the filters, newest first.

    ``actor`` is an email or a user id; ``action`` matches exactly or as a prefix
    (``person.`` finds every person action); dates are whole days, inclusive.
    """
    stmt = sa.select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    actor_id = resolve_actor(actor)
    if actor_id:
        stmt = stmt.where(AuditEvent.actor_id == actor_id)
    if action and action.strip():
        action = action.strip()
        stmt = stmt.where(
            sa.or_(
                AuditEvent.action == action, AuditEvent.action.startswith(action, autoescape=True)
            )
        )
    if object_type and object_type.strip():
        stmt = stmt.where(AuditEvent.object_type == object_type.strip())
    if object_id and object_id.strip():
        stmt = stmt.where(AuditEvent.object_id == object_id.strip())
    if date_from:
        stmt = stmt.where(AuditEvent.at >= _local_midnight_utc(date_from))
    if date_to:
        stmt = stmt.where(AuditEvent.at < _local_midnight_utc(date_to + timedelta(days=1)))
    return stmt


def actor_emails(events) -> dict[str, str]:
    """{user id: email} for the actors of ``events`` (deleted users are simply absent)."""
    ids = {e.actor_id for e in events if e.actor_id}
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(User.id, User.email).where(User.id.in_(ids))).all())


def object_types() -> list[str]:
    """The object types present in the audit log (for the filter)."""
    return [
        t
        for t in db.session.scalars(
            sa.select(AuditEvent.object_type).distinct().order_by(AuditEvent.object_type)
        )
        if t
    ]


def dashboard() -> dict:
    """Figures for the administration home page."""
    from directory.people.models import Person

    by_role = dict(
        db.session.execute(sa.select(User.role, sa.func.count()).group_by(User.role)).all()
    )
    return {
        "users_by_role": {r: by_role.get(r, 0) for r in ROLES},
        "missions": db.session.scalar(sa.select(sa.func.count()).select_from(Mission)) or 0,
        "people": db.session.scalar(sa.select(sa.func.count()).select_from(Person)) or 0,
        "recent": list(db.session.scalars(audit_query().limit(10))),
    }
