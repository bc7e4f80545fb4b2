"""Person profiles and the consent records that back them."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.core.models import TimestampMixin, UTCDateTime, new_id, utcnow
from directory.extensions import db
from directory.people import field_tags

if TYPE_CHECKING:  # annotations only: importing these at run time would make import cycles
    from directory.accounts.models import User
    from directory.missions.models import Mission
    from directory.reference.models import Province


KINDS = ("expert", "entrepreneur")
VISIBILITY_LEVELS = ("public", "officials", "private")
# Field groups whose visibility the member chooses (which field is in which group:
# ``directory.people.fields``); the name and country are always shown to whoever may see the
# profile at all.
VISIBILITY_GROUPS = ("profile", "contact")
PROVENANCE_KINDS = ("self", "mission", "import")
CONSENT_PURPOSES = ("listed", "contact")
# How consent given outside the directory reached the mission (recorded by an official).
EVIDENCE_SOURCES = ("paper", "email", "in_person", "online_form")
# Where a consent record comes from: the member in the directory, an official without evidence
# (a refusal or a withdrawal), or an official with evidence of consent given elsewhere.
CONSENT_SOURCES = ("member", "official", *EVIDENCE_SOURCES)


class Person(TimestampMixin, db.Model):
    __tablename__ = "people"

    id: Mapped[str] = mapped_column(sa.String(16), primary_key=True, default=new_id)
    full_name: Mapped[str] = mapped_column(sa.String(200))
    other_names: Mapped[list] = mapped_column(sa.JSON, default=list)
    kinds: Mapped[list] = mapped_column(sa.JSON, default=list)
    fields: Mapped[list] = mapped_column(sa.JSON, default=list)
    skills: Mapped[list] = mapped_column(sa.JSON, default=list)
    title: Mapped[str | None] = mapped_column(sa.String(200))
    organization: Mapped[str | None] = mapped_column(sa.String(200))
    sector: Mapped[str | None] = mapped_column(sa.String(200))
    education: Mapped[str | None] = mapped_column(sa.Text)
    languages: Mapped[list] = mapped_column(sa.JSON, default=list)
    country: Mapped[str | None] = mapped_column(sa.String(2))  # indexed below
    city: Mapped[str | None] = mapped_column(sa.String(120))
    hometown_province: Mapped[str | None] = mapped_column(
        sa.ForeignKey("provinces.slug")
    )  # indexed below
    hometown_as_given: Mapped[str | None] = mapped_column(sa.String(120))
    company: Mapped[str | None] = mapped_column(sa.String(200))
    company_sector: Mapped[str | None] = mapped_column(sa.String(200))
    company_size: Mapped[str | None] = mapped_column(sa.String(40))
    company_website: Mapped[str | None] = mapped_column(sa.String(300))
    email: Mapped[str | None] = mapped_column(sa.String(254), index=True)
    phone: Mapped[str | None] = mapped_column(sa.String(20), index=True)
    website: Mapped[str | None] = mapped_column(sa.String(300))
    links: Mapped[list] = mapped_column(sa.JSON, default=list)
    bio: Mapped[str | None] = mapped_column(sa.Text)
    birth_year: Mapped[int | None] = mapped_column(sa.Integer)
    # Folded name key (diacritics, case, spacing and name order removed) for duplicate checks.
    name_key: Mapped[str | None] = mapped_column(sa.String(200), index=True)

    visibility_profile: Mapped[str] = mapped_column(sa.String(10), default="officials")
    visibility_contact: Mapped[str] = mapped_column(sa.String(10), default="private")
    consent_listed: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    consent_contact: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    contact_requests_enabled: Mapped[bool] = mapped_column(
        sa.Boolean, default=True, server_default=sa.true()
    )
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    consent_notice_version: Mapped[str | None] = mapped_column(sa.String(20))

    provenance: Mapped[str] = mapped_column(sa.String(10), default="self")
    provenance_mission_id: Mapped[str | None] = mapped_column(sa.ForeignKey("missions.id"))
    provenance_source: Mapped[str | None] = mapped_column(sa.String(255))
    # The registering official's user id, kept without a foreign key: users and people refer
    # to each other, and the record must survive the official's account being removed.
    registered_by_id: Mapped[str | None] = mapped_column(sa.String(16))
    # Where each merged field came from, e.g. {"phone": {"source": "import:file.xlsx", "at": ...}}
    field_sources: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    verified_by_mission_id: Mapped[str | None] = mapped_column(sa.ForeignKey("missions.id"))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The verified fields' values when the mission verified them (VERIFIED_FIELDS): a later
    # change to one of them shows as "changed since verification".
    verified_values: Mapped[dict | None] = mapped_column(sa.JSON)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User | None] = relationship(
        "User", foreign_keys="User.person_id", back_populates="person", uselist=False
    )
    provenance_mission: Mapped[Mission | None] = relationship(
        "Mission", foreign_keys=[provenance_mission_id]
    )
    verified_by_mission: Mapped[Mission | None] = relationship(
        "Mission", foreign_keys=[verified_by_mission_id]
    )
    hometown: Mapped[Province | None] = relationship("Province")
    consents: Mapped[list[ConsentRecord]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="ConsentRecord.created_at"
    )

    __table_args__ = (
        # The dashboards count a province's diaspora and a mission's people by these two keys;
        # the indexes also carry the columns those counts read (for the hometown, on
        # PostgreSQL only), so that they are index-only scans instead of one table page per
        # person (bench/dashboards.py).
        sa.Index(
            "ix_people_hometown_province",
            "hometown_province",
            postgresql_include=[
                "id",
                "anonymised_at",
                "consent_listed",
                "country",
                "verified_at",
                "created_at",
                "kinds",
                "fields",
            ],
        ),
        # Key columns rather than INCLUDE here: SQLite's index then covers the count too.
        sa.Index("ix_people_country", "country", "anonymised_at", "verified_at", "id"),
        sa.CheckConstraint(
            "visibility_profile in ('public','officials','private')", name="visibility_profile"
        ),
        sa.CheckConstraint(
            "visibility_contact in ('public','officials','private')", name="visibility_contact"
        ),
    )

    @property
    def verified(self) -> bool:
        return self.verified_at is not None

    @property
    def changed_since_verification(self) -> list[str]:
        """The verified fields whose value differs from the one the mission verified."""
        return changed_since_verification(self)

    @property
    def verification_holds(self) -> bool:
        """Verified, and no verified field changed since."""
        return verification_holds(self)

    def record_verification(self, mission_id: str | None, at: datetime) -> None:
        """Mark the profile verified now, keeping the verified fields' values."""
        from directory.people.fields import VERIFIED_FIELDS

        self.verified_by_mission_id = mission_id
        self.verified_at = at
        self.verified_values = {f: getattr(self, f) for f in VERIFIED_FIELDS}

    @property
    def claimed(self) -> bool:
        return self.user is not None

    def __repr__(self) -> str:
        return f"<Person {self.id}>"


