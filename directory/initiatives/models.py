"""Initiatives: a member's proposal to a province (or to the central body) and its answer.

```
received --triage--> triaged --assign--> assigned --review--> under_review --answer--> answered
answered --adopt--> adopted | --decline--> declined
withdrawn: by the submitter, before an answer;  forward: to another province, back to received
```

``province_slug`` NULL means the central body. ``version`` grows with every transition: a
transition is a compare-and-set on (state, version), so that of two concurrent steps on one
initiative exactly one is taken (see services.py).
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
    from directory.needs.models import Need


STATES = (
    "received",
    "triaged",
    "assigned",
    "under_review",
    "answered",
    "adopted",
    "declined",
    "withdrawn",
)
# Before the answer: the due date runs, the submitter may withdraw, an officer may forward.
OPEN_STATES = ("received", "triaged", "assigned", "under_review")
CLOSED_STATES = ("adopted", "declined", "withdrawn")

MAX_TITLE = 200
MAX_TEXT = 10_000
MAX_LINKS = 10
MAX_LINK = 500
MAX_FIELDS = 10
MAX_ANSWER = 10_000
MAX_NOTE = 5_000


class Initiative(TimestampMixin, db.Model):
    __tablename__ = "initiatives"

    id: Mapped[str] = mapped_column(sa.String(16), primary_key=True, default=new_id)
    submitter_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # NULL: addressed to the central body.
    province_slug: Mapped[str | None] = mapped_column(sa.ForeignKey("provinces.slug"), index=True)
    title: Mapped[str] = mapped_column(sa.String(MAX_TITLE))
    fields: Mapped[list] = mapped_column(sa.JSON, default=list)
    text: Mapped[str] = mapped_column(sa.Text)
    links: Mapped[list] = mapped_column(sa.JSON, default=list)
    # The cooperation need the initiative answers, if any (unset when the need is deleted).
    need_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("needs.id", ondelete="SET NULL"), index=True
    )
    state: Mapped[str] = mapped_column(sa.String(20), default="received", index=True)
    version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    due_on: Mapped[date] = mapped_column(sa.Date, index=True)
    assignee_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    answer: Mapped[str | None] = mapped_column(sa.Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_by_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When its handlers were told it is overdue (once: ``flask initiatives remind-overdue``).
    overdue_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    submitter: Mapped[User | None] = relationship("User", foreign_keys=[submitter_id])
    assignee: Mapped[User | None] = relationship("User", foreign_keys=[assignee_id])
    need: Mapped[Need | None] = relationship("Need")
    events: Mapped[list[InitiativeEvent]] = relationship(
        back_populates="initiative",
        cascade="all, delete-orphan",
        order_by=lambda: [InitiativeEvent.at, InitiativeEvent.seq],
    )
    notes: Mapped[list[InitiativeNote]] = relationship(
        back_populates="initiative",
        cascade="all, delete-orphan",
        order_by=lambda: [InitiativeNote.at, InitiativeNote.id],
    )

    __table_args__ = (
        sa.CheckConstraint("state in (" + ",".join(f"'{s}'" for s in STATES) + ")", name="state"),
        sa.Index("ix_initiatives_province_state", "province_slug", "state"),
    )

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def __repr__(self) -> str:
        return f"<Initiative {self.id} {self.province_slug or 'central'} {self.state}>"


class InitiativeEvent(db.Model):
    """One step of an initiative: who, when, from which state to which, with what input.

    ``comment`` holds the answer (answer, decline); ``details`` the ids a step names
    (``assignee_id``, ``from_province``, ``to_province``); private notes live apart.
    """

    __tablename__ = "initiative_events"

    id: Mapped[str] = mapped_column(sa.String(16), primary_key=True, default=new_id)
    initiative_id: Mapped[str] = mapped_column(
        sa.ForeignKey("initiatives.id", ondelete="CASCADE"), index=True
    )
    # Orders events recorded within the same clock tick (ids are random).
    seq: Mapped[int] = mapped_column(sa.Integer, default=0)
    action: Mapped[str] = mapped_column(sa.String(20))
    actor_id: Mapped[str | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    from_state: Mapped[str | None] = mapped_column(sa.String(20))
    to_state: Mapped[str] = mapped_column(sa.String(20))
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    details: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    initiative: Mapped[Initiative] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship("User")

    @property
    def changes_state(self) -> bool:
        return self.from_state != self.to_state

    def __repr__(self) -> str:
        return f"<InitiativeEvent {self.action} {self.from_state}->{self.to_state}>"


class InitiativeNote(db.Model):
    """A private note of the officials handling an initiative: never shown to the submitter."""

    __tablename__ = "initiative_notes"

    id: Mapped[str] = mapped_column(sa.String(16), primary_key=True, default=new_id)
    initiative_id: Mapped[str] = mapped_column(
        sa.ForeignKey("initiatives.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[str | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    text: Mapped[str] = mapped_column(sa.Text)

    initiative: Mapped[Initiative] = relationship(back_populates="notes")
    author: Mapped[User | None] = relationship("User")

    def __repr__(self) -> str:
        return f"<InitiativeNote {self.id}>"
