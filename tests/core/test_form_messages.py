"""WTForms' own validation messages speak the page's language.

WTForms ships no Vietnamese: its messages ("This field is required.", "Not a valid choice.")
are listed in ``directory/core/form_messages.py``, translated in the core catalogue, and every
form is built on ``directory.core.forms.Form``, whose translations are the directory's. These
tests render the forms in Vietnamese with nothing filled in and fail on an English default.
"""

from __future__ import annotations

import importlib
import pathlib
import re

import flask_babel
import pytest
import wtforms
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from flask_wtf import FlaskForm

from directory.core import form_messages
from directory.core.forms import Form
from tests.factories import PersonFactory

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _library_messages() -> set[str]:
    """Every message WTForms and Flask-WTF pass through their translations (singular ids)."""
    import flask_wtf

    found = set()
    for package in (wtforms, flask_wtf):
        folder = pathlib.Path(package.__file__).parent
        for _f, _l, message, _c, _x in extract_from_dir(
            str(folder), [("**.py", "python")], keywords=DEFAULT_KEYWORDS
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


LIBRARY_MESSAGES = _library_messages()
LISTED = set(form_messages.MESSAGES) | {singular for singular, _ in form_messages.PLURAL_MESSAGES}
# The English defaults as a reader would meet them: the fixed text before any placeholder.
ENGLISH_DEFAULTS = sorted(
    {re.split(r"%|\{", message)[0].strip() for message in LIBRARY_MESSAGES} - {""}, key=len
)


def test_every_wtforms_message_is_listed_for_translation():
    assert not LIBRARY_MESSAGES - LISTED, LIBRARY_MESSAGES - LISTED


def test_every_form_is_built_on_the_directory_form():
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "directory").rglob("*.py")
        if path.name != "forms.py" or path.parent.name != "core"
        if re.search(r"\bFlaskForm\b", path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def _all_forms() -> list[type]:
    for path in sorted((ROOT / "directory").glob("*/forms.py")):
        importlib.import_module(f"directory.{path.parent.name}.forms")
    found, todo = [], [FlaskForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("directory."):
                found.append(sub)
    return found


def _english_in(text: str) -> list[str]:
    return [default for default in ENGLISH_DEFAULTS if default in text]


def test_every_form_says_its_defaults_in_vietnamese(app):
    forms = _all_forms()
    assert len(forms) > 20
    checked = 0
    with app.test_request_context(method="POST", data={}, headers={"Accept-Language": "vi"}):
        flask_babel.refresh()
        for form_class in forms:
            assert issubclass(form_class, Form), form_class
            form = form_class(meta={"csrf": False})
            for field in form:
                if getattr(field, "choices", ()) is None:
                    field.choices = []
            form.validate()
            messages = " ".join(str(m) for errors in form.errors.values() for m in errors)
            assert _english_in(messages) == [], (form_class, messages)
            checked += bool(messages)
    assert checked >= 10  # the forms with required fields did complain


def test_a_required_field_says_so_in_each_language(app):
    from directory.people.forms import PersonForm

    for lang, expected in (("vi", "Trường này là bắt buộc."), ("en", "This field is required.")):
        with app.test_request_context(method="POST", headers={"Accept-Language": lang}):
            flask_babel.refresh()  # the test's application context outlives each request
            form = PersonForm(meta={"csrf": False})
            form.validate()
            assert form.full_name.errors == [expected]


# --- the pages ---------------------------------------------------------------------------


@pytest.fixture
def vietnamese(client):
    client.post("/lang/vi", data={"next": "/"})
    return client


def _posted_empty(client, url: str) -> str:
    response = client.post(url, data={})
    assert response.status_code in (200, 400, 422), (url, response.status_code)  # no redirect
    return response.get_data(as_text=True)


def test_register_form_in_vietnamese_with_nothing_filled_in(vietnamese, cast, login):
    login(cast.embassy)
    html = _posted_empty(vietnamese, "/people/register")
    assert _english_in(html) == []
    assert "Trường này là bắt buộc." in html


def test_association_form_in_vietnamese_with_nothing_filled_in(vietnamese, cast, login):
    login(cast.embassy)
    html = _posted_empty(vietnamese, "/associations/new")
    assert _english_in(html) == []
    assert "Trường này là bắt buộc." in html


def test_nomination_form_in_vietnamese_with_nothing_filled_in(vietnamese, cast, login):
    login(cast.officer)
    person = PersonFactory(full_name="Đinh Công Tráng", consent_contact=True)
    html = _posted_empty(vietnamese, f"/people/{person.id}/nominate")
    assert _english_in(html) == []
    assert "Trường này là bắt buộc." in html
