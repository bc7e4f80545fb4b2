"""Users, API tokens and single-use email tokens (verification, reset, claim invitations)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.core.models import TimestampMixin, UTCDateTime, new_id, utcnow
from directory.extensions import db

if TYPE_CHECKING:  # annotations only: importing these at run time would make import cycles
    from directory.missions.models import Mission
    from directory.people.models import Person
    from directory.reference.models import Province


ROLES = ("member", "embassy", "province", "admin")
OFFICIAL_ROLES = ("embassy", "province", "admin")


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(sa.String(16), primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(sa.String(20), default="member")
    mission_id: Mapped[str | None] = mapped_column(sa.ForeignKey("missions.id"), index=True)
    province_slug: Mapped[str | None] = mapped_column(sa.ForeignKey("provinces.slug"), index=True)
    is_approver: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    person_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("people.id", ondelete="SET NULL"), unique=True
    )
    display_name: Mapped[str | None] = mapped_column(sa.String(200))
    locale: Mapped[str | None] = mapped_column(sa.String(5))
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    is_active_flag: Mapped[bool] = mapped_column("is_active", sa.Boolean, default=True)
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    # The time-step (Unix time // 30) of the last second-factor code accepted: a code whose
    # step is not newer is refused, so that each code signs in once.
    totp_last_step: Mapped[int | None] = mapped_column(sa.Integer)
    # Raised when every session must end (password changed or reset). A session remembers the
    # value it was opened with, and the user loader refuses sessions holding an older one.
    session_epoch: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Wrong passwords in a row; at LOCKOUT_FAILURES the account is locked until locked_until.
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())

    mission: Mapped[Mission | None] = relationship("Mission", lazy="joined")
    province: Mapped[Province | None] = relationship("Province", lazy="joined")
    person: Mapped[Person | None] = relationship(
        "Person", foreign_keys=[person_id], back_populates="user"
    )

    __table_args__ = (
        sa.CheckConstraint("role in ('member','embassy','province','admin')", name="role"),
    )

    @property
    def is_active(self) -> bool:  # Flask-Login
        return bool(self.is_active_flag)

    @property
    def name(self) -> str:
        if self.person is not None and self.person.full_name:
            return self.person.full_name
        return self.display_name or self.email

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class ApiToken(db.Model):
    """A bearer token: only its SHA-256 is stored; the clear token is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(sa.String(16), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100), default="")
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # "read": safe methods only; "write": the user's full rights (TOKEN_SCOPES).
    scope: Mapped[str] = mapped_column(sa.String(10), default="write", server_default="write")
    # After this instant the token is refused (None: never, for tokens made before expiry).
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship("User")

    __table_args__ = (sa.CheckConstraint("scope in ('read','write')", name="api_token_scope"),)

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now

    def __repr__(self) -> str:
        return f"<ApiToken {self.prefix}…>"


class RecoveryCode(db.Model):
    """A single-use code that stands in for an authenticator code (lost phone): only its
    SHA-256 is stored; the clear codes are shown once, at enrolment or regeneration."""

    __tablename__ = "recovery_codes"

    id: Mapped[str] = mapped_column(sa.String(16), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (sa.UniqueConstraint("user_id", "code_hash", name="recovery_code_once"),)

    def __repr__(self) -> str:
        return f"<RecoveryCode {self.id} of {self.user_id}>"


class EmailToken(db.Model):
    """A single-use, expiring link sent by email: verify_email, reset_password or claim."""

    __tablename__ = "email_tokens"

    id: Mapped[str] = mapped_column(sa.String(16), primary_key=True, default=new_id)
    purpose: Mapped[str] = mapped_column(sa.String(20))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    user_id: Mapped[str | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    person_id: Mapped[str | None] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"))
    created_by_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<EmailToken {self.purpose} {self.id}>"
