"""``directory.core.sql``: the values of JSON list columns as rows, on SQLite and PostgreSQL
(run the module with ``TEST_DB=postgres`` for the latter)."""

from __future__ import annotations

import sqlalchemy as sa

from directory.core.sql import json_array_has_any, json_array_values
from directory.people.models import Person
from tests.factories import PersonFactory


def _by_field(db) -> dict[str, int]:
    fields = json_array_values(Person.fields)
    rows = db.session.execute(
        sa.select(fields.c.value, sa.func.count(sa.distinct(Person.id)))
        .select_from(Person)
        .join(fields, sa.true())
        .group_by(fields.c.value)
    ).all()
    return dict(rows)


def test_each_value_of_each_row_is_a_row(db):
    PersonFactory(fields=["semiconductors", "physics"])
    PersonFactory(fields=["physics"])
    PersonFactory(fields=["physics", "physics"])  # counted once by count(distinct)
    PersonFactory(fields=["hóa học"])  # any text, accents kept
    db.session.commit()
    assert _by_field(db) == {"semiconductors": 1, "physics": 3, "hóa học": 1}


def test_empty_null_and_scalar_values_give_no_row(db):
    PersonFactory(fields=[])
    PersonFactory(fields=None)  # stored as JSON null (the column itself is never NULL)
    PersonFactory(fields="physics")  # a JSON text, not a list
    PersonFactory(fields=["physics"])
    db.session.commit()
    assert _by_field(db) == {"physics": 1}


def test_has_any(db):
    expert = PersonFactory(kinds=["expert"])
    both = PersonFactory(kinds=["entrepreneur", "expert"])
    PersonFactory(kinds=[])
    PersonFactory(kinds=["student"])
    db.session.commit()
    found = db.session.scalars(
        sa.select(Person.id).where(json_array_has_any(Person.kinds, ("expert", "entrepreneur")))
    ).all()
    assert sorted(found) == sorted([expert.id, both.id])
