"""Email links: single-use tokens that verify an address, reset a password or claim a profile.

Also the sign-up and an official's account setup, which send such a link. Only a hash of each
token is stored; a link is used up once it has served.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from directory import audit
from directory.accounts.models import EmailToken, User
from directory.accounts.passwords import hash_password
from directory.accounts.services import (
    clean_email,
    create_user,
    end_sessions_and_tokens,
    password_problem,
    user_by_email,
)
from directory.core.errors import ValidationError
from directory.core.mail import send_mail
from directory.core.models import utcnow
from directory.extensions import db

PURPOSES = ("verify_email", "reset_password", "claim")


class TokenInvalid(Exception):
    """An email link that cannot be used: ``reason`` is ``unknown``, ``used`` or ``expired``."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def hash_email_token(raw: str) -> str:
    """SHA-256 of a clear email token (only the hash is stored)."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def issue_email_token(
    purpose: str,
    email: str,
    ttl: timedelta,
    *,
    user: User | None = None,
    person=None,
    created_by: User | None = None,
) -> tuple[EmailToken, str]:
    """A new single-use token (added to the session); returns the row and the clear token."""
    if purpose not in PURPOSES:
        raise ValueError(purpose)
    raw = secrets.token_urlsafe(32)
    token = EmailToken(
        purpose=purpose,
        token_hash=hash_email_token(raw),
        email=email,
        user_id=user.id if user is not None else None,
        person_id=person.id if person is not None else None,
        created_by_id=created_by.id if created_by is not None else None,
        expires_at=utcnow() + ttl,
    )
    db.session.add(token)
    db.session.flush()
    return token, raw


def find_email_token(raw: str | None, purpose: str) -> EmailToken:
    """The usable token for this clear value, or :class:`TokenInvalid` with the reason."""
    if not raw or len(raw) > 200:
        raise TokenInvalid("unknown")
    token = db.session.scalar(
        sa.select(EmailToken).where(
            EmailToken.token_hash == hash_email_token(raw), EmailToken.purpose == purpose
        )
    )
    if token is None:
        raise TokenInvalid("unknown")
    if token.used_at is not None:
        raise TokenInvalid("used")
    if token.expires_at <= utcnow():
        raise TokenInvalid("expired")
    return token


def link(path: str) -> str:
    """An absolute link for emails, from BASE_URL."""
    return current_app.config["BASE_URL"].rstrip("/") + path


def send_verification(user: User) -> EmailToken:
    """Email ``user`` a link that confirms their address; commits."""
    token, raw = issue_email_token(
        "verify_email", user.email, current_app.config["EMAIL_TOKEN_TTL"], user=user
    )
    db.session.commit()  # the link works before anyone can receive it
    send_mail(
        user.email,
        "accounts/email/verify_email",
        user.locale or "vi",
        link=link(f"/verify/{raw}"),
        hours=int(current_app.config["EMAIL_TOKEN_TTL"].total_seconds() // 3600),
    )
    db.session.commit()
    return token


def register_member(email: str, password: str, locale: str = "vi") -> User | None:
    """Sign-up: a new unverified member with a verification email.

    When the email already has an account, its owner gets a notice instead and nothing else
    happens, so that the page shown is the same either way (no account enumeration).
    """
    email = clean_email(email)
    if problem := password_problem(password):
        raise ValidationError({"password": problem})
    existing = user_by_email(email)
    if existing is not None:
        send_mail(
            existing.email,
            "accounts/email/account_exists",
            existing.locale or locale,
            login_link=link("/login"),
            reset_link=link("/reset"),
        )
        return None
    user = create_user(email, password, "member", locale=locale, verified=False)
    send_verification(user)
    return user


def verify_email(raw_token: str) -> User:
    """Mark the address behind this link as verified; the link is then used up; commits."""
    token = find_email_token(raw_token, "verify_email")
    user = db.session.get(User, token.user_id) if token.user_id else None
    if user is None or user.email != token.email:
        raise TokenInvalid("unknown")
    token.used_at = utcnow()
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    db.session.commit()
    return user


def request_password_reset(email: str) -> None:
    """Email a reset link when an active account has this address; silent otherwise."""
    user = user_by_email(email)
    if user is None or not user.is_active:
        return
    ttl = current_app.config["PASSWORD_RESET_TTL"]
    _token, raw = issue_email_token("reset_password", user.email, ttl, user=user)
    db.session.commit()  # the link works before anyone can receive it
    send_mail(
        user.email,
        "accounts/email/reset_password",
        user.locale or "vi",
        link=link(f"/reset/{raw}"),
        minutes=int(ttl.total_seconds() // 60),
    )
    db.session.commit()


def check_reset_token(raw_token: str) -> EmailToken:
    """The usable reset token, or :class:`TokenInvalid`."""
    return find_email_token(raw_token, "reset_password")


def reset_password(raw_token: str, password: str) -> User:
    """Set a new password through a reset link; every pending reset link is used up; commits."""
    token = find_email_token(raw_token, "reset_password")
    if problem := password_problem(password):
        raise ValidationError({"password": problem})
    user = db.session.get(User, token.user_id) if token.user_id else None
    if user is None or not user.is_active:
        raise TokenInvalid("unknown")
    now = utcnow()
    user.password_hash = hash_password(password)
    # The link proved the owner: a lock from wrong passwords ends with the new password.
    user.locked_until = None
    user.failed_logins = 0
    if user.email_verified_at is None:
        user.email_verified_at = now  # the link proved the address
    pending = db.session.scalars(
        sa.select(EmailToken).where(
            EmailToken.user_id == user.id,
            EmailToken.purpose == "reset_password",
            EmailToken.used_at.is_(None),
        )
    )
    for other in pending:
        other.used_at = now
    revoked = end_sessions_and_tokens(user, "password_reset", by=user)
    audit.record(
        "user.password_reset",
        user,
        actor=user,
        details={"sessions_ended": True, "tokens_revoked": revoked},
    )
    db.session.commit()
    return user


def send_account_setup(user: User, by=None) -> EmailToken:
    """Email a new official a link to choose their first password (expires like invitations)."""
    ttl = current_app.config["INVITATION_TTL"]
    token, raw = issue_email_token("reset_password", user.email, ttl, user=user, created_by=by)
    db.session.commit()  # the link works before anyone can receive it
    send_mail(
        user.email,
        "accounts/email/account_setup",
        user.locale or "vi",
        link=link(f"/reset/{raw}"),
        days=ttl.days,
        role=user.role,
    )
    db.session.commit()
    return token