class PersonFieldTag(db.Model):
    """One of a person's fields, as a row with the flags the dashboards count by (kept by
    database triggers from ``people``: ``directory.people.field_tags``; never written here)."""

    __tablename__ = "person_field_tags"

    person_id: Mapped[str] = mapped_column(
        sa.ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    listed: Mapped[bool] = mapped_column(sa.Boolean)
    reachable: Mapped[bool] = mapped_column(sa.Boolean)

    __table_args__ = (
        # People by field (and the contactable ones) read this index only.
        sa.Index("ix_person_field_tags_code", "code", "listed", "reachable"),
    )


field_tags.register(PersonFieldTag.__table__)


class ConsentRecord(db.Model):
    """One consent given or withdrawn: what, when, which privacy notice version, and how.

    ``source`` says who gave it: ``member`` (the person, online in the directory), ``official``
    (an official recorded a refusal or a withdrawal), or the evidence an official recorded for
    consent given elsewhere (``paper``, ``email``, ``in_person``, ``online_form``) with the date
    it was given (``evidence_date``) and a reference (``evidence_reference``). ``user_id`` is who
    recorded it.
    """

    __tablename__ = "consent_records"

    id: Mapped[str] = mapped_column(sa.String(16), primary_key=True, default=new_id)
    person_id: Mapped[str] = mapped_column(
        sa.ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(sa.String(20))  # listed | contact
    granted: Mapped[bool] = mapped_column(sa.Boolean)
    notice_version: Mapped[str] = mapped_column(sa.String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    user_id: Mapped[str | None] = mapped_column(sa.String(16))
    source: Mapped[str | None] = mapped_column(sa.String(20))
    evidence_date: Mapped[date | None] = mapped_column(sa.Date)
    evidence_reference: Mapped[str | None] = mapped_column(sa.String(200))

    person: Mapped[Person] = relationship(back_populates="consents")

    def __repr__(self) -> str:
        return f"<ConsentRecord {self.purpose}={self.granted}>"


def changed_since_verification(person) -> list[str]:
    """The verified fields whose value differs from the one the mission verified, for a
    ``Person`` or a plain row of its columns (the search's rebuild reads rows)."""
    from directory.people.fields import VERIFIED_FIELDS

    if person.verified_at is None or not person.verified_values:
        return []
    return [f for f in VERIFIED_FIELDS if person.verified_values.get(f) != getattr(person, f)]


def verification_holds(person) -> bool:
    """Verified, and no verified field changed since (a ``Person`` or a row of its columns)."""
    return person.verified_at is not None and not changed_since_verification(person)
