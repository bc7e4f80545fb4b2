"""One saved search of one user: a name and the search's validated parameters."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from directory.core.models import UTCDateTime, new_id, utcnow
from directory.extensions import db

NAME_MAX = 100
# Saved searches a user may keep at once.
PER_USER_MAX = 50


class SavedSearch(db.Model):
    """``query`` holds the search's parameters as the search page's query string names them,
    canonical (codes and slugs), without the page: ``{"q": "…", "kind": ["expert"], "sort":
    "name", "added_since": "2026-09-01"}``; what a run finds is decided for the viewer then."""

    __tablename__ = "saved_searches"

    id: Mapped[str] = mapped_column(sa.String(16), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(NAME_MAX))
    query: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # When the owner last opened it: "new since last time" counts from that day.
    last_opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        sa.UniqueConstraint("user_id", "name", name="uq_saved_searches_user_name"),
        sa.Index("ix_saved_searches_user", "user_id", "created_at"),
    )

    def __repr__(self) -> str:
        return f"<SavedSearch {self.name!r} {self.user_id}>"
