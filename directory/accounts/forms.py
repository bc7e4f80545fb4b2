"""Account forms: they validate input and never persist."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from directory.accounts.services import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from directory.core.forms import Form, ServiceForm

LANGUAGE_CHOICES = [SelectChoice("vi", "Tiếng Việt"), SelectChoice("en", "English")]


def _new_password(label):
    return PasswordField(
        label,
        validators=[
            DataRequired(message=_l("This field is required.")),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=MAX_PASSWORD_LENGTH,
                message=_l("Use at least 10 characters."),
            ),
        ],
        render_kw={"autocomplete": "new-password"},
    )


def _confirm(label, other="password"):
    return PasswordField(
        label,
        validators=[
            DataRequired(message=_l("This field is required.")),
            EqualTo(other, message=_l("The two passwords do not match.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class LoginForm(Form):
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(message=_l("This field is required."))],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(message=_l("This field is required."))],
        render_kw={"autocomplete": "current-password"},
    )


class TotpForm(ServiceForm):
    code = StringField(
        _l("Six-digit code from your authenticator app"),
        validators=[DataRequired(message=_l("This field is required."))],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": 7},
    )


class RecoveryCodeForm(ServiceForm):
    """Sign in with one of the recovery codes instead of an authenticator code."""

    recovery_code = StringField(
        _l("Recovery code"),
        validators=[
            DataRequired(message=_l("This field is required.")),
            Length(max=40, message=_l("This recovery code is not valid.")),
        ],
        render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"},
    )


class RecoveryCodesRenewForm(ServiceForm):
    """Make new recovery codes: the current password is asked."""

    password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(message=_l("This field is required."))],
        render_kw={"autocomplete": "current-password"},
    )


class SignupForm(ServiceForm):
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(message=_l("This field is required.")), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )
    password = _new_password(_l("Password (at least 10 characters)"))
    locale = SelectField(_l("Language for emails and pages"), choices=LANGUAGE_CHOICES)
    accept_privacy = BooleanField(
        _l("I have read and accept the privacy notice"),
        validators=[InputRequired(message=_l("Please accept the privacy notice to continue."))],
    )


class ResetRequestForm(Form):
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(message=_l("This field is required."))],
        render_kw={"autocomplete": "email"},
    )


class ResetForm(ServiceForm):
    password = _new_password(_l("New password (at least 10 characters)"))
    confirm = _confirm(_l("Repeat the new password"))


class ClaimForm(ServiceForm):
    password = _new_password(_l("Choose a password (at least 10 characters)"))
    confirm = _confirm(_l("Repeat the password"))
    consent_listed = BooleanField(_l("List my profile in the directory"))
    consent_contact = BooleanField(
        _l("Officials of Vietnam's missions and provinces may contact me")
    )


class LanguageForm(Form):
    locale = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)


class PasswordChangeForm(ServiceForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(message=_l("This field is required."))],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = _new_password(_l("New password (at least 10 characters)"))
    confirm = _confirm(_l("Repeat the new password"), other="new_password")


class TokenForm(Form):
    name = StringField(
        _l("Name (what the token is for)"),
        validators=[DataRequired(message=_l("This field is required.")), Length(max=100)],
    )
    scope = SelectField(
        _l("What it may do"),
        choices=[
            SelectChoice("read", _l("Read only (searches, lists, records)")),
            SelectChoice("write", _l("Read and change data, with all your permissions")),
        ],
        default="read",
    )
    days = IntegerField(
        _l("Valid for (days)"),
        default=90,
        validators=[
            Optional(),
            NumberRange(min=1, max=365, message=_l("Choose between 1 and 365 days.")),
        ],
    )
