"""Accounts: sign-up, email verification, sign-in (with TOTP), password reset, claim
invitations, settings and API tokens."""

from __future__ import annotations

import time

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from directory import policy
from directory.accounts import (
    email_links,
    loaders,  # noqa: F401 - registers the user loader
    services,
    two_factor,
)
from directory.accounts.forms import (
    ClaimForm,
    LanguageForm,
    LoginForm,
    PasswordChangeForm,
    RecoveryCodeForm,
    RecoveryCodesRenewForm,
    ResetForm,
    ResetRequestForm,
    SignupForm,
    TokenForm,
    TotpForm,
)
from directory.accounts.models import ApiToken
from directory.core.errors import ValidationError
from directory.core.models import utcnow
from directory.core.views import safe_next
from directory.extensions import db, limiter
from directory.i18n import current_locale
from directory.people import claims

bp = Blueprint("accounts", __name__)

TOTP_PENDING_SECONDS = 300


def login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def link_invalid(reason: str):
    """A clear page for an unknown, used or expired email link (never a 500)."""
    status = 404 if reason == "unknown" else 410
    return render_template("accounts/link_invalid.html", reason=reason), status


def home_for(user) -> str:
    """Where a user lands after signing in without a ``next``."""
    if user.role == "member":
        if user.person_id:
            return url_for("people.mine")
        return url_for("people.create_own")
    # Officials land on their dashboard: their province's, their mission's, the overview.
    from directory.dashboards.landing import landing

    return landing(user) or url_for("core.index")


def finish_login(user, next_url: str | None, second_factor: bool = False):
    """Open the session (noting whether it gave its second factor) and redirect."""
    for key in ("totp_user", "totp_at", "totp_next", two_factor.VERIFIED_KEY):
        session.pop(key, None)
    login_user(user)
    if second_factor:
        two_factor.mark_session_verified()
    services.record_login(user)
    return redirect(safe_next(next_url, home_for(user)))


# --- sign in / out ---------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def login():
    """Sign in with email and password; officials with two-factor enabled then give a code."""
    next_url = request.args.get("next") or request.form.get("next")
    if current_user.is_authenticated:
        return redirect(safe_next(next_url, home_for(current_user)))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate_password(form.email.data, form.password.data)
        if user is None:
            # One message whatever was wrong, so that no one learns which emails have accounts.
            form.form_errors.append(_("The email or password is not correct."))
        elif user.email_verified_at is None:
            email_links.send_verification(user)
            form.form_errors.append(
                _("Please confirm your email address first: we have sent you a new link.")
            )
        elif user.totp_secret:
            session["totp_user"] = user.id
            session["totp_at"] = int(time.time())
            session["totp_next"] = safe_next(next_url, "")
            return redirect(url_for("accounts.login_code"))
        elif two_factor.required_for(user):
            # Signed in, but kept on the enrolment page until two-factor is set up (gate.py).
            finish_login(user, None)
            session["totp_next"] = safe_next(next_url, "")
            return redirect(url_for("accounts.two_factor_setup"))
        else:
            return finish_login(user, next_url)
    status = 200 if not form.form_errors else 401
    return render_template("accounts/login.html", form=form, next=next_url), status


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def login_code():
    """Second step of sign-in for accounts with two-factor: the authenticator code, or one of
    the recovery codes."""
    from directory.accounts.models import User

    user_id, started = session.get("totp_user"), session.get("totp_at", 0)
    user = db.session.get(User, user_id) if user_id else None
    if (
        user is None
        or not user.is_active
        or services.is_locked(user)
        or time.time() - started > TOTP_PENDING_SECONDS
    ):
        session.pop("totp_user", None)
        flash(_("Please sign in again."), "warning")
        return redirect(url_for("accounts.login"))
    form = TotpForm()
    recovery_form = RecoveryCodeForm(prefix="recovery")
    use_recovery = "recovery-recovery_code" in request.form
    if use_recovery and recovery_form.validate_on_submit():
        try:
            left = two_factor.use_recovery_code(user, recovery_form.recovery_code.data)
        except ValidationError as exc:
            recovery_form.show_errors(exc.fields)
            if services.second_factor_failed(user):
                return _locked_out()
        else:
            services.second_factor_passed(user)
            if left:
                flash(_("Recovery code accepted. You have %(n)s left.", n=left), "warning")
            else:
                flash(
                    _(
                        "Recovery code accepted. It was your last one: make new ones in "
                        "Account settings."
                    ),
                    "warning",
                )
            return finish_login(user, session.get("totp_next") or None, second_factor=True)
    elif not use_recovery and form.validate_on_submit():
        try:
            two_factor.use_totp_code(user, form.code.data)
        except ValidationError as exc:
            form.show_errors(exc.fields)
            if services.second_factor_failed(user):
                return _locked_out()
        else:
            services.second_factor_passed(user)
            return finish_login(user, session.get("totp_next") or None, second_factor=True)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "accounts/login_code.html",
        form=form,
        recovery_form=recovery_form,
        use_recovery=use_recovery,
    ), status


