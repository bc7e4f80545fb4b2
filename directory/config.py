"""Settings from the environment; a test config; no secret defaults in production."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta

LANGUAGES = ("vi", "en")
# Where links in emails point when BASE_URL is unset (local use only; production warns).
DEFAULT_BASE_URL = "http://127.0.0.1:5000"


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def from_environment(instance_path: str) -> dict:
    """Build the configuration dict from environment variables (docs/contract.md)."""
    env = os.environ
    production = env.get("FLASK_ENV") == "production" or _bool("PRODUCTION")
    secret = env.get("SECRET_KEY")
    if not secret:
        if production:
            raise RuntimeError("SECRET_KEY must be set in production")
        secret = _instance_secret(instance_path)
    meili_url = env.get("MEILI_URL")
    # Shared rate limits (several workers, several hosts): Redis when one is configured.
    ratelimit_storage = (
        env.get("RATELIMIT_STORAGE_URI")
        or env.get("RATELIMIT_STORAGE_URL")
        or env.get("REDIS_URL")
        or "memory://"
    )
    extra = {}
    if env.get("CONTACT_REQUESTS_PER_DAY"):
        extra["CONTACT_REQUESTS_PER_DAY"] = int(env["CONTACT_REQUESTS_PER_DAY"])
    return {
        **extra,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": env.get("DATABASE_URL")
        or f"sqlite:///{os.path.join(instance_path, 'directory.sqlite3')}",
        "SEARCH_BACKEND": env.get("SEARCH_BACKEND") or ("meilisearch" if meili_url else "sqlite"),
        "MEILI_URL": meili_url,
        "MEILI_MASTER_KEY": env.get("MEILI_MASTER_KEY"),
        "MEILI_INDEX_PREFIX": env.get("MEILI_INDEX_PREFIX", "kieubao"),
        "MAIL_SERVER": env.get("MAIL_SERVER"),
        "MAIL_PORT": int(env.get("MAIL_PORT") or 587),
        "MAIL_USERNAME": env.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD"),
        # Compose passes an unset variable as empty: empty means the default too.
        "MAIL_FROM": env.get("MAIL_FROM") or "Kiều bào Directory <no-reply@kieubao.local>",
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", True),
        "MAIL_TIMEOUT": float(env.get("MAIL_TIMEOUT") or 30),
        "MAIL_MAX_ATTEMPTS": int(env.get("MAIL_MAX_ATTEMPTS") or 8),
        "BASE_URL": env.get("BASE_URL") or DEFAULT_BASE_URL,
        # Remembered so that create_app can warn when production would email local links.
        "BASE_URL_SET": bool(env.get("BASE_URL")),
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
        "RATELIMIT_STORAGE_URI": ratelimit_storage,
        # Redis down: the limits go on, each worker counting in its own memory meanwhile.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": not ratelimit_storage.startswith("memory://"),
        "LOG_FORMAT": (env.get("LOG_FORMAT") or ("json" if production else "text")).lower(),
        "LOG_LEVEL": (env.get("LOG_LEVEL") or "INFO").upper(),
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES") or 0),
        "SEARCH_BACKLOG_MAX_PENDING": int(env.get("SEARCH_BACKLOG_MAX_PENDING") or 10000),
        "PRODUCTION": production,
        # Officials (embassy, province, admin) must sign in with a second factor (TOTP).
        "TWO_FACTOR_REQUIRED": _bool("TWO_FACTOR_REQUIRED", True),
        "SEARCH_BACKLOG_MAX_SECONDS": int(env.get("SEARCH_BACKLOG_MAX_SECONDS") or 300),
        "INITIATIVE_ANSWER_DAYS": int(env.get("INITIATIVE_ANSWER_DAYS") or 30),
    }


def _instance_secret(instance_path: str) -> str:
    """A random key kept in the instance folder, so development sessions survive restarts."""
    os.makedirs(instance_path, exist_ok=True)
    path = os.path.join(instance_path, "secret_key")
    if os.path.exists(path):
        with open(path, encoding="ascii") as fh:
            return fh.read().strip()
    key = secrets.token_hex(32)
    with open(path, "w", encoding="ascii") as fh:
        fh.write(key)
    os.chmod(path, 0o600)
    return key


DEFAULTS = {
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "BABEL_DEFAULT_LOCALE": "vi",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
    "LANGUAGES": LANGUAGES,
    "PRIVACY_NOTICE_VERSION": "2026-01",
    "INVITATION_TTL": timedelta(days=14),
    "EMAIL_TOKEN_TTL": timedelta(days=2),
    "PASSWORD_RESET_TTL": timedelta(hours=2),
    "LOGIN_RATE_LIMIT": "10 per minute",
    "MAX_CONTENT_LENGTH": 12 * 1024 * 1024,
    "IMPORT_MAX_BYTES": 10 * 1024 * 1024,
    "WTF_CSRF_TIME_LIMIT": None,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
    "SEARCH_SYNC_INLINE": True,
    # /readyz reports "not ready" when an index change has waited longer than this.
    "SEARCH_BACKLOG_MAX_SECONDS": 300,
    # ... or when more changes than this wait to be applied.
    "SEARCH_BACKLOG_MAX_PENDING": 10000,
    "INITIATIVE_ANSWER_DAYS": 30,
    "API_MAX_PER_PAGE": 100,
    # Contact requests: how many an official may send in 24 hours; how long one waits.
    "CONTACT_REQUESTS_PER_DAY": 50,
    "CONTACT_REQUEST_DAYS": 30,
    "TWO_FACTOR_REQUIRED": True,
}
