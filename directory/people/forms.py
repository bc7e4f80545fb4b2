"""Profile forms: they validate what a browser sends; the services normalise and persist."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from directory.extensions import db
from directory.people.models import KINDS
from directory.reference.countries import country_choices, language_choices


class CheckboxesField(SelectMultipleField):
    """A multi-select rendered as a list of checkboxes (keyboard and screen-reader friendly)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _locale() -> str:
    return str(get_locale() or "vi")


def field_choices() -> list[tuple[str, str]]:
    """Taxonomy (code, label) pairs in the current language, sorted by label."""
    from directory.reference.models import Field

    locale = _locale()
    fields = db.session.scalars(sa.select(Field).where(Field.active.is_(True))).all()
    return sorted(((f.code, f.label(locale)) for f in fields), key=lambda p: p[1].lower())


def kind_choices() -> list[tuple[str, str]]:
    labels = {"expert": _l("Expert"), "entrepreneur": _l("Entrepreneur")}
    return [(k, labels[k]) for k in KINDS]


def visibility_choices() -> list[tuple[str, str]]:
    return [
        ("public", _l("Public: anyone")),
        ("officials", _l("Officials: signed-in embassy, province and central staff")),
        ("private", _l("Private: only me, the registering mission and administrators")),
    ]


class PersonForm(FlaskForm):
    """Every field of the contract's Person, grouped as on the page."""

    full_name = StringField(
        _l("Full name (with Vietnamese diacritics)"), validators=[DataRequired(), Length(max=200)]
    )
    other_names = StringField(_l("Other names"), validators=[Optional(), Length(max=1000)])
    kinds = CheckboxesField(_l("Kind"), validators=[Optional()])
    fields = SelectMultipleField(_l("Fields of expertise"), validators=[Optional()])
    skills = StringField(_l("Skills"), validators=[Optional(), Length(max=2000)])
    title = StringField(_l("Title or position"), validators=[Optional(), Length(max=200)])
    organization = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)])
    sector = StringField(_l("Sector"), validators=[Optional(), Length(max=200)])
    education = TextAreaField(_l("Education"), validators=[Optional(), Length(max=2000)])
    languages = SelectMultipleField(_l("Languages"), validators=[Optional()])
    country = SelectField(_l("Country of residence"), validators=[Optional()])
    city = StringField(_l("City"), validators=[Optional(), Length(max=120)])
    hometown_province = StringField(
        _l("Hometown province"), validators=[Optional(), Length(max=120)]
    )
    birth_year = StringField(_l("Year of birth"), validators=[Optional(), Length(max=4)])
    bio = TextAreaField(_l("Short biography"), validators=[Optional(), Length(max=5000)])
    company = StringField(_l("Company"), validators=[Optional(), Length(max=200)])
    company_sector = StringField(_l("Company sector"), validators=[Optional(), Length(max=200)])
    company_size = StringField(_l("Company size"), validators=[Optional(), Length(max=40)])
    company_website = StringField(_l("Company website"), validators=[Optional(), Length(max=300)])
    email = StringField(_l("Email"), validators=[Optional(), Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    website = StringField(_l("Website"), validators=[Optional(), Length(max=300)])
    links = TextAreaField(_l("Professional links"), validators=[Optional(), Length(max=3200)])
    submit = SubmitField(_l("Save"))

    # Keys sent to the service, in the contract's names.
    SERVICE_KEYS = (
        "full_name",
        "other_names",
        "kinds",
        "fields",
        "skills",
        "title",
        "organization",
        "sector",
        "education",
        "languages",
        "country",
        "city",
        "hometown_province",
        "birth_year",
        "bio",
        "company",
        "company_sector",
        "company_size",
        "company_website",
        "email",
        "phone",
        "website",
        "links",
    )

    def __init__(self, *args, countries: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        locale = _locale()
        self.kinds.choices = kind_choices()
        self.fields.choices = field_choices()
        self.languages.choices = language_choices(locale)
        choices = country_choices(locale)
        if countries is not None:
            choices = [c for c in choices if c[0] in countries]
            self.country.choices = choices
        else:
            self.country.choices = [("", _l("— choose —")), *choices]

    def to_service_data(self) -> dict:
        """The submitted values under the contract's keys (lists stay lists, ';' strings stay)."""
        return {key: getattr(self, key).data for key in self.SERVICE_KEYS}

    def fill_from(self, person) -> None:
        """Pre-fill from a profile (GET)."""
        for key in self.SERVICE_KEYS:
            value = getattr(person, key)
            if key in ("other_names", "skills"):
                value = "; ".join(value or [])
            elif key == "links":
                value = "\n".join(value or [])
            elif key == "hometown_province":
                value = person.hometown_as_given or person.hometown_province or ""
            elif key == "birth_year":
                value = str(value) if value else ""
            getattr(self, key).data = value

    def apply_errors(self, errors: dict[str, str]) -> dict[str, str]:
        """Attach service errors to their inputs; returns those that belong to no input."""
        rest = {}
        for key, message in errors.items():
            name = "hometown_province" if key == "hometown" else key
            field = getattr(self, name, None) if name in self.SERVICE_KEYS else None
            if field is None and name.startswith(("visibility", "consent")):
                field = getattr(self, name.replace(".", "_"), None)
            if field is None:
                rest[key] = message
            else:
                field.errors = [*field.errors, message] if field.errors else [message]
        return rest


class RegisterPersonForm(PersonForm):
    """An embassy officer registers a person who told the mission what they consent to."""

    consent_listed = BooleanField(_l("The person agrees to be listed in the directory"))
    consent_contact = BooleanField(_l("The person agrees to be contacted by officials"))
    submit = SubmitField(_l("Register"))

    SERVICE_KEYS = (*PersonForm.SERVICE_KEYS, "consent_listed", "consent_contact")


class OwnProfileForm(RegisterPersonForm):
    """A member creates their own profile, choosing consent as they go."""

    consent_listed = BooleanField(_l("List my profile in the directory"))
    consent_contact = BooleanField(_l("Officials may contact me"))
    submit = SubmitField(_l("Create my profile"))


class PrivacyForm(FlaskForm):
    """Visibility per group of fields, and consent."""

    visibility_profile = SelectField(_l("Who sees my professional profile"))
    visibility_contact = SelectField(_l("Who sees my contact details"))
    consent_listed = BooleanField(_l("List my profile in the directory"))
    consent_contact = BooleanField(_l("Officials may contact me"))
    submit = SubmitField(_l("Save privacy settings"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.visibility_profile.choices = visibility_choices()
        self.visibility_contact.choices = visibility_choices()


class DeleteAccountForm(FlaskForm):
    """The confirmation step before an account is deleted."""

    confirm = BooleanField(
        _l("I understand that my profile will be anonymised and my account deleted"),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )
    submit = SubmitField(_l("Delete my account"))


class ActionForm(FlaskForm):
    """An empty form: a POST button with its CSRF token."""
