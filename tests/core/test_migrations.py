"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from directory.extensions import db
from tests.conftest import test_config as base_config


def _assert_schema_matches_models(app):
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "render_as_batch": True}
            )
            diff = compare_metadata(context, db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        provinces = db.session.scalar(sa.text("SELECT count(*) FROM provinces"))
        fields = db.session.scalar(sa.text("SELECT count(*) FROM fields"))
        assert provinces == 34
        assert fields >= 3
        # The migrations install the triggers that keep person_field_tags (0003).
        from tests.factories import PersonFactory

        person = PersonFactory(fields=["ai", "medicine"])
        tagged = db.session.scalar(
            sa.text("SELECT count(*) FROM person_field_tags WHERE person_id = :id"),
            {"id": person.id},
        )
        assert tagged == 2
        db.session.remove()
        db.engine.dispose()


def test_migrations_build_the_models_schema_on_sqlite(tmp_path):
    from directory import create_app

    url = f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    app = create_app(base_config(str(tmp_path / "instance"), SQLALCHEMY_DATABASE_URI=url))
    _assert_schema_matches_models(app)


@pytest.mark.postgres
def test_migrations_build_the_models_schema_on_postgres(tmp_path, pg_url):
    from directory import create_app

    name = f"kb_migrations_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        url = sa.engine.make_url(pg_url).set(database=name)
        app = create_app(
            base_config(
                str(tmp_path / "instance"),
                SQLALCHEMY_DATABASE_URI=url.render_as_string(hide_password=False),
            )
        )
        _assert_schema_matches_models(app)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
