"""Forms of the initiatives' pages (they carry the input and CSRF; the services validate)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from directory.core.forms import Form, MultiPickField
from directory.initiatives.models import MAX_ANSWER, MAX_TEXT, MAX_TITLE
from directory.reference.provinces import all_provinces

CENTRAL = "central"


def province_choices(locale: str) -> list[tuple[str, str]]:
    """The 34 provinces by name in ``locale``."""
    pairs = [(p.slug, p.name_en if locale == "en" else p.name_vi) for p in all_provinces()]
    return sorted(pairs, key=lambda pair: pair[1].lower())


class InitiativeForm(Form):
    province = SelectField(_l("Send it to"), validators=[DataRequired()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=MAX_TITLE)])
    fields = MultiPickField(_l("Fields"), validators=[DataRequired()])
    text = TextAreaField(_l("Your initiative"), validators=[DataRequired(), Length(max=MAX_TEXT)])
    links = TextAreaField(_l("Links (optional, one per line)"), validators=[Optional()])
    need_id = HiddenField()  # the need it answers, when sent from the need's page

    def __init__(self, *args, locale: str = "vi", field_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.province.choices = [
            ("", _l("Choose a province or the central body")),
            (CENTRAL, _l("The central body (ministry)")),
            *province_choices(locale),
        ]
        from directory.people.forms import pick_fields

        pick_fields(self.fields, list(field_choices))

    def to_data(self) -> dict:
        province = self.province.data
        return {
            "province": None if province == CENTRAL else province,
            "title": self.title.data or "",
            "fields": list(self.fields.data or []),
            "text": self.text.data or "",
            "links": (self.links.data or "").split(),
            "need_id": self.need_id.data or None,
        }


class StepForm(Form):
    """One step from the initiative's page; only the inputs that step uses are read."""

    text = TextAreaField(_l("Text"), validators=[Optional(), Length(max=MAX_ANSWER)])
    assignee_id = SelectField(_l("Colleague"), validate_choice=False)
    province = SelectField(_l("Province"), validate_choice=False)


class BulkForm(Form):
    """Triage or assign the initiatives ticked in the inbox."""

    action = SelectField(_l("With the selected initiatives"))
    assignee_id = SelectField(_l("Colleague"), validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.action.choices = [("triage", _l("Triage")), ("assign", _l("Assign to"))]
