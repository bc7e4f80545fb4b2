"""Profile forms: they validate what a browser sends; the services normalise and persist."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
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

from directory.core.forms import Form, MultiPickField, ServiceForm
from directory.extensions import db
from directory.i18n import current_locale
from directory.people.fields import field_names
from directory.people.models import EVIDENCE_SOURCES, KINDS
from directory.reference.countries import country_choices, language_choices


class CheckboxesField(SelectMultipleField):
    """A multi-select rendered as a list of checkboxes (keyboard and screen-reader friendly)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _locale() -> str:
    return current_locale()


def field_choices() -> list[tuple[str, str]]:
    """Taxonomy (code, label) pairs in the current language, sorted by label."""
    from directory.reference.models import Field

    locale = _locale()
    fields = db.session.scalars(sa.select(Field).where(Field.active.is_(True))).all()
    return sorted(((f.code, f.label(locale)) for f in fields), key=lambda p: p[1].lower())


# The group titles of the taxonomy, in the order a form shows them.
def field_group_titles() -> dict[str, str]:
    return {
        "theme": _l("Priority themes"),
        "research": _l("Research fields"),
        "sector": _l("Economic sectors"),
    }


# The languages and countries most of the diaspora ticks, shown first in a form's list.
COMMON_LANGUAGES = ("vi", "en", "fr", "de", "ru", "ja", "ko", "zh", "cs", "pl", "es", "it")
COMMON_COUNTRIES = ("FR", "US", "DE", "JP", "KR", "AU", "CA", "GB", "CZ", "RU", "PL", "TW")


def pick_fields(field: MultiPickField, choices=None) -> None:
    """The taxonomy's fields (``choices``, default all active), grouped by taxonomy group."""
    from directory.reference.models import Field

    titles = field_group_titles()
    rows = db.session.execute(sa.select(Field.code, Field.group)).all()
    groups = {code: titles.get(group, group) for code, group in rows}
    field.set_choices(field_choices() if choices is None else choices, groups, titles.values())


def _pick_common(field, choices, common, common_title, other_title) -> None:
    order = {code: i for i, code in enumerate(common)}
    first = sorted((c for c in choices if c[0] in order), key=lambda c: order[c[0]])
    rest = [c for c in choices if c[0] not in order]
    groups = {c[0]: common_title for c in first} | {c[0]: other_title for c in rest}
    field.set_choices([*first, *rest], groups, [common_title, other_title])


def pick_languages(field: MultiPickField, locale: str) -> None:
    """Every language, the most common ones first."""
    titles = (_l("Most common languages"), _l("Other languages"))
    _pick_common(field, language_choices(locale), COMMON_LANGUAGES, *titles)


def pick_countries(field: MultiPickField, locale: str) -> None:
    """Every country, those where most of the diaspora lives first."""
    titles = (_l("Countries with the most Vietnamese"), _l("Other countries"))
    _pick_common(field, country_choices(locale), COMMON_COUNTRIES, *titles)


def country_select(
    locale: str, countries: list[str] | None, default_country: str | None = None
) -> list[tuple[str, str]]:
    """The country choices: all, or a mission's; "— choose —" first unless the list has a
    single country or a default (the mission's main country), so that the browser never
    picks the alphabetically first one (Monaco for the Paris embassy) without being asked."""
    choices = country_choices(locale)
    if countries is not None:
        choices = [c for c in choices if c[0] in countries]
    if len(choices) > 1 and not (default_country and default_country in dict(choices)):
        choices = [("", _l("— choose —")), *choices]
    return choices


def kind_choices() -> list[tuple[str, str]]:
    labels = {"expert": _l("Expert"), "entrepreneur": _l("Entrepreneur")}
    return [(k, labels[k]) for k in KINDS]


def visibility_choices() -> list[tuple[str, str]]:
    return [
        ("public", _l("Public: anyone")),
        ("officials", _l("Officials: signed-in embassy, province and central staff")),
        ("private", _l("Private: only me, the registering mission and administrators")),
    ]


def evidence_source_choices() -> list[tuple[str, str]]:
    labels = {
        "paper": _l("A signed paper form"),
        "email": _l("An email from the person"),
        "in_person": _l("In person, at the mission or an event"),
        "online_form": _l("An online form outside the directory"),
    }
    return [("", _l("— choose —")), *((s, labels[s]) for s in EVIDENCE_SOURCES)]


