"""Every place that spells out a person's fields agrees with ``directory.people.fields``.

The serializer, the input checks, the form's keys, the import and export columns and the merge
fields derive from the declaration; the places below keep their own spelling for a reason of
their own (the model's columns, the API's JSON Schema, the search document, the form's inputs,
the data export, the contract, the import screens' labels) and are checked against it here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from wtforms.fields.core import UnboundField

from directory.api.schemas import schemas
from directory.imports.columns import COLUMNS, canonical_column
from directory.imports.exports import PERSON_COLUMNS, header_row
from directory.imports.merge import LIST_FIELDS, MERGE_FIELDS
from directory.people.data_protection import ANONYMISE_KEEP, PERSON_EXPORT_COLUMNS
from directory.people.fields import (
    FIELDS_BY_NAME,
    MANAGED_COLUMNS,
    PERSON_FIELDS,
    PersonField,
    field_names,
)
from directory.people.forms import PersonForm
from directory.people.models import Person
from directory.people.normalise import INPUT_KEYS, normalize_person_input
from directory.people.search import person_document
from directory.people.serializers import person_to_dict
from directory.search.documents import Context
from search_index.base import SEARCHABLE
from search_index.normalize import fold_words

ROOT = Path(__file__).resolve().parents[2]

# A valid value for every declared field: a new field needs one here, and the checks below
# then show whether the input checks, the search document and the rest handle it.
FULL_INPUT = {
    "full_name": "Nguyễn Thị Lan",
    "other_names": ["Lan Nguyen"],
    "kinds": ["expert", "entrepreneur"],
    "fields": ["semiconductors"],
    "skills": ["thiết kế vi mạch"],
    "title": "Kỹ sư trưởng",
    "organization": "STMicroelectronics",
    "sector": "Điện tử",
    "education": "Thạc sĩ, Đại học Bách khoa Hà Nội",
    "company": "Lan Tech SAS",
    "company_sector": "Tư vấn công nghệ",
    "company_size": "10-49",
    "company_website": "https://lantech.example.com",
    "country": "FR",
    "city": "Grenoble",
    "hometown_province": "Đà Nẵng",
    "languages": ["vi", "fr"],
    "email": "lan@example.net",
    "phone": "+33 6 12 34 56 78",
    "website": "https://lan.example.org",
    "links": ["https://profiles.example.com/lan"],
    "bio": "Chuyên gia về thiết kế vi mạch.",
    "birth_year": 1985,
}
# Person JSON and API schema keys that are not editable fields.
NOT_FIELDS_IN_JSON = {
    "id",
    "hometown_as_given",
    "verified",
    "verified_at",
    "changed_since_verification",
    "created_at",
    "updated_at",
    "consent_listed",
    "consent_contact",
    "contact_requests_enabled",
    "visibility",
}
TEXT_KINDS = ("name", "text", "long_text", "url")
# Kinds whose words are searched as written (the others are codes, searched by their names).
WORDS_KINDS = (*TEXT_KINDS, "list", "url_list", "email", "phone")


def _names(where) -> set[str]:
    return {f.name for f in PERSON_FIELDS if where(f)}


def test_the_model_has_a_column_for_every_declared_field_and_no_undeclared_one():
    columns = {column.key for column in Person.__table__.columns}
    assert set(field_names()) - columns == set(), "declared fields without a column"
    assert columns - set(field_names()) - MANAGED_COLUMNS == set(), (
        "Person columns neither declared in directory/people/fields.py nor managed there"
    )
    assert set(field_names()) & MANAGED_COLUMNS == set()


def test_declared_limits_fit_the_columns_and_lists_are_json():
    for f in PERSON_FIELDS:
        column = Person.__table__.columns[f.name]
        if f.is_list:
            assert isinstance(column.type, sa.JSON), f.name
        elif f.kind == "year":
            assert isinstance(column.type, sa.Integer), f.name
        elif f.kind in (*TEXT_KINDS, "email", "phone") and getattr(column.type, "length", None):
            assert f.max_length <= column.type.length, f.name


def test_a_declaration_needs_a_known_kind_and_a_file_column_its_headers():
    with pytest.raises(ValueError):
        PersonField("nickname", "colour", "profile")
    with pytest.raises(ValueError):
        PersonField("nickname", "text", "profile", column="nickname")
    assert len(FIELDS_BY_NAME) == len(PERSON_FIELDS)


def test_the_input_checks_accept_and_return_every_declared_field(app):
    assert set(FULL_INPUT) == set(field_names()), "give FULL_INPUT a value for each field"
    assert set(field_names()) <= INPUT_KEYS
    with app.app_context():
        values = normalize_person_input(FULL_INPUT)
    assert set(field_names()) <= set(values)
    assert all(values[name] not in (None, "", []) for name in field_names())


def test_the_serializer_shows_every_api_field_to_whoever_sees_everything(cast):
    data = person_to_dict(cast.owned, cast.owner)
    assert set(data) - NOT_FIELDS_IN_JSON == set(field_names(api=True))


def test_the_api_schema_lists_every_api_field_with_its_limit():
    properties = schemas()["Person"]["properties"]
    assert set(properties) - NOT_FIELDS_IN_JSON - {"consent_evidence", "confirm_duplicate"} == set(
        field_names(api=True)
    )
    for f in PERSON_FIELDS:
        if f.api and f.kind in TEXT_KINDS:
            assert properties[f.name].get("maxLength") == f.max_length, f.name
        if f.api and f.is_list:
            assert properties[f.name]["type"] == "array", f.name


def test_the_form_has_an_input_for_every_form_field_and_sends_them_all():
    inputs = {
        name
        for name in dir(PersonForm)
        if isinstance(getattr(PersonForm, name), UnboundField) and name != "submit"
    }
    assert inputs == set(field_names(form=True))
    assert set(PersonForm.SERVICE_KEYS) == set(field_names(form=True))


def test_every_exported_field_is_an_import_and_export_column():
    exported = [f for f in PERSON_FIELDS if f.exported]
    assert set(PERSON_COLUMNS) == {f.column for f in exported}
    for locale in ("vi", "en"):  # an export's headers are read back by the import
        headers = header_row(PERSON_COLUMNS, locale)
        assert [canonical_column(h) for h in headers] == list(PERSON_COLUMNS)
    for f in exported:
        assert canonical_column(f.column) == f.column
        assert all(canonical_column(header) == f.column for header in f.headers), f.name
        assert f.column in INPUT_KEYS, f.name
    assert set(COLUMNS) == {f.column for f in exported} | {"consent_listed"}


def test_the_contract_lists_every_import_column():
    contract = (ROOT / "docs" / "contract.md").read_text(encoding="utf-8")
    section = contract.split("### Import file columns", 1)[1]
    documented = re.findall(r"`([a-z_]+)`", section)
    assert set(documented) >= set(COLUMNS)


def test_the_import_screens_have_a_label_for_every_column(app):
    with app.test_request_context():
        macros = app.jinja_env.get_template("imports/_values.html").module
        for column in COLUMNS:
            assert str(macros.column_label(column)).strip() != column, column


def test_merges_take_exported_fields_and_merge_lists_item_by_item():
    assert set(MERGE_FIELDS) <= {f.name for f in PERSON_FIELDS if f.exported}
    assert set(LIST_FIELDS) == _names(lambda f: f.merged and f.is_list)


def test_the_data_export_holds_every_field_and_erasure_clears_them():
    assert set(field_names()) <= set(PERSON_EXPORT_COLUMNS)
    assert len(PERSON_EXPORT_COLUMNS) == len(set(PERSON_EXPORT_COLUMNS))
    # The name is replaced by a fixed text; every other field is emptied.
    assert set(field_names()) & ANONYMISE_KEEP == {"full_name"}


def _document(db, values: dict) -> dict:
    person = Person(
        id="p-declared",
        visibility_profile="public",
        visibility_contact="public",
        consent_listed=True,
        hometown_as_given=None,
        **values,
    )
    return person_document(person, Context.load(db.session))


def test_the_search_document_holds_exactly_the_searchable_fields(app, db):
    full = normalize_person_input(FULL_INPUT)
    full.pop("name_key")
    full.pop("hometown_as_given")
    document = _document(db, full)
    searched = " ".join(document[name] for name in SEARCHABLE)
    for f in PERSON_FIELDS:
        if f.searchable and f.kind in WORDS_KINDS:
            items = full[f.name] if f.is_list else [full[f.name]]
            for item in items:
                assert " ".join(fold_words(item)) in searched, f"{f.name} is not searched"
        without = _document(db, {**full, f.name: [] if f.is_list else None})
        if f.searchable:
            assert without != document, f"{f.name} is declared searchable: not in the document"
        else:
            assert without == document, f"{f.name} is in the document: declare it searchable"
