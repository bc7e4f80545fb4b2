"""Forms of the nomination workflow (they validate; the workflow persists)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from directory.core.forms import Form, ServiceForm
from directory.reference.countries import country_choices


class NominationForm(ServiceForm):
    country = SelectField(_l("Host country"), validators=[DataRequired()])
    region = StringField(_l("Region or city (optional)"), validators=[Optional(), Length(max=120)])
    rationale = TextAreaField(
        _l("Why this person should represent the province"),
        validators=[DataRequired(), Length(max=5000)],
    )
    term_start = DateField(_l("Proposed start of the term"), validators=[Optional()])
    term_end = DateField(_l("Proposed end of the term"), validators=[Optional()])
    residence_exception = BooleanField(
        _l(
            "The nominee does not live in the host country: I confirm the nomination anyway, "
            "for the reason given in the rationale"
        )
    )

    def __init__(self, *args, locale: str = "vi", **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = [("", _l("Choose a country"))] + country_choices(locale)

    def validate_term_end(self, field):
        from wtforms.validators import ValidationError

        if field.data and self.term_start.data and field.data <= self.term_start.data:
            raise ValidationError(_l("The term must end after it starts."))

    def to_data(self) -> dict:
        return {
            "country": self.country.data,
            "region": self.region.data or "",
            "rationale": self.rationale.data or "",
            "term_start": self.term_start.data,
            "term_end": self.term_end.data,
            "residence_exception": bool(self.residence_exception.data),
        }


class ActionForm(Form):
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)])
    # Endorsement only, when the nominee lives outside the host country.
    residence_acknowledged = BooleanField(
        _l(
            "I have read the rationale and endorse the nomination although the nominee lives elsewhere"
        )
    )
