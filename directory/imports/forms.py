"""Import forms: they validate input and never persist."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import Length, Optional


class UploadForm(FlaskForm):
    """The spreadsheet to import (and, for the admin, the mission importing it)."""

    file = FileField(
        _l("Spreadsheet (CSV or XLSX)"),
        validators=[FileRequired(message=_l("Choose a file to upload."))],
        render_kw={"accept": ".csv,.txt,.tsv,.xlsx,text/csv"},
    )
    sheet = StringField(_l("Sheet name (XLSX, optional)"), validators=[Optional(), Length(max=100)])
    mission = SelectField(_l("Mission"), choices=[], validate_choice=True)


class CommitForm(FlaskForm):
    """Confirm the import; rows with errors are left out only when the officer says so."""

    skip_errors = BooleanField(_l("I understand that the rows with errors will not be imported."))
