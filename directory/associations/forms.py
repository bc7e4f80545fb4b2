"""Association forms: they validate what a browser sends; the services persist."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from directory.associations.models import MEMBERSHIP_ROLES
from directory.core.forms import Form, MultiPickField, ServiceForm
from directory.i18n import current_locale
from directory.people.forms import country_select, pick_fields
from directory.reference.provinces import all_provinces


def kind_choices():
    return [
        ("hometown", _l("Hometown association")),
        ("professional", _l("Professional association")),
        ("business", _l("Business association")),
    ]


def role_choices():
    labels = {
        "president": _l("President"),
        "vice_president": _l("Vice president"),
        "secretary": _l("Secretary"),
        "treasurer": _l("Treasurer"),
        "board": _l("Board member"),
        "member": _l("Member"),
    }
    return [(r, labels[r]) for r in MEMBERSHIP_ROLES]


def province_choices(locale: str) -> list[tuple[str, str]]:
    pairs = [(p.slug, p.name_en if locale == "en" else p.name_vi) for p in all_provinces()]
    return sorted(pairs, key=lambda p: p[1])


class AssociationForm(ServiceForm):
    """A hometown, professional or business association."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=250)])
    name_en = StringField(_l("Name in English"), validators=[Optional(), Length(max=250)])
    kind = SelectField(_l("Kind"), validators=[DataRequired()])
    province = SelectField(_l("Province (for hometown associations)"), validators=[Optional()])
    country = SelectField(_l("Country"), validators=[DataRequired()])
    city = StringField(_l("City"), validators=[Optional(), Length(max=120)])
    founded_year = StringField(_l("Year founded"), validators=[Optional(), Length(max=4)])
    member_count = StringField(_l("Number of members"), validators=[Optional(), Length(max=9)])
    fields = MultiPickField(_l("Fields"), validators=[Optional()])
    email = StringField(_l("Email"), validators=[Optional(), Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    website = StringField(_l("Website"), validators=[Optional(), Length(max=300)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    submit = SubmitField(_l("Save"))

    SERVICE_KEYS = (
        "name",
        "name_en",
        "kind",
        "province",
        "country",
        "city",
        "founded_year",
        "member_count",
        "fields",
        "email",
        "phone",
        "website",
        "description",
    )

    def __init__(
        self,
        *args,
        countries: list[str] | None = None,
        default_country: str | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        locale = current_locale()
        self.kind.choices = kind_choices()
        self.province.choices = [("", _l("— none —")), *province_choices(locale)]
        self.country.choices = country_select(locale, countries, default_country)
        if default_country and not self.is_submitted():
            self.country.data = default_country
        pick_fields(self.fields)

    def to_service_data(self) -> dict:
        return {key: getattr(self, key).data for key in self.SERVICE_KEYS}

    def fill_from(self, association) -> None:
        for key in self.SERVICE_KEYS:
            value = getattr(association, "province_slug" if key == "province" else key)
            if key in ("founded_year", "member_count"):
                value = "" if value is None else str(value)
            getattr(self, key).data = value

    def error_field(self, key: str):
        """Only the inputs sent to the service show its messages."""
        return self.input_named(key) if key in self.SERVICE_KEYS else None


class MembershipForm(ServiceForm):
    """Add a person to the association: the person chosen with the picker (an id; a pasted
    profile link is still understood)."""

    person = HiddenField(
        _l("Person"),
        validators=[
            DataRequired(message=_l("Find the person by name, then choose them.")),
            Length(max=300),
        ],
    )
    role = SelectField(_l("Role"), validators=[DataRequired()])
    start_date = DateField(_l("Start date"), validators=[Optional()])
    end_date = DateField(_l("End date"), validators=[Optional()])
    submit = SubmitField(_l("Add member"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = role_choices()


class BusinessMemberForm(ServiceForm):
    """List a business (chosen with the picker) as a member of a business association."""

    business = HiddenField(
        _l("Business"),
        validators=[
            DataRequired(message=_l("Find the business by name, then choose it.")),
            Length(max=300),
        ],
    )
    since = DateField(_l("Member since"), validators=[Optional()])
    submit = SubmitField(_l("Add the business"))


class EndMembershipForm(Form):
    """Close a membership."""

    end_date = DateField(_l("End date"), validators=[Optional()])
    submit = SubmitField(_l("End membership"))
