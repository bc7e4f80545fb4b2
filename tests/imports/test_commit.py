"""Decisions, merges with provenance, and the atomic commit."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from directory.audit import AuditEvent
from directory.core.errors import ValidationError
from directory.imports import services
from directory.imports.models import ImportBatch, ImportRow
from directory.people.models import ConsentRecord, Person
from search_index.outbox import SearchOutbox
from tests.factories import PersonFactory
from tests.imports.conftest import HEADER_EN, csv_bytes


def staged(officer, mission, data: bytes, name: str = "people.csv") -> ImportBatch:
    batch = services.start_batch(data, name, mission, officer)
    return services.read_batch(batch.id)


def commit(db, batch, officer) -> ImportBatch:
    assert services.claim_commit(batch, officer)
    return services.commit_batch(batch.id, officer.id)


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def row(db, batch, number) -> ImportRow:
    return db.session.scalar(
        sa.select(ImportRow).where(ImportRow.batch_id == batch.id, ImportRow.row_number == number)
    )


def test_commit_creates_the_people_with_provenance_and_outbox_rows(db, officer, mission):
    batch = commit(db, staged(officer, mission, csv_bytes(), "hoi-nghi.csv"), officer)
    assert batch.status == "done" and batch.created_count == 2
    people = db.session.scalars(sa.select(Person).order_by(Person.full_name)).all()
    assert [p.full_name for p in people] == ["Nguyễn Văn An", "Trần Thị Bích"]
    an = people[0]
    assert an.provenance == "import"
    assert an.provenance_source == "import:hoi-nghi.csv"
    assert an.provenance_mission_id == mission.id
    assert an.registered_by_id == officer.id
    assert an.name_key == "an nguyen van"
    assert an.phone == "+33612345678" and an.fields == ["semiconductors"]
    assert an.visibility_contact == "private" and an.consent_listed is False
    queued = set(db.session.scalars(sa.select(SearchOutbox.entity_id)))
    assert queued == {p.id for p in people}
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "import.commit"))
    assert event.details["created"] == 2 and event.actor_id == officer.id


def test_consent_given_in_the_file_is_recorded(db, officer, mission):
    header = [*HEADER_EN, "Đồng ý công khai"]
    rows = [["Lê Văn C", "FR", "Paris", "Huế", "c@example.fr", "", "", "", "có"]]
    commit(db, staged(officer, mission, csv_bytes(header=header, rows=rows)), officer)
    person = db.session.scalar(sa.select(Person))
    assert person.consent_listed is True
    record = db.session.scalar(sa.select(ConsentRecord))
    assert (record.purpose, record.granted, record.person_id) == ("listed", True, person.id)


def test_skipped_and_error_rows_are_not_written(db, officer, mission):
    rows = [
        ["Lê Văn C", "FR", "Paris", "Huế", "c@example.fr", "", "", ""],
        ["Lê Văn D", "DE", "Berlin", "Huế", "d@example.fr", "", "", ""],
        ["Lê Văn E", "FR", "Paris", "Huế", "e@example.fr", "", "", ""],
    ]
    batch = staged(officer, mission, csv_bytes(rows=rows))
    services.set_decision(row(db, batch, 4), "skip", officer)
    db.session.commit()
    batch = commit(db, batch, officer)
    assert [p.full_name for p in db.session.scalars(sa.select(Person))] == ["Lê Văn C"]
    assert (batch.created_count, batch.skipped_count) == (1, 2)


def test_a_row_with_errors_cannot_be_set_to_create(db, officer, mission):
    rows = [["Lê Văn D", "DE", "Berlin", "Huế", "d@example.fr", "", "", ""]]
    batch = staged(officer, mission, csv_bytes(rows=rows))
    with pytest.raises(ValidationError):
        services.set_decision(row(db, batch, 2), "create", officer)


def test_create_anyway_writes_a_probable_duplicate(db, officer, mission):
    PersonFactory(full_name="Nguyễn Văn An", birth_year=1980, email=None, phone=None)
    batch = staged(officer, mission, csv_bytes())
    dup = row(db, batch, 2)
    assert dup.match_kind == "probable" and dup.decision == "skip"
    services.set_decision(dup, "create", officer)
    db.session.commit()
    commit(db, batch, officer)
    assert count(db, Person) == 3


def test_a_batch_is_committed_only_once(db, officer, mission):
    batch = staged(officer, mission, csv_bytes())
    assert services.claim_commit(batch, officer)
    assert not services.claim_commit(batch, officer)
    services.commit_batch(batch.id, officer.id)
    assert count(db, Person) == 2


# --- merge ----------------------------------------------------------------------------------


def test_merge_takes_the_chosen_fields_and_remembers_their_source(db, officer, mission):
    existing = PersonFactory(
        full_name="Nguyễn Văn An",
        email="an@example.fr",
        phone=None,
        city="Lyon",
        organization="CNRS",
        fields=["artificial_intelligence"],
        provenance="mission",
        provenance_mission_id=mission.id,
        consent_listed=False,
    )
    header = [*HEADER_EN, "organization"]
    rows = [
        [
            "An Nguyen Van",
            "FR",
            "Paris",
            "Đà Nẵng",
            "an@example.fr",
            "06 12 34 56 78",
            "Bán dẫn",
            "1980",
            "Airbus",
        ]
    ]
    batch = staged(officer, mission, csv_bytes(header=header, rows=rows), "danh-sach.csv")
    dup = row(db, batch, 2)
    assert dup.matches == [{"kind": "duplicate", "reason": "email", "person_id": existing.id}]
    target = services.merge_target(dup, None, by=officer)
    items = {i["name"]: i for i in services.merge_fields(dup, target)}
    assert items["city"]["existing"] == "Lyon" and items["city"]["imported"] == "Paris"
    assert items["phone"]["choice"] == "import"  # the profile has no phone: the file fills it
    assert items["city"]["choice"] == "existing"  # by default an existing value is kept
    services.set_merge_choices(
        dup, target, {"city": "import", "organization": "existing", "fields": "both"}, officer
    )
    db.session.commit()
    batch = commit(db, batch, officer)
    assert batch.merged_count == 1 and batch.created_count == 0
    person = db.session.get(Person, existing.id)
    assert person.city == "Paris"
    assert person.phone == "+33612345678"
    assert person.organization == "CNRS"
    assert person.fields == ["artificial_intelligence", "semiconductors"]
    assert person.consent_listed is False  # consent is never merged
    source = person.field_sources["city"]
    assert source["source"] == "import:danh-sach.csv" and source["batch"] == batch.id
    assert "at" in source
    assert set(person.field_sources) == {"city", "phone", "fields", "birth_year"}
    assert "organization" not in person.field_sources
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "person.merge"))
    assert "city" in event.details["fields"] and event.object_id == existing.id
    assert existing.id in set(db.session.scalars(sa.select(SearchOutbox.entity_id)))
    assert count(db, Person) == 1


def test_a_claimed_profile_cannot_be_merged_into(db, officer, mission):
    from tests.factories import UserFactory

    existing = PersonFactory(email="an@example.fr")
    UserFactory(person=existing, email="an@example.fr")
    batch = staged(officer, mission, csv_bytes())
    assert services.merge_target(row(db, batch, 2), None, by=officer) is None


def test_a_merge_target_that_became_out_of_reach_fails_the_whole_commit(db, officer, mission):
    existing = PersonFactory(email="an@example.fr", phone=None)
    batch = staged(officer, mission, csv_bytes())
    dup = row(db, batch, 2)
    target = services.merge_target(dup, None, by=officer)
    services.set_merge_choices(dup, target, {"city": "import"}, officer)
    db.session.commit()
    existing.country = "DE"  # moved away from the mission's countries meanwhile
    db.session.commit()
    batch = commit(db, batch, officer)
    assert batch.status == "ready" and batch.error_code == "merge_target_gone"
    assert count(db, Person) == 1  # row 3 was not created either
    assert db.session.get(Person, existing.id).field_sources == {}


# --- atomicity ------------------------------------------------------------------------------


def test_a_failure_at_row_9000_leaves_nothing(db, officer, mission, monkeypatch):
    rows = [
        [f"Người Thứ {i}", "FR", "Paris", "Huế", f"p{i}@example.fr", "", "", ""]
        for i in range(9100)
    ]
    batch = staged(officer, mission, csv_bytes(rows=rows))
    assert batch.status == "ready" and batch.total_rows == 9100
    real = services._person_row
    seen = []

    def failing(values, person_id, base):
        seen.append(person_id)
        if len(seen) == 9000:
            raise RuntimeError("disk full")
        return real(values, person_id, base)

    monkeypatch.setattr(services, "_person_row", failing)
    batch = commit(db, batch, officer)
    assert len(seen) == 9000  # chunks of earlier rows were already sent to the database
    assert batch.status == "ready" and batch.error_code == "commit_failed"
    assert count(db, Person) == 0
    assert count(db, SearchOutbox) == 0
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "import.commit")
        )
        == 0
    )
    # Fixed, the same batch can be committed again.
    monkeypatch.setattr(services, "_person_row", real)
    batch = commit(db, batch, officer)
    assert batch.status == "done" and count(db, Person) == 9100
