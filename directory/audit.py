"""Recording audit events: who did what to which record, when and from where."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy.orm import Mapped, mapped_column

from directory.core.models import UTCDateTime, utcnow
from directory.extensions import db


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[str | None] = mapped_column(sa.String(16), index=True)
    actor_role: Mapped[str | None] = mapped_column(sa.String(20))
    action: Mapped[str] = mapped_column(sa.String(60), index=True)
    object_type: Mapped[str | None] = mapped_column(sa.String(40))
    object_id: Mapped[str | None] = mapped_column(sa.String(40))
    ip: Mapped[str | None] = mapped_column(sa.String(45))
    details: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    __table_args__ = (sa.Index("ix_audit_object", "object_type", "object_id"),)

    def __repr__(self) -> str:
        return f"<AuditEvent {self.action} {self.object_type}:{self.object_id}>"


def record(
    action: str,
    obj=None,
    *,
    actor=None,
    details: dict | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
) -> AuditEvent:
    """Add an audit event to the current transaction (committed with the change it records).

    ``details`` must never carry personal data beyond ids: field names, counts and codes only.
    """
    if actor is None and has_request_context() and current_user and current_user.is_authenticated:
        actor = current_user._get_current_object()
    if obj is not None:
        object_type = object_type or obj.__tablename__
        object_id = object_id or str(getattr(obj, "id", None) or getattr(obj, "slug", ""))
    ip = None
    if has_request_context():
        ip = (request.remote_addr or "")[:45] or None
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        actor_role=getattr(actor, "role", None),
        action=action,
        object_type=object_type,
        object_id=object_id,
        ip=ip,
        details=details or {},
    )
    db.session.add(event)
    return event
