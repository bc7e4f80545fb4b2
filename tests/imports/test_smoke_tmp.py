import sqlalchemy as sa

from directory.imports import services
from directory.people.models import Person
from tests.imports.conftest import csv_bytes


def test_smoke(app, db, officer, mission):
    batch = services.start_batch(csv_bytes(), "a.csv", mission, officer)
    batch = services.read_batch(batch.id)
    print(batch.status, batch.error_code, batch.error_params, batch.details)
    from directory.imports.models import ImportRow

    for r in db.session.scalars(sa.select(ImportRow)):
        print(r.row_number, r.values, r.issues, r.matches, r.decision)
    assert services.claim_commit(batch, officer)
    b = services.commit_batch(batch.id, officer.id)
    print(b.status, b.error_code, b.created_count)
    for p in db.session.scalars(sa.select(Person)):
        print(p.full_name, p.phone, p.country, p.hometown_province, p.fields)
