"""SQL that must read the same on SQLite and PostgreSQL.

The JSON list columns (``Person.fields``, ``Need.fields``…) are plain JSON on both databases.
Counting per element ("people per field") takes the list apart in SQL, so that a figure over
100,000 profiles is one ``GROUP BY`` instead of every row loaded into Python.
"""

from __future__ import annotations

import sqlalchemy as sa

from directory.extensions import db


def dialect_name() -> str:
    """``"sqlite"`` or ``"postgresql"``: the database the session talks to."""
    return db.session.get_bind().dialect.name


def json_elements(column, name: str = "elements"):
    """The elements of the JSON list in ``column`` as a table with one column, ``value``
    (text), to put in a FROM beside the column's table (one row per element, implicitly
    lateral on both databases)::

        codes = json_elements(Person.fields)
        sa.select(codes.c.value, sa.func.count()).select_from(Person).join(codes, sa.true())

    A value that is not a list (JSON ``null`` from an old row) yields no element.
    """
    if dialect_name() == "postgresql":
        only_lists = sa.case(
            (sa.func.json_typeof(column) == "array", column),
            else_=sa.cast(sa.literal("[]"), sa.JSON),
        )
        function = sa.func.json_array_elements_text(only_lists)
    else:
        only_lists = sa.case((sa.func.json_type(column) == "array", column), else_="[]")
        function = sa.func.json_each(only_lists)
    return function.table_valued("value", name=name)


def json_objects_have(column, key: str, value: str, *, in_list: bool = False):
    """SQL: the JSON list of objects in ``column`` has an object whose ``key`` is ``value``
    (``in_list``: whose ``key`` is a list holding ``value``), as an EXISTS to put in a WHERE
    beside the column's table. A value that is not a list, or an object without ``key``,
    matches nothing."""
    if dialect_name() == "postgresql":
        only_lists = sa.case(
            (sa.func.json_typeof(column) == "array", column),
            else_=sa.cast(sa.literal("[]"), sa.JSON),
        )
        items = sa.func.json_array_elements(only_lists).table_valued("value", name="items")
        if in_list:
            inner = items.c.value.op("->")(key)
            only_inner = sa.case(
                (sa.func.json_typeof(inner) == "array", inner),
                else_=sa.cast(sa.literal("[]"), sa.JSON),
            )
            values = sa.func.json_array_elements_text(only_inner).table_valued(
                "value", name="item_values"
            )
            return (
                sa.select(1)
                .select_from(items)
                .join(values, sa.true())
                .where(values.c.value == value)
                .exists()
            )
        return sa.select(1).select_from(items).where(items.c.value.op("->>")(key) == value).exists()
    only_lists = sa.case((sa.func.json_type(column) == "array", column), else_="[]")
    items = sa.func.json_each(only_lists).table_valued("value", name="items")
    if in_list:
        path = f"$.{key}"
        inner = sa.case(
            (
                sa.func.json_type(items.c.value, path) == "array",
                sa.func.json_extract(items.c.value, path),
            ),
            else_="[]",
        )
        values = sa.func.json_each(inner).table_valued("value", name="item_values")
        return (
            sa.select(1)
            .select_from(items)
            .join(values, sa.true())
            .where(values.c.value == value)
            .exists()
        )
    return (
        sa.select(1)
        .select_from(items)
        .where(sa.func.json_extract(items.c.value, f"$.{key}") == value)
        .exists()
    )
