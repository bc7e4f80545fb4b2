"""Two-factor sign-in for officials: time-based one-time codes (TOTP) from an authenticator app,
and single-use recovery codes for a lost phone.

Each code is accepted once: the time-step of the last accepted code is stored, so that a code
seen by someone else cannot be replayed; a recovery code is marked used by the UPDATE that
accepts it. Officials (embassy, province, admin) must be enrolled when ``TWO_FACTOR_REQUIRED``
is on (the default): ``accounts/gate.py`` keeps a session that has not given its second factor
on the enrolment page.
"""

from __future__ import annotations

import hashlib
import secrets
import time

import pyotp
import segno
import sqlalchemy as sa
from flask import current_app, session
from flask_babel import gettext as _
from markupsafe import Markup

from directory import audit, policy
from directory.accounts.models import RecoveryCode, User
from directory.core.errors import ValidationError
from directory.core.models import utcnow
from directory.extensions import db

# The session key saying that this session gave its second factor (a code at sign-in, or
# the code that completed enrolment).
VERIFIED_KEY = "_2fa"
RECOVERY_CODE_COUNT = 10
# Lower case without the look-alikes (0/o, 1/l/i): 16 characters carry about 79 bits, so that
# a plain SHA-256 of the code is enough (as for API tokens).
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_LENGTH = 16


def required_for(user) -> bool:
    """Whether ``user`` must sign in with two factors: officials, unless switched off."""
    return bool(current_app.config.get("TWO_FACTOR_REQUIRED", True)) and policy.can(
        user, "account.two_factor"
    )


def mark_session_verified() -> None:
    """Record in the session that it gave its second factor."""
    session[VERIFIED_KEY] = True


def session_verified(user) -> bool:
    """Whether this session of ``user`` gave its second factor (and the user is enrolled)."""
    return bool(session.get(VERIFIED_KEY)) and bool(user.totp_secret)


def new_totp_secret() -> str:
    """A fresh base32 secret for enrolment."""
    return pyotp.random_base32()


def totp_uri(user: User, secret: str) -> str:
    """The otpauth:// URI an authenticator app reads."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name="Kieu bao Directory")


def qr_svg(uri: str, title: str) -> Markup:
    """The QR code of ``uri`` as inline SVG, drawn here (no script, no outside service)."""
    svg = segno.make(uri, error="m").svg_inline(
        scale=5, border=4, dark="#000", light="#fff", title=title, svgclass="qr-code"
    )
    return Markup(svg)


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


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


def enable_totp(user: User, secret: str, code: str) -> list[str]:
    """Turn on two-factor sign-in once the user proves their app has ``secret``; returns the
    recovery codes made for the user (shown once); audited."""
    if not policy.can(user, "account.two_factor"):
        raise ValidationError({"code": _("Two-factor sign-in is for officials.")})
    use_totp_code(user, code, secret=secret)
    user.totp_secret = secret
    codes = _replace_recovery_codes(user)
    audit.record("user.totp_enable", user, actor=user, details={"recovery_codes": len(codes)})
    db.session.commit()
    return codes


def disable_totp(user: User, code: str) -> None:
    """Turn off two-factor sign-in after a valid code (each code counts once); audited.

    Refused while two-factor is required for the user (officials, by default).
    """
    if required_for(user):
        raise ValidationError(
            {"code": _("Two-factor sign-in is required for officials: it cannot be turned off.")}
        )
    use_totp_code(user, code)
    user.totp_secret = None
    _delete_recovery_codes(user)
    audit.record("user.totp_disable", user, actor=user)
    db.session.commit()


# --- recovery codes ------------------------------------------------------------------------


def _hash_recovery_code(code: str) -> str:
    return hashlib.sha256(code.encode("ascii")).hexdigest()


def _normalise_recovery_code(code: str | None) -> str:
    """What the user typed, without spaces, hyphens or capitals."""
    return "".join(ch for ch in (code or "").lower() if ch not in " -\t")


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, _RECOVERY_LENGTH, 4))


def _delete_recovery_codes(user: User) -> None:
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def _replace_recovery_codes(user: User) -> list[str]:
    """New recovery codes for ``user`` (the old ones no longer work); not committed."""
    _delete_recovery_codes(user)
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    for code in codes:
        db.session.add(
            RecoveryCode(
                user_id=user.id, code_hash=_hash_recovery_code(_normalise_recovery_code(code))
            )
        )
    return codes


def recovery_codes_left(user: User) -> int:
    """How many of the user's recovery codes are still unused."""
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(RecoveryCode)
            .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        )
        or 0
    )


def regenerate_recovery_codes(user: User, password: str | None) -> list[str]:
    """New recovery codes (the old ones stop working), after the current password; audited."""
    from directory.accounts.passwords import verify_password

    if not user.totp_secret:
        raise ValidationError({"password": _("Two-factor sign-in is not set up.")})
    if not verify_password(user.password_hash, password or ""):
        raise ValidationError({"password": _("The password is not correct.")})
    codes = _replace_recovery_codes(user)
    audit.record(
        "user.recovery_codes_renew", user, actor=user, details={"recovery_codes": len(codes)}
    )
    db.session.commit()
    return codes


def use_recovery_code(user: User, code: str | None) -> int:
    """Accept one of the user's unused recovery codes, once; returns how many are left.

    One conditional UPDATE marks it used: two requests with the same code cannot both succeed.
    Audited and committed.
    """
    normalised = _normalise_recovery_code(code)
    if not user.totp_secret or len(normalised) != _RECOVERY_LENGTH or not normalised.isascii():
        raise ValidationError({"recovery_code": _("This recovery code is not valid.")})
    result = db.session.execute(
        sa.update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash_recovery_code(normalised),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise ValidationError(
            {"recovery_code": _("This recovery code is not valid or has already been used.")}
        )
    left = recovery_codes_left(user)
    audit.record("user.recovery_code_use", user, actor=user, details={"recovery_codes_left": left})
    db.session.commit()
    return left


# --- reset by an administrator ---------------------------------------------------------------


def reset_two_factor(user: User, by: User) -> None:
    """Clear ``user``'s enrolment (lost phone, no recovery code left): the user sets two-factor
    up again at the next sign-in. Their open sessions end; audited; the user is emailed."""
    from directory.core.mail import send_mail

    if by is not None and by.id == user.id:
        raise ValidationError(
            {"user": _("You cannot reset your own two-factor sign-in: ask another administrator.")}
        )
    if not user.totp_secret:
        raise ValidationError({"user": _("This account has no two-factor sign-in to reset.")})
    user.totp_secret = None
    user.totp_last_step = None
    _delete_recovery_codes(user)
    # Computed by the database, so that two changes at once both count (see accounts.loaders).
    user.session_epoch = User.session_epoch + 1
    audit.record("user.totp_reset", user, actor=by)
    db.session.commit()
    try:
        send_mail(
            user.email,
            "accounts/email/two_factor_reset",
            user.locale if user.locale in ("vi", "en") else "vi",
            link=current_app.config["BASE_URL"].rstrip("/") + "/login",
        )
    except Exception:  # noqa: BLE001 - the reset stands; it is in the audit log
        current_app.logger.exception("could not tell %s of the two-factor reset", user.id)


# --- dev convenience ----------------------------------------------------------------------------


def current_code(secret: str) -> tuple[str, int]:
    """The code ``secret`` gives now and the seconds it has left (``flask users totp``)."""
    totp = pyotp.TOTP(secret)
    now = totp_clock()
    return totp.at(now), totp.interval - int(now) % totp.interval
