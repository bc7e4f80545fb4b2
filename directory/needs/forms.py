"""Need forms: they read what a browser sends; the services check and persist it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from directory.core.forms import Form, MultiPickField
from directory.i18n import current_locale
from directory.needs import inputs
from directory.needs.models import AUDIENCES, NEED_TYPES, STATUSES
from directory.people.forms import pick_countries, pick_fields


def type_labels() -> dict[str, str]:
    return {
        "investment": _l("Investment"),
        "expertise": _l("Expertise"),
        "technology_transfer": _l("Technology transfer"),
        "training": _l("Training"),
        "trade_promotion": _l("Trade promotion"),
    }


def status_labels() -> dict[str, str]:
    return {"open": _l("Open"), "in_progress": _l("In progress"), "closed": _l("Closed")}


def audience_labels() -> dict[str, str]:
    return {
        "public": _l("Public: any visitor and member"),
        "officials": _l("Officials: the province's officers, the missions and the admin"),
    }


class NeedForm(Form):
    """A need's every key, phone-friendly: one column, native date inputs."""

    title = StringField(
        _l("Title of the need"), validators=[DataRequired(), Length(max=inputs.TITLE_MAX)]
    )
    type = SelectField(_l("Type"), validators=[DataRequired()])
    description = TextAreaField(
        _l("Description"), validators=[Optional(), Length(max=inputs.DESCRIPTION_MAX)]
    )
    fields = MultiPickField(_l("Fields"), validators=[Optional()])
    countries = MultiPickField(_l("Target countries"), validators=[Optional()])
    milestones = TextAreaField(_l("Roadmap milestones"), validators=[Optional(), Length(max=5000)])
    # A text input of type date: the service reads it (WTForms has no Vietnamese messages
    # for DateField), and phones show their date picker.
    deadline = StringField(
        _l("Deadline"), validators=[Optional(), Length(max=10)], render_kw={"type": "date"}
    )
    audience = SelectField(_l("Who may read it"), validators=[DataRequired()])
    status = SelectField(_l("Status"), validators=[Optional()])
    province = SelectField(_l("Province"), validators=[Optional()])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, statuses=STATUSES, provinces=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.type.choices = [(k, type_labels()[k]) for k in NEED_TYPES]
        pick_fields(self.fields)
        pick_countries(self.countries, current_locale())
        self.audience.choices = [(k, audience_labels()[k]) for k in AUDIENCES]
        self.status.choices = [(k, status_labels()[k]) for k in statuses]
        # Only the admin chooses the province; officers publish for their own.
        self.province.choices = provinces or []
        if not provinces:
            del self.province

    def fill_from(self, need) -> None:
        self.title.data = need.title
        self.type.data = need.type
        self.description.data = need.description
        self.fields.data = list(need.fields or [])
        self.countries.data = list(need.countries or [])
        self.milestones.data = "\n".join(f"{m['due']} {m['title']}" for m in need.milestones or [])
        self.deadline.data = need.deadline.isoformat() if need.deadline else ""
        self.audience.data = need.audience
        self.status.data = need.status

    def parse_milestones(self) -> list[dict] | None:
        """Lines "YYYY-MM-DD title" as the service's milestones; None (with an error) if bad."""
        out = []
        for line in (self.milestones.data or "").splitlines():
            line = line.strip()
            if not line:
                continue
            due, _sep, title = line.partition(" ")
            if not title.strip():
                self.milestones.errors = [
                    *self.milestones.errors,
                    _l("Write one milestone per line: the date (YYYY-MM-DD), then the title."),
                ]
                return None
            out.append({"due": due, "title": title.strip()})
        return out

    def to_service_data(self, *, creating: bool) -> dict | None:
        milestones = self.parse_milestones()
        if milestones is None:
            return None
        data = {
            "title": self.title.data or "",
            "type": self.type.data,
            "description": self.description.data or "",
            "fields": list(self.fields.data or []),
            "countries": list(self.countries.data or []),
            "milestones": milestones,
            "deadline": (self.deadline.data or "").strip() or None,
            "audience": self.audience.data,
        }
        if self.status.data:
            data["status"] = self.status.data
        if creating and getattr(self, "province", None) is not None:
            data["province"] = self.province.data
        return data

    def apply_errors(self, errors: dict[str, str]) -> dict[str, str]:
        """Put the service's messages beside their inputs; returns those without an input."""
        leftover = {}
        for key, message in errors.items():
            target = getattr(self, key, None)
            if target is not None and hasattr(target, "errors") and key != "submit":
                target.errors = [*(target.errors or []), message]
            else:
                leftover[key] = message
        return leftover


class InterestForm(Form):
    message = TextAreaField(
        _l("A short message to the province"),
        validators=[Optional(), Length(max=inputs.MESSAGE_MAX)],
    )
    submit = SubmitField(_l("Express interest"))


class ShortlistForm(Form):
    person_id = HiddenField(validators=[DataRequired()])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=inputs.NOTE_MAX)])
    submit = SubmitField(_l("Add to the shortlist"))


class ActionForm(Form):
    """A button that only needs the CSRF token."""
