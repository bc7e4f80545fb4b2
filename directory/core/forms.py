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
from wtforms import Field, SelectMultipleField
from wtforms.widgets import CheckboxInput

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


class MultiPickField(SelectMultipleField):
    """A multi-select rendered as a box of checkboxes, grouped, the chosen ones first.

    It works without JavaScript (the boxes are plain checkboxes posted under one name, validated
    as any ``SelectMultipleField``); ``static/js/multipick.js`` adds a filter box and chips. The
    choices stay ``(value, label)`` pairs; ``groups`` maps a value to the title of its group and
    ``group_order`` lists those titles in the order shown (values without a group come last).
    """

    option_widget = CheckboxInput()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.groups: Mapping[str, str] = {}
        self.group_order: list = []

    def set_choices(self, choices, groups: Mapping[str, str] | None = None, order=()) -> None:
        """The ``(value, label)`` pairs, and the group of each value in the order given."""
        self.choices = list(choices)
        self.groups = {value: str(title) for value, title in (groups or {}).items()}
        self.group_order = [str(title) for title in order]

    def sections(self) -> list[tuple[str | None, list]]:
        """``(title, options)`` to render: the chosen options first, then each group's others."""
        from flask_babel import gettext

        chosen, grouped, rest = [], {title: [] for title in self.group_order}, []
        for option in self:
            if option.checked:
                chosen.append(option)
                continue
            title = self.groups.get(option.data)
            (grouped.setdefault(title, []) if title is not None else rest).append(option)
        out: list[tuple[str | None, list]] = []
        if chosen:
            out.append((gettext("Chosen"), chosen))
        out.extend((title, options) for title, options in grouped.items() if options)
        if rest:
            out.append((gettext("Others") if out else None, rest))
        return out
