"""Representative nominations and appointments (see workflow.py).

A nomination in state ``active`` *is* the appointment: one active representative per
(province, country, region), the *seat*, enforced by a partial unique index so that concurrent
approvals cannot both win. ``region`` is stored as ``''`` when absent (the whole country) so
that the index compares equal; the workflow compares regions folded (case, accents, spacing)
and stores a new nomination with the spelling its seat already has.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.core.models import TimestampMixin, UTCDateTime, new_id, utcnow
from directory.extensions import db

if TYPE_CHECKING:  # annotations only: importing these at run time would make import cycles
    from directory.accounts.models import User
    from directory.people.models import Person
    from directory.reference.models import Province


STATES = (
    "draft",
    "embassy_review",
    "objected",
    "awaiting_consent",
    "declined",
    "awaiting_approval",
    "rejected",
    "active",
    "expired",
    "revoked",
    "resigned",
    "withdrawn",
)
# States in which the nomination is still on its way to an appointment.
OPEN_STATES = ("draft", "embassy_review", "awaiting_consent", "awaiting_approval")
# Open and already in front of someone outside the province: the seat is being filled.
PENDING_STATES = ("embassy_review", "awaiting_consent", "awaiting_approval")
ENDED_STATES = ("expired", "revoked", "resigned")

_ACTIVE = sa.text("state = 'active'")


class Nomination(TimestampMixin, db.Model):
    __tablename__ = "nominations"

    id: Mapped[str] = mapped_column(sa.String(16), primary_key=True, default=new_id)
    province_slug: Mapped[str] = mapped_column(sa.ForeignKey("provinces.slug"))
    person_id: Mapped[str] = mapped_column(sa.ForeignKey("people.id"), index=True)
    country: Mapped[str] = mapped_column(sa.String(2), index=True)
    region: Mapped[str] = mapped_column(sa.String(120), default="", server_default="")
    rationale: Mapped[str] = mapped_column(sa.Text)
    term_start: Mapped[date | None] = mapped_column(sa.Date)
    term_end: Mapped[date | None] = mapped_column(sa.Date)
    state: Mapped[str] = mapped_column(sa.String(20), default="draft", index=True)
    created_by_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    previous_nomination_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("nominations.id", ondelete="SET NULL")
    )
    # The nominee did not live in the host country: the province confirmed it at creation (or
    # the mission acknowledged it at endorsement); ``residence_country`` is where they lived
    # then (None when their profile did not say).
    residence_exception: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    residence_country: Mapped[str | None] = mapped_column(sa.String(2))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the nominee was asked (endorsement): from then on they may see the nomination.
    consent_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    invitation_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    person: Mapped[Person] = relationship("Person", lazy="joined")
    province: Mapped[Province] = relationship("Province")
    created_by: Mapped[User | None] = relationship("User", foreign_keys=[created_by_id])
    previous: Mapped[Nomination | None] = relationship("Nomination", remote_side=[id])
    events: Mapped[list[NominationEvent]] = relationship(
        back_populates="nomination",
        cascade="all, delete-orphan",
        order_by=lambda: [NominationEvent.at, NominationEvent.seq],
    )

    __table_args__ = (
        sa.CheckConstraint("state in (" + ",".join(f"'{s}'" for s in STATES) + ")", name="state"),
        sa.Index(
            "uq_nominations_active_seat",
            "province_slug",
            "country",
            "region",
            unique=True,
            postgresql_where=_ACTIVE,
            sqlite_where=_ACTIVE,
        ),
        sa.Index("ix_nominations_seat", "province_slug", "country", "region"),
    )

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def __repr__(self) -> str:
        return f"<Nomination {self.id} {self.province_slug}/{self.country} {self.state}>"


class NominationEvent(db.Model):
    """One transition of a nomination: who, when, from which state to which, and why."""

    __tablename__ = "nomination_events"

    id: Mapped[str] = mapped_column(sa.String(16), primary_key=True, default=new_id)
    nomination_id: Mapped[str] = mapped_column(
        sa.ForeignKey("nominations.id", ondelete="CASCADE"), index=True
    )
    # Orders events recorded within the same clock tick (ids are random).
    seq: Mapped[int] = mapped_column(sa.Integer, default=0)
    action: Mapped[str] = mapped_column(sa.String(20))
    actor_id: Mapped[str | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    from_state: Mapped[str | None] = mapped_column(sa.String(20))
    to_state: Mapped[str] = mapped_column(sa.String(20))
    # This step was taken knowing that the nominee lives outside the host country (the
    # province's confirmation at creation, the mission's acknowledgement at endorsement).
    residence_exception: Mapped[bool] = mapped_column(sa.Boolean, default=False)

    nomination: Mapped[Nomination] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship("User")

    def __repr__(self) -> str:
        return f"<NominationEvent {self.action} {self.from_state}->{self.to_state}>"
