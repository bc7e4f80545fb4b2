"""SQL over the JSON list columns (``Person.fields``, ``Person.kinds``…), on SQLite and PostgreSQL.

The lists are stored as JSON arrays of texts (``sa.JSON``: ``json`` on PostgreSQL, text on
SQLite). :func:`json_array_values` turns one row's array into rows, in the FROM clause, so that
figures are counted by the database (``GROUP BY`` a list's values) instead of in Python::

    fields = json_array_values(Person.fields)
    sa.select(fields.c.value, sa.func.count(Person.id))
      .select_from(Person).join(fields, sa.true())
      .group_by(fields.c.value)

SQLite spells it ``json_each(people.fields)``, PostgreSQL ``json_array_elements_text(people.
fields)``; both name the element column ``value``, and both let the function read the row
beside it (a lateral join: implicit for a function in PostgreSQL's FROM, and in SQLite's).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class _JsonArrayElements(FunctionElement):
    """The elements of a JSON array of texts, one row each (a table-valued function)."""

    name = "json_array_elements"
    inherit_cache = True
    type = sa.String()


# Only an array is taken apart: a JSON ``null`` (or any other scalar) gives no row, as on
# PostgreSQL json_array_elements_text() would fail on it and SQLite's json_each() yield it.
@compiles(_JsonArrayElements, "sqlite")
def _sqlite(element, compiler, **kw):
    column = compiler.process(element.clauses, **kw)
    return f"json_each(CASE WHEN json_type({column}) = 'array' THEN {column} END)"


@compiles(_JsonArrayElements, "postgresql")
def _postgresql(element, compiler, **kw):
    column = compiler.process(element.clauses, **kw)
    return f"json_array_elements_text(CASE WHEN json_typeof({column}) = 'array' THEN {column} END)"


@compiles(_JsonArrayElements)
def _other(element, compiler, **kw):
    raise NotImplementedError(f"JSON arrays in SQL: no spelling for {compiler.dialect.name}")


def json_array_values(column) -> sa.TableValuedAlias:
    """The values of the JSON array in ``column`` as a table with one column, ``value`` (text),
    to join beside the row it belongs to (``.join(values, sa.true())``). An empty array, SQL
    NULL or JSON ``null`` gives no row."""
    return _JsonArrayElements(column).table_valued("value")


def json_array_has_any(column, values) -> sa.ColumnElement[bool]:
    """True where the JSON array in ``column`` holds at least one of ``values``."""
    elements = json_array_values(column)
    return sa.exists(sa.select(1).select_from(elements).where(elements.c.value.in_(list(values))))
