"""The base of every form, and of every form whose input a service checks.

:class:`Form` is the base of every form of the directory: WTForms' own messages ("This field is
required.") are looked up in the directory's catalogues, so that a Vietnamese page never shows
them in English (WTForms ships no Vietnamese; the ids are listed in ``form_messages.py``).

Forms validate what the browser sent; the domain's service then applies the rules shared with
the API and the imports, and refuses with a ``ValidationError`` naming the fields in its own
keys. :class:`ServiceForm` puts each of those messages beside its input, so every view shows
them the same way.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import flash
from flask_babel import get_translations
from flask_wtf import FlaskForm
from wtforms import Field

# Inputs that never carry a service's message.
_NOT_INPUTS = ("CSRFTokenField", "SubmitField")


class _CatalogTranslations:
    """WTForms' translations interface over the directory's catalogues, in the language of the
    request (or of ``force_locale``)."""

    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


TRANSLATIONS = _CatalogTranslations()


class Form(FlaskForm):
    """The base of every form: CSRF from Flask-WTF, messages in the page's language."""

    class Meta:
        def get_translations(self, form):
            return TRANSLATIONS


class ServiceForm(Form):
    """A form whose values go to a service; the service's messages land on its fields."""

    # A service error key -> the name of the input showing it, where the two differ.
    ERROR_FIELDS: dict[str, str] = {}

    def input_named(self, name: str) -> Field | None:
        """The input called ``name`` (the CSRF token and buttons are not inputs)."""
        if name not in self:
            return None
        field = self[name]
        return None if field.type in _NOT_INPUTS else field

    def error_field(self, key: str) -> Field | None:
        """The input that shows the service's message for ``key``, or None."""
        return self.input_named(self.ERROR_FIELDS.get(key, key))

    def apply_errors(self, errors: Mapping[str, str]) -> dict[str, str]:
        """Put each message beside its input; returns those that belong to no input."""
        leftover = {}
        for key, message in errors.items():
            field = self.error_field(key)
            if field is None:
                leftover[key] = message
            else:
                field.errors = [*field.errors, message]
        return leftover

    def show_errors(self, errors: Mapping[str, str]) -> None:
        """Put each message beside its input, the others at the top of the form."""
        self.form_errors.extend(self.apply_errors(errors).values())


def flash_leftover(errors: Mapping[str, str]) -> None:
    """Show the messages that belong to no input as error messages of the page."""
    for message in errors.values():
        flash(message, "error")
