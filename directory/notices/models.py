"""One notice to one user: its kind and parameters; its text is written when it is shown."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from directory.core.models import UTCDateTime, new_id, utcnow
from directory.extensions import db


class Notice(db.Model):
    """A notice for ``user_id``. ``kind`` names how its text is rendered (see services.py) from
    ``params`` (ids and codes, no personal data), in the recipient's language at display time;
    ``endpoint`` and ``endpoint_args`` are the page it points to."""

    __tablename__ = "notices"

    id: Mapped[str] = mapped_column(sa.String(16), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(60))
    params: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    endpoint: Mapped[str | None] = mapped_column(sa.String(80))
    endpoint_args: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (sa.Index("ix_notices_user_read", "user_id", "read_at"),)

    def __repr__(self) -> str:
        return f"<Notice {self.kind} {self.user_id}>"
