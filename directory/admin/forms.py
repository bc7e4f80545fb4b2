"""Administration forms: they validate input and never persist."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp
from wtforms import BooleanField, EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from directory.accounts.forms import LANGUAGE_CHOICES
from directory.core.forms import Form, ServiceForm

ROLE_LABELS = {
    "member": _lp("account role", "Member"),
    "embassy": _l("Embassy officer"),
    "province": _l("Province officer"),
    "admin": _l("Administrator"),
}
KIND_LABELS = {"embassy": _l("Embassy"), "consulate": _l("Consulate")}


def _required():
    return DataRequired(message=_l("This field is required."))


class _ScopeMixin:
    role = SelectField(_l("Role"), choices=[SelectChoice(k, v) for k, v in ROLE_LABELS.items()])
    mission = SelectField(_l("Mission (embassy officers)"), choices=[], validate_choice=False)
    province = SelectField(_l("Province (province officers)"), choices=[], validate_choice=False)
    approver = BooleanField(_l("Approver: may approve representative appointments"))


class UserCreateForm(_ScopeMixin, ServiceForm):
    email = EmailField(_l("Email"), validators=[_required(), Length(max=254)])
    display_name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    locale = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    password = PasswordField(
        _l("Initial password (leave empty to email a link instead)"),
        validators=[Optional()],
        render_kw={"autocomplete": "new-password"},
    )


class UserEditForm(_ScopeMixin, ServiceForm):
    display_name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    active = BooleanField(_l("Active (unticked: the account cannot sign in or use the API)"))


class MissionForm(ServiceForm):
    code = StringField(_l("Code"), validators=[_required(), Length(max=20)])
    name = StringField(_l("Name"), validators=[_required(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=[SelectChoice(k, v) for k, v in KIND_LABELS.items()])
    city = StringField(_l("City"), validators=[Optional(), Length(max=120)])
    email = EmailField(_l("Email"), validators=[Optional(), Length(max=254)])
    countries = StringField(
        _l("Countries covered"),
        validators=[_required()],
        description=_l(
            "ISO codes or names in Vietnamese or English, separated by commas: FR, Monaco"
        ),
    )


class AuditFilterForm(Form):
    class Meta:
        csrf = False

    actor = StringField(_l("Actor (email or id)"), validators=[Optional(), Length(max=254)])
    action = SelectField(_l("Action"), choices=[], validate_choice=False)
    object_type = SelectField(_l("Record type"), choices=[], validate_choice=False)
    object_id = StringField(_l("Record id"), validators=[Optional(), Length(max=40)])
    # Plain text fields parsed by the view: WTForms has no Vietnamese messages for DateField.
    date_from = StringField(_l("From"), validators=[Optional()], render_kw={"type": "date"})
    date_to = StringField(_l("To"), validators=[Optional()], render_kw={"type": "date"})

    def parsed_date(self, name: str):
        """The ISO date in field ``name``, None when empty; adds an error when malformed."""
        field = getattr(self, name)
        value = (field.data or "").strip()
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            field.errors = [*field.errors, _l("Use the format YYYY-MM-DD.")]
            return None
