"""Contact requests: an official asks to be put in touch with a person; the member answers.

A request may be about a business: it is then addressed to the business's contact person, under
the same rules. At most one pending request per (official, person): a partial unique index, so that two
requests sent at the same moment cannot both be stored. The member's answer records which
contact details they share (``shared``); the official then reads the current values of those
fields of the person's record, for that request only.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.core.models import TimestampMixin, UTCDateTime, new_id
from directory.extensions import db

if TYPE_CHECKING:  # annotations only: importing these at run time would make import cycles
    from directory.accounts.models import User
    from directory.businesses.models import Business
    from directory.needs.models import Need
    from directory.people.models import Person


STATES = ("pending", "accepted", "declined", "withdrawn", "expired")
# The contact details a member may share, in the order they are offered.
SHAREABLE = ("email", "phone", "website")
MAX_MESSAGE = 2000
MAX_REASON = 1000

_PENDING = sa.text("state = 'pending'")


class ContactRequest(TimestampMixin, db.Model):
    __tablename__ = "contact_requests"

    id: Mapped[str] = mapped_column(sa.String(16), primary_key=True, default=new_id)
    person_id: Mapped[str] = mapped_column(
        sa.ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    requester_id: Mapped[str] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    # The cooperation need the request is about, if any (kept when the need is deleted: unset).
    need_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("needs.id", ondelete="SET NULL"), index=True
    )
    # A request about a business is addressed to its contact person (``person_id``: see
    # ``businesses.queries.contact_person``) and names the business (unset if it is deleted).
    business_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("businesses.id", ondelete="SET NULL"), index=True
    )
    message: Mapped[str] = mapped_column(sa.Text)
    state: Mapped[str] = mapped_column(sa.String(12), default="pending", index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The member's answer: when, what they share (accepted), why not (declined, optional).
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    shared: Mapped[list] = mapped_column(sa.JSON, default=list)
    reason: Mapped[str | None] = mapped_column(sa.Text)
    # Withdrawn by the official or expired.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    person: Mapped[Person] = relationship("Person")
    requester: Mapped[User] = relationship("User", foreign_keys=[requester_id])
    need: Mapped[Need | None] = relationship("Need")
    business: Mapped[Business | None] = relationship("Business")

    __table_args__ = (
        sa.CheckConstraint("state in (" + ",".join(f"'{s}'" for s in STATES) + ")", name="state"),
        sa.Index(
            "uq_contact_requests_pending",
            "requester_id",
            "person_id",
            unique=True,
            postgresql_where=_PENDING,
            sqlite_where=_PENDING,
        ),
        # The daily limit counts an official's requests of the last 24 hours.
        sa.Index("ix_contact_requests_requester_created", "requester_id", "created_at"),
    )

    @property
    def is_pending(self) -> bool:
        return self.state == "pending"

    def __repr__(self) -> str:
        return f"<ContactRequest {self.id} {self.state}>"
