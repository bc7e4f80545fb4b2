"""Keep person_field_tags in step with people: the triggers, and the rows of existing profiles.

The table itself is in the initial schema (0001); the database keeps its rows
(``directory.people.field_tags``).

Revision ID: 0003_person_field_tags
Revises: 0002_reference_data
"""

from alembic import op

from directory.people import field_tags

revision = "0003_person_field_tags"
down_revision = "0002_reference_data"
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    field_tags.install(bind)
    field_tags.rebuild(bind)


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS person_field_tags_insert ON people")
        op.execute("DROP TRIGGER IF EXISTS person_field_tags_update ON people")
        op.execute("DROP FUNCTION IF EXISTS person_field_tags_inserted()")
        op.execute("DROP FUNCTION IF EXISTS person_field_tags_updated()")
    else:
        for name in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS person_field_tags_{name}")
