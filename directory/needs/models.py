"""A province's cooperation needs, members' interest in them and the province's shortlists."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.core.models import TimestampMixin, UTCDateTime, new_id, utcnow
from directory.extensions import db

if TYPE_CHECKING:  # annotations only: importing these at run time would make import cycles
    from directory.people.models import Person

NEED_TYPES = ("investment", "expertise", "technology_transfer", "training", "trade_promotion")
# public: any visitor and member reads it; officials: the officials who may see it (policy).
AUDIENCES = ("public", "officials")
STATUSES = ("open", "in_progress", "closed")


class Need(TimestampMixin, db.Model):
    __tablename__ = "needs"

    id: Mapped[str] = mapped_column(sa.String(16), primary_key=True, default=new_id)
    province_slug: Mapped[str] = mapped_column(sa.ForeignKey("provinces.slug"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    type: Mapped[str] = mapped_column(sa.String(30))
    fields: Mapped[list] = mapped_column(sa.JSON, default=list)
    countries: Mapped[list] = mapped_column(sa.JSON, default=list)
    # [{"title": str, "due": "YYYY-MM-DD"}], in date order.
    milestones: Mapped[list] = mapped_column(sa.JSON, default=list)
    deadline: Mapped[date | None] = mapped_column(sa.Date)
    audience: Mapped[str] = mapped_column(sa.String(10), default="officials")
    status: Mapped[str] = mapped_column(sa.String(12), default="open", index=True)
    created_by_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    interests: Mapped[list[NeedInterest]] = relationship(
        back_populates="need", cascade="all, delete-orphan", order_by="NeedInterest.created_at"
    )
    shortlist: Mapped[list[ShortlistEntry]] = relationship(
        back_populates="need", cascade="all, delete-orphan", order_by="ShortlistEntry.created_at"
    )

    __table_args__ = (
        sa.CheckConstraint(
            "type in ('investment','expertise','technology_transfer','training','trade_promotion')",
            name="need_type",
        ),
        sa.CheckConstraint("audience in ('public','officials')", name="need_audience"),
        sa.CheckConstraint("status in ('open','in_progress','closed')", name="need_status"),
    )

    def __repr__(self) -> str:
        return f"<Need {self.id}>"


class NeedInterest(db.Model):
    """A member's interest in a need, with a short message; one per need and person."""

    __tablename__ = "need_interests"

    id: Mapped[str] = mapped_column(sa.String(16), primary_key=True, default=new_id)
    need_id: Mapped[str] = mapped_column(sa.ForeignKey("needs.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[str] = mapped_column(
        sa.ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    message: Mapped[str] = mapped_column(sa.String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    need: Mapped[Need] = relationship(back_populates="interests")
    person: Mapped[Person] = relationship("Person")

    __table_args__ = (sa.UniqueConstraint("need_id", "person_id", name="uq_need_interest"),)


class ShortlistEntry(TimestampMixin, db.Model):
    """A candidate the province keeps for a need, with the officer's note."""

    __tablename__ = "need_shortlist"

    id: Mapped[str] = mapped_column(sa.String(16), primary_key=True, default=new_id)
    need_id: Mapped[str] = mapped_column(sa.ForeignKey("needs.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[str] = mapped_column(
        sa.ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    note: Mapped[str] = mapped_column(sa.String(1000), default="")
    added_by_id: Mapped[str | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    need: Mapped[Need] = relationship(back_populates="shortlist")
    person: Mapped[Person] = relationship("Person")

    __table_args__ = (sa.UniqueConstraint("need_id", "person_id", name="uq_need_shortlist"),)