def _locked_out():
    """Too many wrong codes: the pending sign-in ends; the sign-in page refuses until the lock
    ends (the user and the admins have been told)."""
    for key in ("totp_user", "totp_at", "totp_next"):
        session.pop(key, None)
    flash(
        _(
            "Too many wrong attempts: this account is locked for a while. We have sent you an "
            "email about it."
        ),
        "error",
    )
    return redirect(url_for("accounts.login"))


@bp.post("/logout")
def logout():
    """Sign out (POST only, with the CSRF token)."""
    logout_user()
    for key in ("totp_user", "totp_at", "totp_next", "totp_setup", two_factor.VERIFIED_KEY):
        session.pop(key, None)
    flash(_("You have signed out."), "success")
    return redirect(url_for("core.index"))


# --- sign up and verification ------------------------------------------------------------


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def signup():
    """Join as a member: email, password, language and the privacy notice."""
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = SignupForm()
    if request.method == "GET":
        form.locale.data = current_locale()
    if form.validate_on_submit():
        try:
            email_links.register_member(form.email.data, form.password.data, form.locale.data)
        except ValidationError as exc:
            form.show_errors(exc.fields)
        else:
            session["lang"] = form.locale.data
            return render_template("accounts/check_email.html", kind="verify")
    return render_template("accounts/signup.html", form=form)


@bp.get("/verify/<token>")
def verify(token: str):
    """Confirm an email address from the link sent at sign-up."""
    try:
        user = email_links.verify_email(token)
    except email_links.TokenInvalid as exc:
        return link_invalid(exc.reason)
    flash(_("Your email address is confirmed."), "success")
    if current_user.is_authenticated and current_user.id == user.id:
        return redirect(home_for(user))
    if user.is_active and not user.totp_secret:
        # The link proves the mailbox, as a password-reset link does: no second sign-in. An
        # account with two-factor keeps its second step: it signs in with its code.
        logout_user()
        return finish_login(user, None)
    return redirect(url_for("accounts.login", next=home_for(user)))


