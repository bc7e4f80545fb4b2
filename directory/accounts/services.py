"""Accounts: creating users, passwords, email links (verification, reset, claim), two-factor.

Every function here validates its input and raises :class:`ValidationError` with per-field
messages before anything is written. Functions that change data commit their transaction.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from datetime import timedelta

import pyotp
import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from directory import audit, policy
from directory.accounts.models import OFFICIAL_ROLES, ROLES, ApiToken, EmailToken, User
from directory.accounts.passwords import hash_password, needs_rehash, verify_password
from directory.core.errors import ValidationError
from directory.core.mail import send_mail
from directory.core.models import utcnow
from directory.extensions import db
from directory.reference.contact import InvalidValue, normalize_email
from directory.reference.provinces import province_by_slug

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
PURPOSES = ("verify_email", "reset_password", "claim")
# A hash of a random password: verified against when the email is unknown, so that a wrong
# email and a wrong password take the same time (no account enumeration by timing).
_DUMMY_HASH: dict[bool, str] = {}


class TokenInvalid(Exception):
    """An email link that cannot be used: ``reason`` is ``unknown``, ``used`` or ``expired``."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# --- validation helpers ----------------------------------------------------------------


def clean_email(value: str | None, field: str = "email") -> str:
    """The normalised email address, or a ValidationError on ``field``."""
    try:
        email = normalize_email(value)
    except InvalidValue:
        raise ValidationError({field: _("Enter a valid email address.")}) from None
    if not email:
        raise ValidationError({field: _("Enter an email address.")})
    return email


