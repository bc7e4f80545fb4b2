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


def test_json_objects_have_a_key_or_a_list_holding_a_value(db):
    from directory.businesses.models import Business
    from directory.core.sql import json_objects_have
    from tests.businesses.conftest import make_business

    both = make_business(
        name="A",
        interests=[
            {"kind": "export", "provinces": ["hue"]},
            {"kind": "investment", "provinces": ["da-nang"]},
        ],
        presence_in_vietnam=[{"kind": "subsidiary", "province": "da-nang"}],
    )
    make_business(
        name="B",
        interests=[{"kind": "training", "provinces": None}, {"kind": "export"}],
        presence_in_vietnam=[{"kind": "none", "province": None}],
    )
    make_business(name="C", interests=None, presence_in_vietnam=None)  # JSON null: no match

    def found(condition):
        return set(db.session.scalars(sa.select(Business.id).where(condition)))

    assert found(json_objects_have(Business.interests, "provinces", "da-nang", in_list=True)) == {
        both.id
    }
    assert found(json_objects_have(Business.interests, "provinces", "hue", in_list=True)) == {
        both.id
    }
    assert found(json_objects_have(Business.presence_in_vietnam, "province", "da-nang")) == {
        both.id
    }
    assert found(json_objects_have(Business.presence_in_vietnam, "province", "hue")) == set()
