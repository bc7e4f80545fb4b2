"""Shared by migrations that (re)load the shipped reference data."""

from alembic import op
from sqlalchemy.orm import Session


def load_reference_data() -> None:
    """Insert or update provinces and fields from the package data, inside the migration."""
    from directory.reference.loader import sync_reference_data

    with Session(bind=op.get_bind()) as session:
        sync_reference_data(session)