# --- password reset ------------------------------------------------------------------------


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def reset_request():
    """Ask for a password reset link (the answer is the same whether the email is known)."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        email_links.request_password_reset(form.email.data)
        return render_template("accounts/check_email.html", kind="reset")
    return render_template("accounts/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def reset(token: str):
    """Choose a new password through a reset link."""
    try:
        email_links.check_reset_token(token)
    except email_links.TokenInvalid as exc:
        return link_invalid(exc.reason)
    form = ResetForm()
    if form.validate_on_submit():
        try:
            email_links.reset_password(token, form.password.data)
        except email_links.TokenInvalid as exc:
            return link_invalid(exc.reason)
        except ValidationError as exc:
            form.show_errors(exc.fields)
        else:
            logout_user()
            flash(_("Your password has been changed. You can sign in now."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset.html", form=form)


# --- claim invitations ----------------------------------------------------------------------


@bp.route("/claim/<token>", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def claim(token: str):
    """Claim the profile a mission registered: set a password and give consent."""
    try:
        invitation, person = claims.claim_target(token)
    except email_links.TokenInvalid as exc:
        return link_invalid(exc.reason)
    if claims.claim_email_taken(invitation):
        return render_template("accounts/claim_refused.html", person=person), 409
    form = ClaimForm()
    if form.validate_on_submit():
        try:
            user = claims.accept_claim(
                token, form.password.data, form.consent_listed.data, form.consent_contact.data
            )
        except email_links.TokenInvalid as exc:
            return link_invalid(exc.reason)
        except ValidationError as exc:
            form.show_errors(exc.fields)
        else:
            logout_user()
            login_user(user)
            services.record_login(user)
            session["lang"] = user.locale or "vi"
            flash(_("Welcome! Your profile is now yours to keep up to date."), "success")
            return redirect(url_for("people.mine"))
    return render_template(
        "accounts/claim.html",
        form=form,
        person=person,
        notice_version=current_app.config["PRIVACY_NOTICE_VERSION"],
    )


# --- settings ---------------------------------------------------------------------------------


def _settings_page(
    language_form=None, password_form=None, totp_form=None, renew_form=None, status=200
):
    user = current_user
    enrolled = bool(user.totp_secret)
    return (
        render_template(
            "accounts/settings.html",
            language_form=language_form or LanguageForm(prefix="lang", locale=user.locale or "vi"),
            password_form=password_form or PasswordChangeForm(prefix="pw"),
            totp_form=totp_form or TotpForm(prefix="totp"),
            renew_form=renew_form or RecoveryCodesRenewForm(prefix="renew"),
            two_factor_required=two_factor.required_for(user),
            recovery_left=two_factor.recovery_codes_left(user) if enrolled else None,
        ),
        status,
    )


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    """Account settings: language, password, two-factor for officials."""
    form = LanguageForm(prefix="lang")
    if request.method == "POST":
        if form.validate_on_submit():
            services.set_locale(current_user, form.locale.data)
            session["lang"] = form.locale.data
            flash(_("Your language preference is saved."), "success")
            return redirect(url_for("accounts.settings"))
        return _settings_page(language_form=form, status=422)
    return _settings_page()


@bp.post("/settings/password")
@login_required
def change_password():
    """Change the password (the current one is required)."""
    form = PasswordChangeForm(prefix="pw")
    if form.validate_on_submit():
        try:
            services.change_password(
                current_user, form.current_password.data, form.new_password.data
            )
        except ValidationError as exc:
            form.show_errors(exc.fields)
        else:
            # The other sessions have ended; this one stays signed in.
            loaders.stamp_session(current_user)
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("accounts.settings"))
    return _settings_page(password_form=form, status=422)


def _recovery_codes_page(codes: list[str], continue_url: str, enrolled_now: bool):
    """The recovery codes, shown this once (never cached)."""
    response = current_app.make_response(
        render_template(
            "accounts/recovery_codes.html",
            codes=codes,
            continue_url=continue_url,
            enrolled_now=enrolled_now,
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/settings/2fa", methods=["GET", "POST"])
@login_required
def two_factor_setup():
    """Set up two-factor sign-in: a QR code (and the secret as text) for the authenticator
    app, then a code from it; shows the recovery codes once. Officials who must have
    two-factor are kept here until it is done (``accounts/gate.py``)."""
    policy.require(current_user, "account.two_factor")
    if current_user.totp_secret:
        return redirect(url_for("accounts.settings", _anchor="two-factor"))
    secret = session.get("totp_setup")
    if not secret:
        secret = session["totp_setup"] = two_factor.new_totp_secret()
    form = TotpForm(prefix="totp")
    status = 200
    if form.validate_on_submit():
        try:
            codes = two_factor.enable_totp(current_user, secret, form.code.data)
        except ValidationError as exc:
            form.show_errors(exc.fields)
        else:
            session.pop("totp_setup", None)
            two_factor.mark_session_verified()
            next_url = safe_next(session.pop("totp_next", None) or None, home_for(current_user))
            return _recovery_codes_page(codes, next_url, enrolled_now=True)
    if request.method == "POST":
        status = 422
    uri = two_factor.totp_uri(current_user, secret)
    return render_template(
        "accounts/two_factor_setup.html",
        form=form,
        secret=two_factor.grouped(secret),
        qr=two_factor.qr_svg(uri, _("QR code to scan with your authenticator app")),
        uri=uri,
        required=two_factor.required_for(current_user),
    ), status


@bp.post("/settings/2fa/recovery-codes")
@login_required
def recovery_codes_renew():
    """New recovery codes (the current password is asked; the old codes stop working)."""
    policy.require(current_user, "account.two_factor")
    form = RecoveryCodesRenewForm(prefix="renew")
    if form.validate_on_submit():
        try:
            codes = two_factor.regenerate_recovery_codes(current_user, form.password.data)
        except ValidationError as exc:
            form.show_errors(exc.fields)
        else:
            return _recovery_codes_page(
                codes, url_for("accounts.settings", _anchor="two-factor"), enrolled_now=False
            )
    return _settings_page(renew_form=form, status=422)


@bp.post("/settings/2fa/disable")
@login_required
def totp_disable():
    """Turn two-factor sign-in off (a current code is required)."""
    form = TotpForm(prefix="totp")
    if form.validate_on_submit():
        try:
            two_factor.disable_totp(current_user, form.code.data)
        except ValidationError as exc:
            form.show_errors(exc.fields)
        else:
            flash(_("Two-factor sign-in is off."), "success")
            return redirect(url_for("accounts.settings"))
    return _settings_page(totp_form=form, status=422)


# --- API tokens ---------------------------------------------------------------------------------


@bp.route("/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    """The user's API tokens: list, create (the clear token is shown once), revoke."""
    policy.require(current_user, "token.manage")
    form = TokenForm()
    created = None
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            token, raw = services.create_api_token(
                current_user,
                form.name.data,
                by=current_user,
                scope=form.scope.data,
                days=form.days.data,
            )
            created = {"token": token, "raw": raw}
            form = TokenForm(formdata=None)
        else:
            status = 422
    return (
        render_template(
            "accounts/tokens.html",
            form=form,
            created=created,
            tokens=services.list_api_tokens(current_user),
            now=utcnow(),
        ),
        status,
    )


@bp.post("/tokens/<token_id>/revoke")
@login_required
def revoke_token(token_id: str):
    """Revoke one of the user's own tokens."""
    token = db.session.get(ApiToken, token_id)
    # Someone else's token is "not found", so that ids cannot be probed.
    if token is None or token.user_id != current_user.id:
        abort(404)
    policy.require(current_user, "token.revoke", token)
    services.revoke_api_token(token, by=current_user)
    flash(_("The token has been revoked."), "success")
    return redirect(url_for("accounts.tokens"))