def password_problem(password: str | None) -> str | None:
    """A translated message when ``password`` is too weak, else None."""
    if not password or len(password) < MIN_PASSWORD_LENGTH:
        return _("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return _("This password is too long.")
    return None


def user_by_email(email: str | None) -> User | None:
    """The account with this (normalised) email, or None."""
    try:
        email = normalize_email(email)
    except InvalidValue:
        return None
    if not email:
        return None
    return db.session.scalar(sa.select(User).where(User.email == email))


def _resolve_mission(mission):
    from directory.missions.models import Mission

    if mission is None or isinstance(mission, Mission):
        return mission
    code = str(mission).strip().upper()
    return db.session.scalar(sa.select(Mission).where(Mission.code == code)) if code else None


def _scope_errors(role: str, mission, mission_given: bool, province_slug, approver) -> dict:
    """Per-field messages when a role and its scope do not fit together."""
    errors: dict[str, str] = {}
    if role not in ROLES:
        errors["role"] = _("Choose one of: %(roles)s.", roles=", ".join(ROLES))
        return errors
    if role == "embassy" and mission is None:
        errors["mission"] = (
            _("No mission has this code.")
            if mission_given
            else _("An embassy officer needs a mission.")
        )
    if role != "embassy" and mission_given:
        errors["mission"] = _("Only embassy officers belong to a mission.")
    if role == "province":
        if not province_slug:
            errors["province"] = _("A province officer needs a province.")
        elif province_by_slug(province_slug) is None:
            errors["province"] = _("Unknown province.")
    elif province_slug:
        errors["province"] = _("Only province officers belong to a province.")
    if approver and role != "province":
        errors["approver"] = _("Only province officers can be approvers.")
    return errors


# --- users ---------------------------------------------------------------------------


def create_user(
    email: str,
    password: str | None,
    role: str,
    *,
    mission=None,
    province_slug: str | None = None,
    approver: bool = False,
    person=None,
    locale: str = "vi",
    verified: bool = True,
    display_name: str | None = None,
    by=None,
) -> User:
    """Create an account (role and scope checked, email normalised); commits; audited."""
    errors: dict[str, str] = {}
    try:
        email = clean_email(email)
    except ValidationError as exc:
        errors.update(exc.fields)
    mission_given = mission is not None and mission != ""
    mission_obj = _resolve_mission(mission) if mission_given else None
    province_slug = (province_slug or "").strip() or None
    errors.update(_scope_errors(role, mission_obj, mission_given, province_slug, approver))
    if password is not None and (problem := password_problem(password)):
        errors["password"] = problem
    if person is not None:
        if role != "member":
            errors["person"] = _("Only a member account can be linked to a profile.")
        elif person.user is not None:
            errors["person"] = _("This profile already belongs to an account.")
        elif person.anonymised_at is not None:
            errors["person"] = _("This profile was deleted.")
    if "email" not in errors and user_by_email(email) is not None:
        errors["email"] = _("An account with this email already exists.")
    if errors:
        raise ValidationError(errors)
    user = User(
        email=email,
        password_hash=hash_password(password) if password else None,
        role=role,
        mission=mission_obj if role == "embassy" else None,
        province_slug=province_slug if role == "province" else None,
        is_approver=bool(approver) and role == "province",
        person_id=person.id if person is not None else None,
        locale=locale if locale in current_app.config["LANGUAGES"] else "vi",
        email_verified_at=utcnow() if verified else None,
        display_name=(display_name or "").strip()[:200] or None,
        is_active_flag=True,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(
        "user.create", user, actor=by, details={"role": role, "linked_person": person is not None}
    )
    db.session.commit()
    return user


def update_user(
    user: User,
    *,
    role: str,
    mission=None,
    province_slug: str | None = None,
    approver: bool = False,
    active: bool = True,
    display_name: str | None = None,
    by=None,
) -> User:
    """Change an account's role, scope, approver flag or active state; commits; audited."""
    mission_given = mission is not None and mission != ""
    mission_obj = _resolve_mission(mission) if mission_given else None
    province_slug = (province_slug or "").strip() or None
    errors = _scope_errors(role, mission_obj, mission_given, province_slug, approver)
    if user.person_id is not None and role != "member":
        errors["role"] = _("This account is linked to a profile and must stay a member.")
    if by is not None and by.id == user.id and (role != "admin" or not active):
        errors["role"] = _("You cannot remove your own administrator access.")
    if errors:
        raise ValidationError(errors)
    before = {
        "role": user.role,
        "mission_id": user.mission_id,
        "province_slug": user.province_slug,
        "is_approver": user.is_approver,
        "is_active": user.is_active_flag,
        "display_name": user.display_name,
    }
    user.role = role
    user.mission = mission_obj if role == "embassy" else None
    user.province_slug = province_slug if role == "province" else None
    user.is_approver = bool(approver) and role == "province"
    user.is_active_flag = bool(active)
    if display_name is not None:
        user.display_name = display_name.strip()[:200] or None
    if role not in OFFICIAL_ROLES:
        user.totp_secret = None
    after = {
        "role": user.role,
        "mission_id": user.mission.id if user.mission else None,
        "province_slug": user.province_slug,
        "is_approver": user.is_approver,
        "is_active": user.is_active_flag,
        "display_name": user.display_name,
    }
    changed = sorted(k for k in before if before[k] != after[k])
    if changed:
        action = "user.deactivate" if before["is_active"] and not active else "user.update"
        audit.record(action, user, actor=by, details={"fields": changed, "role": role})
    db.session.commit()
    return user


def authenticate_password(email: str, password: str) -> User | None:
    """The active account matching this email and password, or None (same cost either way)."""
    user = user_by_email(email)
    if user is None or not user.password_hash:
        fast = bool(current_app.config.get("ARGON2_FAST"))
        if fast not in _DUMMY_HASH:
            _DUMMY_HASH[fast] = hash_password(secrets.token_urlsafe(16))
        verify_password(_DUMMY_HASH[fast], password or "")
        return None
    if not verify_password(user.password_hash, password or ""):
        return None
    if not user.is_active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        db.session.commit()
    return user


def record_login(user: User) -> None:
    """Remember when the user last signed in."""
    user.last_login_at = utcnow()
    db.session.commit()


def end_sessions_and_tokens(user: User, reason: str, by=None) -> int:
    """End every session of ``user`` and revoke their API tokens (kept, marked revoked).

    Sessions end by raising the account's epoch (see ``accounts.loaders``); each token revoked
    is audited. Returns how many tokens were revoked. The caller commits.
    """
    # Computed by the database, so that two changes at once both count.
    user.session_epoch = User.session_epoch + 1
    now = utcnow()
    tokens = db.session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ).all()
    for token in tokens:
        token.revoked_at = now
        audit.record(
            "token.revoke", token, actor=by, details={"user_id": user.id, "reason": reason}
        )
    return len(tokens)


def change_password(user: User, current: str, new: str) -> None:
    """Change a signed-in user's password after checking the current one; commits; audited.

    Every session of the user ends and their API tokens are revoked; the view stamps the
    session that made the change again, so that it stays signed in.
    """
    if not verify_password(user.password_hash, current or ""):
        raise ValidationError({"current_password": _("The current password is not correct.")})
    if problem := password_problem(new):
        raise ValidationError({"new_password": problem})
    user.password_hash = hash_password(new)
    revoked = end_sessions_and_tokens(user, "password_change", by=user)
    audit.record(
        "user.password_change",
        user,
        actor=user,
        details={"sessions_ended": True, "tokens_revoked": revoked},
    )
    db.session.commit()


def set_locale(user: User, locale: str) -> None:
    """Persist the user's interface language."""
    if locale not in current_app.config["LANGUAGES"]:
        raise ValidationError({"locale": _("Choose Vietnamese or English.")})
    user.locale = locale
    db.session.commit()


# --- email links -------------------------------------------------------------------------


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


# --- claimed profiles ----------------------------------------------------------------------


def create_claimed_account(email: str, password: str, person, *, locale: str, at) -> User:
    """The member account of a person claiming their profile (the link proved the address).

    The claim itself (consent, the link used up) is ``directory.people.claims``; flushes only.
    """
    if problem := password_problem(password):
        raise ValidationError({"password": problem})
    user = User(
        email=email,
        password_hash=hash_password(password),
        role="member",
        person_id=person.id,
        locale=locale,
        email_verified_at=at,
        is_active_flag=True,
    )
    db.session.add(user)
    db.session.flush()
    return user


# --- API tokens ----------------------------------------------------------------------------


def create_api_token(user: User, name: str = "", by=None) -> tuple[ApiToken, str]:
    """A new API token for ``user``; returns the row and the clear token (shown once); audited."""
    from directory.accounts.tokens import create_token

    token, raw = create_token(user, (name or "").strip())
    db.session.flush()
    audit.record("token.create", token, actor=by or user, details={"user_id": user.id})
    db.session.commit()
    return token, raw


def revoke_api_token(token: ApiToken, by=None) -> None:
    """Revoke ``token``; audited."""
    from directory.accounts.tokens import revoke_token

    if token.revoked_at is None:
        revoke_token(token)
        audit.record("token.revoke", token, actor=by, details={"user_id": token.user_id})
        db.session.commit()


def list_api_tokens(user: User) -> list[ApiToken]:
    """The user's tokens, newest first."""
    return list(
        db.session.scalars(
            sa.select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc())
        )
    )


