"""person_field_tags holds exactly one row per (profile, field), with the right flags, after
every kind of write to ``people``: the ORM, bulk Core statements, raw SQL and deletes; on SQLite
and PostgreSQL (the database's triggers keep it, ``directory.people.field_tags``)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from directory.core.models import utcnow
from directory.dashboards import overview
from directory.extensions import db
from directory.people import field_tags
from directory.people.models import Person, PersonFieldTag
from search_index.normalize import name_key
from tests.factories import PersonFactory, UserFactory


def tags() -> set[tuple[str, str, bool, bool]]:
    db.session.expire_all()
    rows = db.session.execute(
        sa.select(
            PersonFieldTag.person_id,
            PersonFieldTag.code,
            PersonFieldTag.listed,
            PersonFieldTag.reachable,
        )
    ).all()
    return {(p, c, bool(listed), bool(reachable)) for p, c, listed, reachable in rows}


def expected() -> set[tuple[str, str, bool, bool]]:
    """The rows as the profiles say they should be (computed in Python)."""
    db.session.expire_all()
    out = set()
    for person in db.session.scalars(sa.select(Person)):
        listed = person.anonymised_at is None and bool(person.kinds)
        reachable = (
            person.anonymised_at is None
            and bool(person.consent_contact)
            and bool(person.contact_requests_enabled)
        )
        for code in set(person.fields or []):
            out.add((person.id, code, listed, reachable))
    return out


@pytest.fixture(params=["suite_db", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_db(request):
    app = request.getfixturevalue("app" if request.param == "suite_db" else "pg_app")
    with app.app_context():
        yield app


def test_orm_inserts_updates_and_deletes_keep_the_rows(any_db):
    a = PersonFactory(fields=["semiconductors", "ai"], kinds=["expert"])
    b = PersonFactory(fields=["medicine"], kinds=[], consent_contact=False)
    c = PersonFactory(fields=[], kinds=["entrepreneur"])
    assert tags() == expected()
    assert (a.id, "ai", True, True) in tags()
    assert (b.id, "medicine", False, False) in tags()
    assert not any(row[0] == c.id for row in tags())

    a.fields = ["ai", "logistics"]
    b.kinds = ["expert"]
    db.session.commit()
    assert tags() == expected()
    assert (a.id, "semiconductors", True, True) not in tags()
    assert (b.id, "medicine", True, False) in tags()

    a.contact_requests_enabled = False
    b.consent_contact = True
    db.session.commit()
    assert tags() == expected()

    # Anonymising keeps the rows (the fields are erased by the service) but neither counts.
    c.fields = ["tourism"]
    c.anonymised_at = utcnow()
    db.session.commit()
    assert (c.id, "tourism", False, False) in tags()
    assert tags() == expected()

    # An update that touches none of the source columns leaves them as they are.
    a.bio = "Một tiểu sử mới."
    db.session.commit()
    assert tags() == expected()

    db.session.delete(a)
    db.session.commit()
    assert not any(row[0] == a.id for row in tags())
    assert tags() == expected()


def test_bulk_core_statements_and_raw_sql_keep_the_rows(any_db):
    rows = [
        {
            "id": f"bulk{i:012d}",
            "full_name": f"Nguyễn Văn {i}",
            "name_key": name_key(f"Nguyễn Văn {i}"),
            "kinds": ["expert"] if i % 3 else [],
            "fields": ["ai", "medicine"][: i % 3],
            "consent_contact": bool(i % 2),
            "contact_requests_enabled": True,
            "provenance": "import",
        }
        for i in range(1, 1201)  # more than any batch a bulk path uses
    ]
    db.session.execute(sa.insert(Person), rows)
    db.session.commit()
    assert len(tags()) == sum(len(r["fields"]) for r in rows)
    assert tags() == expected()

    db.session.execute(
        sa.update(Person).where(Person.id.like("bulk%")).values(fields=["tourism", "tourism"])
    )
    db.session.commit()
    # Duplicate codes in a list count once.
    assert len(tags()) == 1200
    assert tags() == expected()

    db.session.execute(
        sa.text("UPDATE people SET consent_contact = :no WHERE id = :id"),
        {"no": False, "id": "bulk000000000001"},
    )
    db.session.execute(sa.delete(Person).where(Person.id.in_(["bulk000000000002"])))
    db.session.commit()
    assert tags() == expected()
    assert len(tags()) == 1199


def test_rebuild_writes_the_same_rows(any_db):
    PersonFactory(fields=["semiconductors", "ai"])
    PersonFactory(fields=["medicine"], consent_contact=False, kinds=[])
    before = tags()
    with db.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM person_field_tags"))
    assert tags() == set()
    with db.engine.begin() as conn:
        assert field_tags.rebuild(conn) == 3
    assert tags() == before == expected()


def test_the_overview_counts_the_same_from_the_rows_and_from_the_profiles(any_db, monkeypatch):
    """The admin's figures come from the rows; the same counting over the profiles (the path
    of a viewer who does not see every profile) gives the same numbers for the same people."""
    admin = UserFactory(admin=True)
    PersonFactory(fields=["semiconductors", "ai"])
    PersonFactory(fields=["ai"], consent_contact=False)
    PersonFactory(fields=["ai"], kinds=[])
    PersonFactory(fields=["medicine"], contact_requests_enabled=False)
    PersonFactory(fields=["medicine"], anonymised_at=utcnow())
    figures = overview.people(admin)
    assert figures.by_field == {"ai": 2, "medicine": 1, "semiconductors": 1}
    assert figures.contactable_by_field == {"ai": 2, "semiconductors": 1}

    from_tags = sorted(overview._field_rows(admin))
    # The profile-reading path, as the admin: same rows.
    monkeypatch.setattr(overview, "sees_every_profile", lambda _user: False)
    assert sorted(overview._field_rows(admin)) == from_tags