class PersonForm(ServiceForm):
    """Every field of the contract's Person, grouped as on the page."""

    full_name = StringField(
        _l("Full name (with Vietnamese diacritics)"), validators=[DataRequired(), Length(max=200)]
    )
    other_names = StringField(_l("Other names"), validators=[Optional(), Length(max=1000)])
    kinds = CheckboxesField(_l("Kind"), validators=[Optional()])
    fields = MultiPickField(_l("Fields of expertise"), validators=[Optional()])
    skills = StringField(_l("Skills"), validators=[Optional(), Length(max=2000)])
    title = StringField(_l("Title or position"), validators=[Optional(), Length(max=200)])
    organization = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)])
    sector = StringField(_l("Sector"), validators=[Optional(), Length(max=200)])
    education = TextAreaField(_l("Education"), validators=[Optional(), Length(max=2000)])
    languages = MultiPickField(_l("Languages"), validators=[Optional()])
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

    # Keys sent to the service, in the contract's names: every declared field of the form.
    SERVICE_KEYS = field_names(form=True)

    def __init__(
        self,
        *args,
        countries: list[str] | None = None,
        default_country: str | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        locale = _locale()
        self.kinds.choices = kind_choices()
        pick_fields(self.fields)
        pick_languages(self.languages, locale)
        self.country.choices = country_select(locale, countries, default_country)
        if default_country and not self.is_submitted():
            self.country.data = default_country

    def to_service_data(self) -> dict:
        """The submitted values under the contract's keys (lists stay lists, ';' strings stay)."""
        return {key: getattr(self, key).data for key in self.SERVICE_KEYS}

    def fill_from(self, person) -> None:
        """Pre-fill from a profile (GET)."""
        for key in PersonForm.SERVICE_KEYS:
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

    # Service error keys of the consent evidence -> the form's inputs.
    EVIDENCE_INPUTS = {
        "consent_evidence.source": "consent_source",
        "consent_evidence.date": "consent_date",
        "consent_evidence.reference": "consent_reference",
    }
    ERROR_FIELDS = {
        "hometown": "hometown_province",
        "consent_evidence": "consent_source",
        **EVIDENCE_INPUTS,
    }

    def error_field(self, key: str):
        """The inputs sent to the service, and the visibility and consent inputs."""
        name = self.ERROR_FIELDS.get(key, key)
        if name in self.SERVICE_KEYS:
            return self.input_named(name)
        if name.startswith(("visibility", "consent")):
            return self.input_named(name.replace(".", "_"))
        return None

    def apply_errors(self, errors: dict[str, str]) -> dict[str, str]:
        """As the base; the evidence summary is left out when each input has its message."""
        if any(key in self.EVIDENCE_INPUTS for key in errors):
            errors = {key: message for key, message in errors.items() if key != "consent_evidence"}
        return super().apply_errors(errors)


class ConsentEvidenceMixin:
    """Consent the person gave the mission, and how and when (an official's form).

    The evidence inputs are sent only when a consent box is ticked; the service decides
    whether they are needed (a consent newly recorded) and checks them.
    """

    consent_listed = BooleanField(_l("The person agrees to be listed in the directory"))
    consent_contact = BooleanField(_l("The person agrees to be contacted by officials"))
    consent_source = SelectField(_l("How the person gave consent"), validators=[Optional()])
    consent_date = StringField(
        _l("Date consent was given"),
        validators=[Optional(), Length(max=10)],
        render_kw={"type": "date", "placeholder": "YYYY-MM-DD"},
    )
    consent_reference = StringField(
        _l("Reference (form number, email subject…)"), validators=[Optional(), Length(max=200)]
    )

    def _init_evidence(self) -> None:
        self.consent_source.choices = evidence_source_choices()

    def evidence_data(self) -> dict:
        """``consent_listed``, ``consent_contact`` and, with a ticked box, ``consent_evidence``."""
        data = {
            "consent_listed": bool(self.consent_listed.data),
            "consent_contact": bool(self.consent_contact.data),
        }
        parts = (self.consent_source.data, self.consent_date.data, self.consent_reference.data)
        if (data["consent_listed"] or data["consent_contact"]) and any(parts):
            data["consent_evidence"] = {
                "source": parts[0] or None,
                "date": (parts[1] or "").strip() or None,
                "reference": parts[2] or None,
            }
        return data


class DuplicateCheckMixin:
    """The confirmation that a new profile is not one of the likely duplicates shown."""

    confirm_new = BooleanField(_l("This is a different person: register anyway"))


class RegisterPersonForm(DuplicateCheckMixin, ConsentEvidenceMixin, PersonForm):
    """An embassy officer registers a person who told the mission what they consent to."""

    submit = SubmitField(_l("Register"))

    SERVICE_KEYS = (
        *PersonForm.SERVICE_KEYS,
        "consent_listed",
        "consent_contact",
        "consent_source",
        "consent_date",
        "consent_reference",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._init_evidence()

    def to_service_data(self) -> dict:
        data = {key: getattr(self, key).data for key in PersonForm.SERVICE_KEYS}
        return {**data, **self.evidence_data()}


class MissionEditForm(RegisterPersonForm):
    """An official edits an unclaimed profile, consent included (with its evidence)."""

    submit = SubmitField(_l("Save"))

    def fill_from(self, person) -> None:
        super().fill_from(person)
        self.consent_listed.data = bool(person.consent_listed)
        self.consent_contact.data = bool(person.consent_contact)


class OwnProfileForm(DuplicateCheckMixin, PersonForm):
    """A member creates their own profile, choosing consent as they go."""

    consent_listed = BooleanField(_l("List my profile in the directory"))
    consent_contact = BooleanField(_l("Officials may contact me"))
    submit = SubmitField(_l("Create my profile"))

    SERVICE_KEYS = (*PersonForm.SERVICE_KEYS, "consent_listed", "consent_contact")


class PrivacyForm(Form):
    """Visibility per group of fields, and consent."""

    visibility_profile = SelectField(_l("Who sees my professional profile"))
    visibility_contact = SelectField(_l("Who sees my contact details"))
    consent_listed = BooleanField(_l("List my profile in the directory"))
    consent_contact = BooleanField(_l("Officials may contact me"))
    contact_requests_enabled = BooleanField(
        _l("Officials may ask, through the directory, to be put in touch with me")
    )
    submit = SubmitField(_l("Save privacy settings"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.visibility_profile.choices = visibility_choices()
        self.visibility_contact.choices = visibility_choices()


class DeleteAccountForm(Form):
    """The confirmation step before an account is deleted."""

    confirm = BooleanField(
        _l("I understand that my profile will be anonymised and my account deleted"),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )
    submit = SubmitField(_l("Delete my account"))


class ActionForm(Form):
    """An empty form: a POST button with its CSRF token."""
