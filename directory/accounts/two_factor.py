"""Two-factor sign-in for officials: time-based one-time codes (TOTP) from an authenticator app.

Each code is accepted once: the time-step of the last accepted code is stored, so that a code
seen by someone else cannot be replayed.
"""

from __future__ import annotations

import time

import pyotp
import sqlalchemy as sa
from flask_babel import gettext as _

from directory import audit, policy
from directory.accounts.models import User
from directory.core.errors import ValidationError
from directory.extensions import db


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
