"""API tokens: created once and shown once, stored as SHA-256, revocable, last use recorded."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa

from directory.accounts.models import ApiToken, User
from directory.core.models import utcnow
from directory.extensions import db

TOKEN_PREFIX = "kb_"
TOKEN_SCOPES = ("read", "write")
# A token lasts this many days unless asked otherwise; at most MAX_TOKEN_DAYS.
DEFAULT_TOKEN_DAYS = 90
MAX_TOKEN_DAYS = 365


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def create_token(
    user: User, name: str = "", *, scope: str = "write", days: int = DEFAULT_TOKEN_DAYS
) -> tuple[ApiToken, str]:
    """A new token for ``user`` with ``scope`` ("read" or "write": the user's full rights),
    valid ``days`` days; returns the row and the clear token (never stored)."""
    if scope not in TOKEN_SCOPES:
        raise ValueError(scope)
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise ValueError(days)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name[:100],
        token_hash=hash_token(raw),
        prefix=raw[:10],
        scope=scope,
        expires_at=utcnow() + timedelta(days=days),
    )
    db.session.add(token)
    return token, raw


def authenticate_token(raw: str | None) -> ApiToken | None:
    """The live token (not revoked, not expired, its user active) behind a clear bearer token,
    or None; records the last use."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == hash_token(raw)))
    now = utcnow()
    if (
        token is None
        or token.revoked_at is not None
        or token.expired(now)
        or not token.user.is_active
    ):
        return None
    # Write the last use at most once a minute per token, not on every request.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        token.last_used_at = now
        db.session.commit()
    return token


def authenticate(raw: str | None) -> User | None:
    """The active user behind a live bearer token, or None."""
    token = authenticate_token(raw)
    return token.user if token is not None else None


def revoke_token(token: ApiToken) -> None:
    """Revoke ``token`` (kept for the record)."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
