"""Associations (hometown, professional, business) and their members."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.core.models import TimestampMixin, UTCDateTime, new_id, utcnow
from directory.extensions import db

if TYPE_CHECKING:  # annotations only: importing these at run time would make import cycles
    from directory.businesses.models import Business
    from directory.people.models import Person
    from directory.reference.models import Province


ASSOCIATION_KINDS = ("hometown", "professional", "business")
MEMBERSHIP_ROLES = ("president", "vice_president", "secretary", "treasurer", "board", "member")
LEADER_ROLES = ("president", "vice_president", "secretary", "treasurer", "board")
# A membership is proposed, then accepted or declined by the person (or, for an unclaimed
# profile, by the mission that registered it); only accepted ones are shown or count.
MEMBERSHIP_STATUSES = ("proposed", "accepted", "declined")


class Association(TimestampMixin, db.Model):
    __tablename__ = "associations"

    id: Mapped[str] = mapped_column(sa.String(16), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(sa.String(250))
    name_en: Mapped[str | None] = mapped_column(sa.String(250))
    kind: Mapped[str] = mapped_column(sa.String(20))
    province_slug: Mapped[str | None] = mapped_column(sa.ForeignKey("provinces.slug"), index=True)
    country: Mapped[str] = mapped_column(sa.String(2), index=True)
    city: Mapped[str | None] = mapped_column(sa.String(120))
    founded_year: Mapped[int | None] = mapped_column(sa.Integer)
    member_count: Mapped[int | None] = mapped_column(sa.Integer)
    fields: Mapped[list] = mapped_column(sa.JSON, default=list)
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    website: Mapped[str | None] = mapped_column(sa.String(300))
    description: Mapped[str | None] = mapped_column(sa.Text)
    provenance: Mapped[str] = mapped_column(sa.String(10), default="mission")
    provenance_mission_id: Mapped[str | None] = mapped_column(sa.ForeignKey("missions.id"))
    created_by_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    verified_by_mission_id: Mapped[str | None] = mapped_column(sa.ForeignKey("missions.id"))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    province: Mapped[Province | None] = relationship("Province")
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="association",
        cascade="all, delete-orphan",
        order_by="Membership.start_date",
    )

    business_members: Mapped[list[BusinessMember]] = relationship(
        back_populates="association",
        cascade="all, delete-orphan",
        order_by="BusinessMember.created_at",
    )

    __table_args__ = (
        sa.CheckConstraint("kind in ('hometown','professional','business')", name="kind"),
    )

    @property
    def verified(self) -> bool:
        return self.verified_at is not None

    def __repr__(self) -> str:
        return f"<Association {self.id}>"


class Membership(db.Model):
    __tablename__ = "memberships"

    id: Mapped[str] = mapped_column(sa.String(16), primary_key=True, default=new_id)
    association_id: Mapped[str] = mapped_column(
        sa.ForeignKey("associations.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[str] = mapped_column(
        sa.ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(sa.String(20), default="member")
    start_date: Mapped[date | None] = mapped_column(sa.Date)
    end_date: Mapped[date | None] = mapped_column(sa.Date)
    status: Mapped[str] = mapped_column(sa.String(10), default="proposed", index=True)
    proposed_by_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    proposed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    association: Mapped[Association] = relationship(back_populates="memberships")
    person: Mapped[Person] = relationship("Person")

    __table_args__ = (
        sa.CheckConstraint("status in ('proposed','accepted','declined')", name="status"),
    )

    @property
    def is_leader(self) -> bool:
        return self.role in LEADER_ROLES

    @property
    def accepted(self) -> bool:
        return self.status == "accepted"

    def __repr__(self) -> str:
        return f"<Membership {self.person_id} {self.role}>"


class BusinessMember(db.Model):
    """A business listed as a member of a business association (added by those who manage
    the association's members; shown to whoever may see the business)."""

    __tablename__ = "association_businesses"

    id: Mapped[str] = mapped_column(sa.String(16), primary_key=True, default=new_id)
    association_id: Mapped[str] = mapped_column(
        sa.ForeignKey("associations.id", ondelete="CASCADE"), index=True
    )
    business_id: Mapped[str] = mapped_column(
        sa.ForeignKey("businesses.id", ondelete="CASCADE"), index=True
    )
    since: Mapped[date | None] = mapped_column(sa.Date)
    added_by_id: Mapped[str | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    association: Mapped[Association] = relationship(back_populates="business_members")
    business: Mapped[Business] = relationship("Business")

    __table_args__ = (
        sa.UniqueConstraint("association_id", "business_id", name="uq_association_business"),
    )

    def __repr__(self) -> str:
        return f"<BusinessMember {self.association_id} {self.business_id}>"