# --- two-factor (TOTP) ---------------------------------------------------------------------


def new_totp_secret() -> str:
    """A fresh base32 secret for enrolment."""
    return pyotp.random_base32()


def totp_uri(user: User, secret: str) -> str:
    """The otpauth:// URI an authenticator app reads."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name="Kieu bao Directory")


def totp_clock() -> float:
    """The time second-factor codes are checked against (tests replace it)."""
    return time.time()


def _matching_step(secret: str | None, code: str | None) -> int | None:
    """The time-step whose code ``code`` is (the current one or a neighbour), or None."""
    code = (code or "").replace(" ", "").strip()
    if not secret or not code.isascii() or not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    current = int(totp_clock()) // totp.interval
    for step in (current - 1, current, current + 1):  # one step either way for clock drift
        if pyotp.utils.strings_equal(code, totp.generate_otp(step)):
            return step
    return None


def _claim_step(user: User, step: int) -> bool:
    """Record ``step`` as the user's last accepted code, unless it is not newer; True if so.

    One conditional UPDATE: two requests with the same code cannot both succeed.
    """
    result = db.session.execute(
        sa.update(User)
        .where(
            User.id == user.id,
            sa.or_(User.totp_last_step.is_(None), User.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(user, ["totp_last_step"])
    return result.rowcount == 1


def use_totp_code(user: User, code: str | None, secret: str | None = None) -> None:
    """Accept ``code`` for ``secret`` (default: the user's) once, or raise ValidationError.

    The code's time-step is stored (not committed here): a code whose step is not newer than
    the last accepted one is refused, so that a code seen by someone else cannot be replayed.
    """
    step = _matching_step(secret or user.totp_secret, code)
    if step is None:
        raise ValidationError({"code": _("This code is not valid. Check your phone's clock.")})
    if not _claim_step(user, step):
        raise ValidationError(
            {"code": _("This code has already been used. Wait for the next one.")}
        )


def enable_totp(user: User, secret: str, code: str) -> None:
    """Turn on two-factor sign-in once the user proves their app has ``secret``; audited."""
    if not policy.can(user, "account.two_factor"):
        raise ValidationError({"code": _("Two-factor sign-in is for officials.")})
    use_totp_code(user, code, secret=secret)
    user.totp_secret = secret
    audit.record("user.totp_enable", user, actor=user)
    db.session.commit()


def disable_totp(user: User, code: str) -> None:
    """Turn off two-factor sign-in after a valid code (each code counts once); audited."""
    use_totp_code(user, code)
    user.totp_secret = None
    audit.record("user.totp_disable", user, actor=user)
    db.session.commit()


def send_account_setup(user: User, by=None) -> EmailToken:
    """Email a new official a link to choose their first password (expires like invitations)."""
    ttl = current_app.config["INVITATION_TTL"]
    token, raw = issue_email_token("reset_password", user.email, ttl, user=user, created_by=by)
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
