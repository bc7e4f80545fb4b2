"""Diaspora businesses as records of their own, and the people linked to them."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.core.models import TimestampMixin, UTCDateTime, new_id, utcnow
from directory.extensions import db

if TYPE_CHECKING:  # annotations only: importing these at run time would make import cycles
    from directory.missions.models import Mission
    from directory.people.models import Person

# Employees: micro 1-9, small 10-49, medium 50-249, large 250 and more (labels: inputs.py).
SIZE_BANDS = ("micro", "small", "medium", "large")
PRESENCE_KINDS = (
    "none",
    "representative_office",
    "subsidiary",
    "joint_venture",
    "invested_project",
)
INTEREST_KINDS = ("investment", "import", "export", "technology_transfer", "training")
# Indicative investment ticket, in US dollars.
TICKET_BANDS = ("under_100k", "100k_1m", "1m_10m", "over_10m")
LINK_ROLES = ("founder", "owner", "executive", "contact_person")
# A member linked (and accepted) in one of these roles manages the business page.
MANAGING_ROLES = ("owner", "executive")
VISIBILITY_LEVELS = ("public", "officials", "private")
# Field groups with their own visibility; "basic" is always shown to whoever may see the
# business at all: what it is and what it looks for in Vietnam (name, countries, sectors, size,
# presence, interests), which search filters and counts on. Which field is in which group:
# ``FIELD_GROUPS``.
VISIBILITY_GROUPS = ("profile", "contact")
FIELD_GROUPS = {
    "name": "basic",
    "country": "basic",
    "operates_in": "basic",
    "sectors": "basic",
    "size_band": "basic",
    "presence_in_vietnam": "basic",
    "interests": "basic",
    "other_names": "profile",
    "legal_form": "profile",
    "cities": "profile",
    "founded_year": "profile",
    "description": "profile",
    "people": "profile",
    "website": "contact",
    "email": "contact",
    "phone": "contact",
}


class Business(TimestampMixin, db.Model):
    __tablename__ = "businesses"

    id: Mapped[str] = mapped_column(sa.String(16), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(sa.String(200))
    other_names: Mapped[list] = mapped_column(sa.JSON, default=list)
    legal_form: Mapped[str | None] = mapped_column(sa.String(80))
    country: Mapped[str] = mapped_column(sa.String(2), index=True)
    operates_in: Mapped[list] = mapped_column(sa.JSON, default=list)
    cities: Mapped[list] = mapped_column(sa.JSON, default=list)
    sectors: Mapped[list] = mapped_column(sa.JSON, default=list)
    size_band: Mapped[str | None] = mapped_column(sa.String(10))
    founded_year: Mapped[int | None] = mapped_column(sa.Integer)
    website: Mapped[str | None] = mapped_column(sa.String(300))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    description: Mapped[str | None] = mapped_column(sa.Text)
    # [{"kind": PRESENCE_KINDS, "province": slug | None}]
    presence_in_vietnam: Mapped[list] = mapped_column(sa.JSON, default=list)
    # [{"kind": INTEREST_KINDS, "sectors": [...], "provinces": [...], "products": [...],
    #   "ticket_band": TICKET_BANDS | None}]
    interests: Mapped[list] = mapped_column(sa.JSON, default=list)
    # Duplicate checks: the folded name (with the country) and the website's domain.
    name_key: Mapped[str] = mapped_column(sa.String(200), index=True)
    website_domain: Mapped[str | None] = mapped_column(sa.String(200), index=True)

    consent_listed: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    visibility_profile: Mapped[str] = mapped_column(sa.String(10), default="officials")
    visibility_contact: Mapped[str] = mapped_column(sa.String(10), default="officials")

    provenance_mission_id: Mapped[str | None] = mapped_column(sa.ForeignKey("missions.id"))
    # The registering user's id, without a foreign key (as for people).
    registered_by_id: Mapped[str | None] = mapped_column(sa.String(16))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verified_by_mission_id: Mapped[str | None] = mapped_column(sa.ForeignKey("missions.id"))
    verified_by_id: Mapped[str | None] = mapped_column(sa.String(16))

    provenance_mission: Mapped[Mission | None] = relationship(
        "Mission", foreign_keys=[provenance_mission_id]
    )
    verified_by_mission: Mapped[Mission | None] = relationship(
        "Mission", foreign_keys=[verified_by_mission_id]
    )
    links: Mapped[list[BusinessPerson]] = relationship(
        back_populates="business",
        cascade="all, delete-orphan",
        order_by="BusinessPerson.created_at",
    )

    __table_args__ = (
        sa.CheckConstraint(
            "visibility_profile in ('public','officials','private')",
            name="business_visibility_profile",
        ),
        sa.CheckConstraint(
            "visibility_contact in ('public','officials','private')",
            name="business_visibility_contact",
        ),
        sa.CheckConstraint(
            "size_band is null or size_band in ('micro','small','medium','large')",
            name="business_size_band",
        ),
    )

    @property
    def verified(self) -> bool:
        return self.verified_at is not None

    @property
    def accepted_links(self) -> list[BusinessPerson]:
        return [link for link in self.links if link.accepted_at is not None]

    def __repr__(self) -> str:
        return f"<Business {self.id}>"


class BusinessPerson(db.Model):
    """A person's role in a business. It shows on the person's profile once accepted: by the
    person, or for a profile nobody has claimed, by the mission that registered it."""

    __tablename__ = "business_people"

    id: Mapped[str] = mapped_column(sa.String(16), primary_key=True, default=new_id)
    business_id: Mapped[str] = mapped_column(
        sa.ForeignKey("businesses.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[str] = mapped_column(
        sa.ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(sa.String(20))
    since: Mapped[date | None] = mapped_column(sa.Date)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_by_id: Mapped[str | None] = mapped_column(sa.String(16))
    proposed_by_id: Mapped[str | None] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    business: Mapped[Business] = relationship(back_populates="links")
    person: Mapped[Person] = relationship("Person")

    __table_args__ = (
        sa.UniqueConstraint("business_id", "person_id", "role", name="uq_business_person_role"),
        sa.CheckConstraint(
            "role in ('founder','owner','executive','contact_person')", name="business_link_role"
        ),
    )

    @property
    def accepted(self) -> bool:
        return self.accepted_at is not None

    def __repr__(self) -> str:
        return f"<BusinessPerson {self.business_id} {self.person_id} {self.role}>"
