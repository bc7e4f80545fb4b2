"""Accounts: creating users, passwords, sign-in, claimed profiles' accounts, API tokens.

Email links (verification, reset, claim, account setup) are ``directory.accounts.email_links``;
two-factor sign-in is ``directory.accounts.two_factor``.

Every function here validates its input and raises :class:`ValidationError` with per-field
messages before anything is written. Functions that change data commit their transaction.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from directory import audit
from directory.accounts.models import OFFICIAL_ROLES, ROLES, ApiToken, User
from directory.accounts.passwords import hash_password, needs_rehash, verify_password
from directory.core.errors import ValidationError
from directory.core.models import isoformat, utcnow
from directory.extensions import db
from directory.reference.contact import InvalidValue, normalize_email
from directory.reference.provinces import province_by_slug

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
# A hash of a random password: verified against when the email is unknown, so that a wrong
# email and a wrong password take the same time (no account enumeration by timing).
_DUMMY_HASH: dict[bool, str] = {}


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


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The common passwords refused (``accounts/data/common-passwords.txt``), lower case."""
    path = Path(__file__).resolve().parent / "data" / "common-passwords.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def password_problem(password: str | None) -> str | None:
    """A translated message when ``password`` is too weak, else None."""
    if not password or len(password) < MIN_PASSWORD_LENGTH:
        return _("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return _("This password is too long.")
    if password.strip().lower() in common_passwords():
        return _(
            "This password is one of the most common ones, which are tried first: "
            "choose another, for example a few unrelated words."
        )
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


# Wrong passwords in a row that lock an account, and for how long.
LOCKOUT_FAILURES = 10
LOCKOUT_MINUTES = 15


def authenticate_password(email: str, password: str) -> User | None:
    """The active account matching this email and password, or None (same cost either way).

    A wrong password counts against the account; the ``LOCKOUT_FAILURES``-th in a row locks it
    for ``LOCKOUT_MINUTES`` (:func:`lock_account`). While locked, even the right password is
    refused; a successful sign-in or a password reset clears the count."""
    user = user_by_email(email)
    if user is None or not user.password_hash:
        fast = bool(current_app.config.get("ARGON2_FAST"))
        if fast not in _DUMMY_HASH:
            _DUMMY_HASH[fast] = hash_password(secrets.token_urlsafe(16))
        verify_password(_DUMMY_HASH[fast], password or "")
        return None
    right = verify_password(user.password_hash, password or "")
    if is_locked(user):
        return None
    if not right:
        _count_failure(user)
        return None
    if not user.is_active:
        return None
    if user.failed_logins and not user.totp_secret:
        # With a second factor the count is cleared once the code is right too
        # (:func:`second_factor_passed`): a right password alone must not wipe out the
        # wrong codes before it.
        user.failed_logins = 0
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    db.session.commit()
    return user


def is_locked(user: User) -> bool:
    return user.locked_until is not None and user.locked_until > utcnow()


def _count_failure(user: User) -> None:
    """One more wrong password, counted in SQL (two wrong attempts at once both count)."""
    count = db.session.execute(
        sa.update(User)
        .where(User.id == user.id)
        .values(failed_logins=User.failed_logins + 1)
        .returning(User.failed_logins)
    ).scalar_one()
    db.session.commit()
    if count >= LOCKOUT_FAILURES:
        lock_account(user)


def second_factor_failed(user: User) -> bool:
    """A wrong second-factor or recovery code: it counts toward the lockout as a wrong
    password does. True when the account is now locked."""
    _count_failure(user)
    db.session.refresh(user)
    return is_locked(user)


def second_factor_passed(user: User) -> None:
    """The whole sign-in succeeded: the count of failures starts again."""
    if user.failed_logins:
        user.failed_logins = 0
        db.session.commit()


def lock_account(user: User) -> None:
    """Lock ``user`` for LOCKOUT_MINUTES after too many wrong passwords: audited; the user is
    told by email (with the way to reset the password) and the admins by an inbox notice."""
    from datetime import timedelta

    from directory.core.mail import send_mail
    from directory.notices.services import notify

    until = utcnow() + timedelta(minutes=LOCKOUT_MINUTES)
    user.locked_until = until
    user.failed_logins = 0
    audit.record(
        "user.lockout",
        user,
        actor=None,
        details={"failures": LOCKOUT_FAILURES, "until": isoformat(until)},
    )
    for admin in db.session.scalars(
        sa.select(User).where(User.role == "admin", User.is_active_flag.is_(True))
    ):
        notify(admin, "account.locked", user_id=user.id)
    db.session.commit()
    try:
        send_mail(
            user.email,
            "accounts/email/locked",
            user.locale if user.locale in ("vi", "en") else "vi",
            minutes=LOCKOUT_MINUTES,
            failures=LOCKOUT_FAILURES,
            link=current_app.config["BASE_URL"].rstrip("/") + "/reset",
        )
    except Exception:  # noqa: BLE001 - the lock stands; the admins are told in the inbox
        current_app.logger.exception("could not tell %s of the lock", user.id)


def unlock_account(user: User, by) -> None:
    """End a lock from wrong passwords before its time (the admin); audited."""
    if user.locked_until is None and not user.failed_logins:
        return
    user.locked_until = None
    user.failed_logins = 0
    audit.record("user.unlock", user, actor=by)
    db.session.commit()


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


def create_api_token(
    user: User, name: str = "", by=None, *, scope: str = "write", days: int | None = None
) -> tuple[ApiToken, str]:
    """A new API token for ``user`` (``scope`` read or write, valid ``days`` days, 90 by
    default); returns the row and the clear token (shown once); audited."""
    from directory.accounts.tokens import DEFAULT_TOKEN_DAYS, create_token

    token, raw = create_token(
        user, (name or "").strip(), scope=scope, days=days or DEFAULT_TOKEN_DAYS
    )
    db.session.flush()
    audit.record(
        "token.create",
        token,
        actor=by or user,
        details={"user_id": user.id, "scope": scope, "expires_at": isoformat(token.expires_at)},
    )
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
