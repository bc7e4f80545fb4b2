"""One row per (person, field) for counting people by field without reading every profile.

A profile's fields are a JSON list (``Person.fields``). Counting the people tagged with each
field from that list means taking apart the list of every profile on every request: on
PostgreSQL at 100,000 profiles that one statement was about two thirds of the central
overview's time (``bench/dashboards.py``). The table ``person_field_tags`` holds the same
facts as rows, with the two flags the counts need:

- ``listed``: not anonymised and of at least one kind (what ``dashboards.services.people_clause``
  keeps for an official or the admin);
- ``reachable``: not anonymised, consented to be contacted by officials and accepting contact
  requests (``dashboards.services.contactable_clause`` for an official or the admin).

**The database keeps it**, not the application: triggers on ``people`` rewrite a person's rows
whenever a profile is inserted or one of the columns the rows derive from changes, whatever
wrote it (the ORM, a bulk import's ``INSERT``, a migration, ``psql``), and deleting a profile
deletes its rows. On PostgreSQL the triggers run once per statement over its transition tables
(a bulk insert of 1,000 profiles is one ``INSERT … SELECT``); on SQLite once per row.

The triggers are installed with the table: by ``metadata.create_all`` (the ``after_create``
listener below) and by the migration that creates the table (:func:`install`), which also fills
it from the existing profiles (:func:`rebuild`).
Tests compare the table to the profiles after every kind of write (``tests/people/
test_field_tags.py``).
"""

from __future__ import annotations

import sqlalchemy as sa

# Derived from a person row ``r`` (``NEW`` in SQLite's triggers, a transition table's row on
# PostgreSQL): the two flags, in each dialect's SQL.
_PG_LISTED = "(r.anonymised_at IS NULL AND r.kinds::text <> '[]')"
_PG_REACHABLE = (
    "(r.anonymised_at IS NULL AND coalesce(r.consent_contact, false)"
    " AND coalesce(r.contact_requests_enabled, false))"
)
_SQLITE_LISTED = "(NEW.anonymised_at IS NULL AND CAST(NEW.kinds AS TEXT) <> '[]')"
_SQLITE_REACHABLE = (
    "(NEW.anonymised_at IS NULL AND coalesce(NEW.consent_contact, 0) = 1"
    " AND coalesce(NEW.contact_requests_enabled, 0) = 1)"
)
# The columns the rows derive from: an update touching none of them leaves the rows alone.
_SOURCE_COLUMNS = (
    "fields",
    "kinds",
    "anonymised_at",
    "consent_contact",
    "contact_requests_enabled",
)

_PG_INSERT_ROWS = f"""
    INSERT INTO person_field_tags (person_id, code, listed, reachable)
    SELECT DISTINCT r.id, c.value, {_PG_LISTED}, {_PG_REACHABLE}
    FROM new_rows r
    CROSS JOIN LATERAL json_array_elements_text(
        CASE WHEN json_typeof(r.fields) = 'array' THEN r.fields ELSE '[]'::json END) c
    WHERE c.value IS NOT NULL AND c.value <> ''
"""

_PG_DDL = [
    f"""
    CREATE OR REPLACE FUNCTION person_field_tags_inserted() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      {_PG_INSERT_ROWS};
      RETURN NULL;
    END $$
    """,
    f"""
    CREATE OR REPLACE FUNCTION person_field_tags_updated() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      DELETE FROM person_field_tags t USING old_rows o
      WHERE t.person_id = o.id;
      {_PG_INSERT_ROWS};
      RETURN NULL;
    END $$
    """,
    "DROP TRIGGER IF EXISTS person_field_tags_insert ON people",
    "DROP TRIGGER IF EXISTS person_field_tags_update ON people",
    """
    CREATE TRIGGER person_field_tags_insert AFTER INSERT ON people
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION person_field_tags_inserted()
    """,
    # PostgreSQL refuses a column list on a trigger with transition tables: every update
    # statement rewrites the rows of the profiles it updated (a handful of rows each).
    """
    CREATE TRIGGER person_field_tags_update AFTER UPDATE ON people
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION person_field_tags_updated()
    """,
]

_SQLITE_INSERT_ROWS = f"""
    INSERT OR IGNORE INTO person_field_tags (person_id, code, listed, reachable)
    SELECT NEW.id, j.value, {_SQLITE_LISTED}, {_SQLITE_REACHABLE}
    FROM json_each(CASE WHEN json_type(NEW.fields) = 'array' THEN NEW.fields ELSE '[]' END) j
    WHERE j.type = 'text' AND j.value <> '';
"""

_SQLITE_DDL = [
    "DROP TRIGGER IF EXISTS person_field_tags_insert",
    "DROP TRIGGER IF EXISTS person_field_tags_update",
    "DROP TRIGGER IF EXISTS person_field_tags_delete",
    f"""
    CREATE TRIGGER person_field_tags_insert AFTER INSERT ON people
    BEGIN {_SQLITE_INSERT_ROWS} END
    """,
    f"""
    CREATE TRIGGER person_field_tags_update AFTER UPDATE OF {", ".join(_SOURCE_COLUMNS)} ON people
    BEGIN
      DELETE FROM person_field_tags WHERE person_id = OLD.id;
      {_SQLITE_INSERT_ROWS}
    END
    """,
    # Foreign keys are not enforced on every SQLite connection: delete the rows explicitly.
    """
    CREATE TRIGGER person_field_tags_delete AFTER DELETE ON people
    BEGIN DELETE FROM person_field_tags WHERE person_id = OLD.id; END
    """,
]


def install(bind) -> None:
    """Create (or replace) the triggers that keep ``person_field_tags`` in step with ``people``."""
    statements = _PG_DDL if bind.dialect.name == "postgresql" else _SQLITE_DDL
    for statement in statements:
        bind.exec_driver_sql(statement)


def rebuild(bind) -> int:
    """Rewrite every row from the profiles (after a restore, or to check); returns the count."""
    bind.execute(sa.text("DELETE FROM person_field_tags"))
    if bind.dialect.name == "postgresql":
        sql = _PG_INSERT_ROWS.replace("new_rows r", "people r")
    else:
        sql = (
            _SQLITE_INSERT_ROWS.replace("NEW.", "r.")
            .replace("FROM json_each(", "FROM people r, json_each(")
            .rstrip()
            .rstrip(";")
        )
    bind.exec_driver_sql(sql)
    return bind.execute(sa.text("SELECT count(*) FROM person_field_tags")).scalar_one()


def _after_create(table, connection, **_kw) -> None:
    install(connection)


def register(table: sa.Table) -> None:
    """Install the triggers whenever ``metadata.create_all`` creates the table."""
    sa.event.listen(table, "after_create", _after_create)
