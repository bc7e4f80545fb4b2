"""Required two-factor sign-in: a signed-in official whose session has not given its second
factor can do nothing but set two-factor up (or sign out).

Run before every request (``accounts.init_app``):

- not enrolled, two-factor required (officials while ``TWO_FACTOR_REQUIRED`` is on): every
  page and form redirects to the enrolment page; the API (session cookie) answers 403;
- enrolled, but this session never gave a code (a session opened some other way, or before
  the requirement): the session ends and the user signs in again, with the code.

API calls with a bearer token are not concerned: a token is created by a signed-in user (who
has given the second factor) or by the operator (``flask users token``).
"""

from __future__ import annotations

from flask import flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user, user_logged_in, user_logged_out

from directory.accounts import two_factor
from directory.core.errors import ApiError

# What a session that still owes its second factor may reach.
OPEN_ENDPOINTS = frozenset(
    {
        "static",
        "accounts.two_factor_setup",
        "accounts.logout",
        "accounts.login",
        "accounts.login_code",
        "core.set_language",
        "core.healthz",
        "core.readyz",
        "core.favicon",
        "core.privacy",
    }
)


def _is_api() -> bool:
    return request.path.startswith("/api/")


def enforce_second_factor():
    """The before-request hook (None: go on)."""
    if request.endpoint is None or request.endpoint in OPEN_ENDPOINTS:
        return None
    if _is_api() and request.headers.get("Authorization"):
        return None
    if not current_user.is_authenticated:
        return None
    user = current_user._get_current_object()
    if two_factor.session_verified(user):
        return None
    if not user.totp_secret and not two_factor.required_for(user):
        return None
    if user.totp_secret:
        logout_user()
        session.pop(two_factor.VERIFIED_KEY, None)
        if _is_api():
            raise ApiError(401, "unauthorized", _("Sign in again, with your two-factor code."))
        flash(_("Please sign in again, with your two-factor code."), "warning")
        next_url = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("accounts.login", next=next_url))
    if _is_api():
        raise ApiError(
            403,
            "two_factor_setup_required",
            _("Set up two-factor sign-in first (Account settings)."),
        )
    return redirect(url_for("accounts.two_factor_setup"))


def _forget_second_factor(_app, **_extra) -> None:
    """A session changing hands starts without a second factor (``finish_login`` marks it
    after the code)."""
    session.pop(two_factor.VERIFIED_KEY, None)


def register(app) -> None:
    app.before_request(enforce_second_factor)
    user_logged_in.connect(_forget_second_factor, app)
    user_logged_out.connect(_forget_second_factor, app)
