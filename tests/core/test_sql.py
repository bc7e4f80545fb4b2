"""``directory.core.sql.json_elements``: a JSON list's elements as rows, on both databases."""

from __future__ import annotations

import sqlalchemy as sa

from directory.core.sql import json_elements
from directory.people.models import Person
from tests.factories import PersonFactory


def test_the_elements_of_each_list_are_rows(db):
    first = PersonFactory(fields=["semiconductors", "tourism"])
    second = PersonFactory(fields=["tourism"])
    PersonFactory(fields=[])
    PersonFactory(fields=None)  # JSON null: no element, no error
    codes = json_elements(Person.fields)
    rows = db.session.execute(
        sa.select(Person.id, codes.c.value)
        .select_from(Person)
        .join(codes, sa.true())
        .order_by(Person.id, codes.c.value)
    ).all()
    assert sorted(rows) == sorted(
        [(first.id, "semiconductors"), (first.id, "tourism"), (second.id, "tourism")]
    )
    counted = dict(
        db.session.execute(
            sa.select(codes.c.value, sa.func.count())
            .select_from(Person)
            .join(codes, sa.true())
            .group_by(codes.c.value)
        ).all()
    )
    assert counted == {"semiconductors": 1, "tourism": 2}
