"""Load the shipped reference data: provinces and the field taxonomy.

Revision ID: 0002_reference_data
Revises: 0001_initial_schema
"""

from migrations.reference_data import load_reference_data

revision = "0002_reference_data"
down_revision = "0001_initial_schema"
branch_labels = None
depends_on = None


def upgrade():
    load_reference_data()


def downgrade():
    pass
