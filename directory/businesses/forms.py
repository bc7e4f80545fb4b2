"""Business forms: they read what a browser sends; the services check and persist it."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from directory.businesses import inputs
from directory.businesses.models import (
    INTEREST_KINDS,
    LINK_ROLES,
    PRESENCE_KINDS,
    SIZE_BANDS,
    TICKET_BANDS,
    VISIBILITY_LEVELS,
)
from directory.core.forms import Form, MultiPickField, ServiceForm
from directory.extensions import db
from directory.i18n import current_locale
from directory.reference.countries import country_choices
from directory.reference.provinces import all_provinces

PRESENCE_ROWS = 3
INTEREST_ROWS = 3


def sector_choices() -> list[tuple[str, str]]:
    """The business sectors (code, label) in the current language, sorted by label."""
    from directory.reference.models import Field

    locale = current_locale()
    rows = db.session.scalars(
        sa.select(Field).where(Field.active.is_(True), Field.group == "sector")
    ).all()
    return sorted(((f.code, f.label(locale)) for f in rows), key=lambda p: p[1].lower())


def province_choices() -> list[tuple[str, str]]:
    en = current_locale() == "en"
    return [(p.slug, p.name_en if en else p.name_vi) for p in all_provinces()]


def _split(text: str | None) -> list[str]:
    return [v.strip() for v in (text or "").replace(";", ",").split(",") if v.strip()]


class _Sub(Form):
    """A row inside the business form (its CSRF token is the outer form's)."""

    class Meta:
        csrf = False


class PresenceRow(_Sub):
    kind = SelectField(_l("Presence in Vietnam"), validators=[Optional()])
    province = SelectField(_l("Province"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [("", "—")] + [(k, inputs.PRESENCE_LABELS[k]) for k in PRESENCE_KINDS]
        self.province.choices = [("", "—"), *province_choices()]


class InterestRow(_Sub):
    kind = SelectField(_lp("business", "Interest"), validators=[Optional()])
    sectors = MultiPickField(_l("Sectors"), validators=[Optional()])
    provinces = MultiPickField(_l("Provinces of interest"), validators=[Optional()])
    products = StringField(
        _l("Product groups (separated by commas)"), validators=[Optional(), Length(max=2000)]
    )
    ticket_band = SelectField(_l("Indicative ticket"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [("", "—")] + [(k, inputs.INTEREST_LABELS[k]) for k in INTEREST_KINDS]
        self.sectors.choices = sector_choices()
        self.provinces.choices = province_choices()
        self.ticket_band.choices = [("", "—")] + [
            (k, inputs.TICKET_LABELS[k]) for k in TICKET_BANDS
        ]


class BusinessForm(ServiceForm):
    """Every key of a business, one column (phones): lists as commas or multiple choices."""

    ERROR_FIELDS = {
        "presence_in_vietnam": "presence",
        "visibility": "visibility_profile",
        "confirm_duplicate": "confirm_duplicate",
    }

    name = StringField(
        _l("Name, as the business writes it"),
        validators=[DataRequired(), Length(max=inputs.NAME_MAX)],
    )
    other_names = StringField(
        _l("Other names (brand, former name), separated by commas"),
        validators=[Optional(), Length(max=2000)],
    )
    legal_form = StringField(_l("Legal form"), validators=[Optional(), Length(max=80)])
    country = SelectField(_l("Country of registration"), validators=[DataRequired()])
    operates_in = MultiPickField(_l("Also operates in"), validators=[Optional()])
    cities = StringField(
        _l("Cities, separated by commas"), validators=[Optional(), Length(max=2000)]
    )
    sectors = MultiPickField(_l("Sectors"), validators=[Optional()])
    size_band = SelectField(_l("Size (employees)"), validators=[Optional()])
    founded_year = StringField(
        _l("Founded in (year)"),
        validators=[Optional(), Length(max=4)],
        render_kw={"inputmode": "numeric"},
    )
    website = StringField(_l("Website"), validators=[Optional(), Length(max=300)])
    email = StringField(_l("Public email"), validators=[Optional(), Length(max=254)])
    phone = StringField(_l("Public phone"), validators=[Optional(), Length(max=40)])
    description = TextAreaField(
        _l("Description"), validators=[Optional(), Length(max=inputs.DESCRIPTION_MAX)]
    )
    presence = FieldList(FormField(PresenceRow), min_entries=PRESENCE_ROWS, max_entries=20)
    interests = FieldList(FormField(InterestRow), min_entries=INTEREST_ROWS, max_entries=20)
    consent_listed = BooleanField(_l("List the business publicly in the directory"))
    visibility_profile = SelectField(_l("Who sees the business's profile"), validators=[Optional()])
    visibility_contact = SelectField(_l("Who sees its contact details"), validators=[Optional()])
    confirm_duplicate = BooleanField(
        _l("This is a different business: register it anyway"), validators=[Optional()]
    )
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, manage: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        locale = current_locale()
        self.country.choices = [("", "—"), *country_choices(locale)]
        self.operates_in.choices = country_choices(locale)
        self.sectors.choices = sector_choices()
        self.size_band.choices = [("", "—")] + [(k, inputs.SIZE_LABELS[k]) for k in SIZE_BANDS]
        levels = [(k, inputs.VISIBILITY_LABELS[k]) for k in VISIBILITY_LEVELS]
        self.visibility_profile.choices = levels
        self.visibility_contact.choices = levels
        self.manage = manage
        if not manage:  # visibility and listing: the business's managers (and the admin)
            del self.consent_listed
            del self.visibility_profile
            del self.visibility_contact

    def fill_from(self, business) -> None:
        self.name.data = business.name
        self.other_names.data = ", ".join(business.other_names or [])
        self.legal_form.data = business.legal_form
        self.country.data = business.country
        self.operates_in.data = list(business.operates_in or [])
        self.cities.data = ", ".join(business.cities or [])
        self.sectors.data = list(business.sectors or [])
        self.size_band.data = business.size_band or ""
        self.founded_year.data = str(business.founded_year or "")
        self.website.data = business.website
        self.email.data = business.email
        self.phone.data = business.phone
        self.description.data = business.description
        for row, entry in zip(self.presence, business.presence_in_vietnam or [], strict=False):
            row.form.kind.data, row.form.province.data = entry["kind"], entry["province"] or ""
        for row, entry in zip(self.interests, business.interests or [], strict=False):
            row.form.kind.data = entry["kind"]
            row.form.sectors.data = list(entry.get("sectors") or [])
            row.form.provinces.data = list(entry.get("provinces") or [])
            row.form.products.data = ", ".join(entry.get("products") or [])
            row.form.ticket_band.data = entry.get("ticket_band") or ""
        if self.manage:
            self.consent_listed.data = business.consent_listed
            self.visibility_profile.data = business.visibility_profile
            self.visibility_contact.data = business.visibility_contact

    def to_service_data(self) -> dict:
        year = (self.founded_year.data or "").strip()
        data = {
            "name": self.name.data or "",
            "other_names": _split(self.other_names.data),
            "legal_form": self.legal_form.data or None,
            "country": self.country.data or "",
            "operates_in": list(self.operates_in.data or []),
            "cities": _split(self.cities.data),
            "sectors": list(self.sectors.data or []),
            "size_band": self.size_band.data or None,
            "founded_year": year or None,
            "website": self.website.data or None,
            "email": self.email.data or None,
            "phone": self.phone.data or None,
            "description": self.description.data or None,
            "presence_in_vietnam": [
                {"kind": r.form.kind.data, "province": r.form.province.data or None}
                for r in self.presence
                if r.form.kind.data
            ],
            "interests": [
                {
                    "kind": r.form.kind.data,
                    "sectors": list(r.form.sectors.data or []),
                    "provinces": list(r.form.provinces.data or []),
                    "products": _split(r.form.products.data),
                    "ticket_band": r.form.ticket_band.data or None,
                }
                for r in self.interests
                if r.form.kind.data
            ],
        }
        if self.manage:
            data["consent_listed"] = bool(self.consent_listed.data)
            data["visibility"] = {
                "profile": self.visibility_profile.data,
                "contact": self.visibility_contact.data,
            }
        if self.confirm_duplicate.data:
            data["confirm_duplicate"] = True
        return data


class LinkForm(ServiceForm):
    person_id = StringField(
        _l("The person's id (the last part of their profile's address)"),
        validators=[DataRequired(), Length(max=200)],
    )
    role = SelectField(_l("Role"), validators=[DataRequired()])
    since = StringField(
        _l("Since"), validators=[Optional(), Length(max=10)], render_kw={"type": "date"}
    )
    submit = SubmitField(_l("Link the person"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = [(k, inputs.ROLE_LABELS[k]) for k in LINK_ROLES]

    def to_service_data(self) -> dict:
        raw = (self.person_id.data or "").strip().rstrip("/")
        return {
            "person_id": raw.rsplit("/", 1)[-1],
            "role": self.role.data,
            "since": (self.since.data or "").strip() or None,
        }


class ActionForm(Form):
    """A button that only needs the CSRF token."""
