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


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def create_token(user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the clear token (never stored)."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name[:100], token_hash=hash_token(raw), prefix=raw[:10])
    db.session.add(token)
    return token, raw


def authenticate(raw: str | None) -> User | None:
    """The active user behind a clear bearer token, or None; records the last use."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == hash_token(raw)))
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    now = utcnow()
    # Write the last use at most once a minute per token, not on every request.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        token.last_used_at = now
        db.session.commit()
    return token.user


def revoke_token(token: ApiToken) -> None:
    """Revoke ``token`` (kept for the record)."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
