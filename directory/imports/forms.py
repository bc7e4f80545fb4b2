"""Import forms: they validate input and never persist."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import Length, Optional

from directory.core.forms import Form, ServiceForm


class UploadForm(Form):
    """The spreadsheet to import (and, for the admin, the mission importing it)."""

    file = FileField(
        _l("Spreadsheet (CSV or XLSX)"),
        validators=[FileRequired(message=_l("Choose a file to upload."))],
        render_kw={"accept": ".csv,.txt,.tsv,.xlsx,text/csv"},
    )
    sheet = StringField(_l("Sheet name (XLSX, optional)"), validators=[Optional(), Length(max=100)])
    kind = SelectField(_l("One row is"), default="", validate_choice=True)
    mission = SelectField(_l("Mission"), choices=[], validate_choice=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [
            ("", _l("Detect from the headers")),
            ("people", _l("a person")),
            ("businesses", _l("a business")),
        ]


class CommitForm(ServiceForm):
    """Confirm the import; rows with errors are left out only when the officer says so.

    With a consent column, the officer may attest how and when the people gave consent (for
    every row that says yes); without it the column is ignored.
    """

    skip_errors = BooleanField(_l("I understand that the rows with errors will not be imported."))
    consent_source = SelectField(
        _l("How the people in this file gave consent"), validators=[Optional()]
    )
    consent_date = StringField(
        _l("Date consent was given"),
        validators=[Optional(), Length(max=10)],
        render_kw={"type": "date", "placeholder": "YYYY-MM-DD"},
    )
    consent_reference = StringField(
        _l("Reference (the form, event or list)"), validators=[Optional(), Length(max=200)]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from directory.people.forms import evidence_source_choices

        self.consent_source.choices = evidence_source_choices()

    def evidence(self) -> dict | None:
        """The attestation as given, or None when every input is empty."""
        parts = (self.consent_source.data, self.consent_date.data, self.consent_reference.data)
        if not any(parts):
            return None
        return {
            "source": parts[0] or None,
            "date": (parts[1] or "").strip() or None,
            "reference": parts[2] or None,
        }

    # The people service's keys for the evidence -> the inputs of the attestation.
    ERROR_FIELDS = {
        "consent_evidence.source": "consent_source",
        "consent_evidence.date": "consent_date",
        "consent_evidence.reference": "consent_reference",
    }

    def error_field(self, key: str):
        """Only the attestation's inputs; the summary goes on the source when it is alone."""
        if key == "consent_evidence":
            return self.consent_source
        return self.input_named(self.ERROR_FIELDS[key]) if key in self.ERROR_FIELDS else None

    def evidence_messages(self, errors: dict[str, str]) -> list[tuple[str, str]]:
        """(input label, message) for the people service's evidence messages (the page
        redirects, so they are shown as messages rather than beside the inputs)."""
        if len(errors) > 1:
            errors = {key: message for key, message in errors.items() if key != "consent_evidence"}
        out = []
        for key, message in errors.items():
            field = self.error_field(key)
            if field is not None:
                out.append((str(field.label.text), message))
        return out


class ExportSearchForm(Form):
    """The search's filters, to export the people a search finds (sent by GET, as the search
    page's own parameters: ``q``, ``kind``, ``field``, ``country``, ``province``, ``language``)."""

    class Meta:
        csrf = False

    q = StringField(_l("Keywords"), validators=[Optional(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=[], validate_choice=False)
    field = SelectField(_l("Field of expertise"), choices=[], validate_choice=False)
    country = SelectField(_l("Country of residence"), choices=[], validate_choice=False)
    province = SelectField(_l("Hometown"), choices=[], validate_choice=False)
    language = SelectField(_l("Language"), choices=[], validate_choice=False)

    def __init__(self, *args, locale: str = "vi", **kwargs):
        super().__init__(*args, **kwargs)
        from directory.extensions import db
        from directory.reference.countries import country_choices, language_choices
        from directory.reference.models import Field
        from directory.reference.provinces import all_provinces
        from search_index.normalize import fold

        any_value = [("", _l("— any —"))]
        self.kind.choices = [
            *any_value,
            ("expert", _l("Expert")),
            ("entrepreneur", _l("Entrepreneur")),
        ]
        fields = [
            (f.code, f.label_en if locale == "en" else f.label_vi)
            for f in db.session.scalars(sa.select(Field))
        ]
        self.field.choices = [*any_value, *sorted(fields, key=lambda p: fold(p[1]))]
        self.country.choices = [*any_value, *country_choices(locale)]
        provinces = [(p.slug, p.name_en if locale == "en" else p.name_vi) for p in all_provinces()]
        self.province.choices = [*any_value, *sorted(provinces, key=lambda p: fold(p[1]))]
        self.language.choices = [*any_value, *language_choices(locale)]
