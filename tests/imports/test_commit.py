"""Decisions, merges with provenance, and the atomic commit."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from directory.audit import AuditEvent
from directory.core.errors import ValidationError
from directory.imports import batches, consent, merge
from directory.imports import commit as commit_service
from directory.imports.models import ImportBatch, ImportRow
from directory.people import bulk as people_bulk
from directory.people.models import ConsentRecord, Person
from directory.search.outbox import SearchOutbox
from tests.factories import PersonFactory
from tests.imports.conftest import HEADER_EN, csv_bytes


def staged(officer, mission, data: bytes, name: str = "people.csv") -> ImportBatch:
    batch = batches.start_batch(data, name, mission, officer)
    return batches.read_batch(batch.id)


def commit(db, batch, officer) -> ImportBatch:
    assert commit_service.claim_commit(batch, officer)
    return commit_service.commit_batch(batch.id, officer.id)


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


CONSENT_HEADER = [*HEADER_EN, "Đồng ý công khai"]
CONSENT_ROWS = [
    ["Lê Văn C", "FR", "Paris", "Huế", "c@example.fr", "", "", "", "có"],
    ["Lê Văn D", "FR", "Lyon", "Huế", "d@example.fr", "", "", "", "không"],
]


def consents_by_person(db) -> dict[str, dict[str, ConsentRecord]]:
    out: dict = {}
    for record in db.session.scalars(sa.select(ConsentRecord)):
        out.setdefault(record.person_id, {})[record.purpose] = record
    return out


def test_the_consent_column_is_ignored_without_the_officers_attestation(db, officer, mission):
    batch = staged(officer, mission, csv_bytes(header=CONSENT_HEADER, rows=CONSENT_ROWS))
    assert batch.details["consent_yes_rows"] == 1
    batch = commit(db, batch, officer)
    assert batch.status == "done" and batch.created_count == 2  # the file is not refused
    people = db.session.scalars(sa.select(Person)).all()
    assert [p.consent_listed for p in people] == [False, False]
    for records in consents_by_person(db).values():
        assert {p: (r.granted, r.source) for p, r in records.items()} == {
            "listed": (False, "official"),
            "contact": (False, "official"),
        }
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "import.commit"))
    assert event.details["consent_ignored"] == 1


def test_attested_consent_is_recorded_with_its_evidence_for_the_rows_that_say_yes(
    db, officer, mission
):
    batch = staged(officer, mission, csv_bytes(header=CONSENT_HEADER, rows=CONSENT_ROWS))
    consent.attest_consent(
        batch,
        {"source": "online_form", "date": "2026-01-12", "reference": "Hội nghị Kiều bào 2026"},
        officer,
    )
    db.session.commit()
    commit(db, batch, officer)
    people = {p.full_name: p for p in db.session.scalars(sa.select(Person))}
    assert people["Lê Văn C"].consent_listed and not people["Lê Văn D"].consent_listed
    records = consents_by_person(db)
    yes = records[people["Lê Văn C"].id]
    assert (yes["listed"].granted, yes["listed"].source) == (True, "online_form")
    assert yes["listed"].evidence_date.isoformat() == "2026-01-12"
    assert yes["listed"].evidence_reference == "Hội nghị Kiều bào 2026"
    assert yes["listed"].user_id == officer.id
    # Both purposes, as a registration records them: contact consent is never in the file.
    assert (yes["contact"].granted, yes["contact"].source) == (False, "official")
    no = records[people["Lê Văn D"].id]
    assert (no["listed"].granted, no["listed"].source, no["listed"].evidence_date) == (
        False,
        "official",
        None,
    )
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "import.commit"))
    assert event.details["consent"] == {
        "source": "online_form",
        "date": "2026-01-12",
        "reference": "Hội nghị Kiều bào 2026",
        "listed": 1,
    }


def test_every_imported_person_gets_both_consent_records(db, officer, mission):
    commit(db, staged(officer, mission, csv_bytes()), officer)
    records = consents_by_person(db)
    assert len(records) == 2
    for by_purpose in records.values():
        assert set(by_purpose) == {"listed", "contact"}
        assert not any(r.granted for r in by_purpose.values())


def test_a_bad_attestation_is_refused(db, officer, mission):
    batch = staged(officer, mission, csv_bytes(header=CONSENT_HEADER, rows=CONSENT_ROWS))
    with pytest.raises(ValidationError) as info:
        consent.attest_consent(batch, {"source": "paper", "date": "2999-01-01"}, officer)
    assert "consent_evidence.date" in info.value.fields


def test_skipped_and_error_rows_are_not_written(db, officer, mission):
    rows = [
        ["Lê Văn C", "FR", "Paris", "Huế", "c@example.fr", "", "", ""],
        ["Lê Văn D", "DE", "Berlin", "Huế", "d@example.fr", "", "", ""],
        ["Lê Văn E", "FR", "Paris", "Huế", "e@example.fr", "", "", ""],
    ]
    batch = staged(officer, mission, csv_bytes(rows=rows))
    merge.set_decision(row(db, batch, 4), "skip", officer)
    db.session.commit()
    batch = commit(db, batch, officer)
    assert [p.full_name for p in db.session.scalars(sa.select(Person))] == ["Lê Văn C"]
    assert (batch.created_count, batch.skipped_count) == (1, 2)


def test_a_row_with_errors_cannot_be_set_to_create(db, officer, mission):
    rows = [["Lê Văn D", "DE", "Berlin", "Huế", "d@example.fr", "", "", ""]]
    batch = staged(officer, mission, csv_bytes(rows=rows))
    with pytest.raises(ValidationError):
        merge.set_decision(row(db, batch, 2), "create", officer)


def test_create_anyway_writes_a_probable_duplicate(db, officer, mission):
    PersonFactory(full_name="Nguyễn Văn An", birth_year=1980, email=None, phone=None)
    batch = staged(officer, mission, csv_bytes())
    dup = row(db, batch, 2)
    assert dup.match_kind == "probable" and dup.decision == "skip"
    merge.set_decision(dup, "create", officer)
    db.session.commit()
    commit(db, batch, officer)
    assert count(db, Person) == 3


def test_a_batch_is_committed_only_once(db, officer, mission):
    batch = staged(officer, mission, csv_bytes())
    assert commit_service.claim_commit(batch, officer)
    assert not commit_service.claim_commit(batch, officer)
    commit_service.commit_batch(batch.id, officer.id)
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
    (match,) = dup.matches
    assert (match["kind"], match["reason"], match["person_id"]) == (
        "duplicate",
        "email",
        existing.id,
    )
    target = merge.merge_target(dup, None, by=officer)
    items = {i["name"]: i for i in merge.merge_fields(dup, target)}
    assert items["city"]["existing"] == "Lyon" and items["city"]["imported"] == "Paris"
    assert items["phone"]["choice"] == "import"  # the profile has no phone: the file fills it
    assert items["city"]["choice"] == "existing"  # by default an existing value is kept
    merge.set_merge_choices(
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
    assert merge.merge_target(row(db, batch, 2), None, by=officer) is None


def test_a_merge_target_that_became_out_of_reach_fails_the_whole_commit(db, officer, mission):
    existing = PersonFactory(email="an@example.fr", phone=None)
    batch = staged(officer, mission, csv_bytes())
    dup = row(db, batch, 2)
    target = merge.merge_target(dup, None, by=officer)
    merge.set_merge_choices(dup, target, {"city": "import"}, officer)
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
    real = people_bulk.person_row
    seen = []

    def failing(values, person_id, base, **kwargs):
        seen.append(person_id)
        if len(seen) == 9000:
            raise RuntimeError("disk full")
        return real(values, person_id, base, **kwargs)

    monkeypatch.setattr(people_bulk, "person_row", failing)
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
    monkeypatch.setattr(people_bulk, "person_row", real)
    batch = commit(db, batch, officer)
    assert batch.status == "done" and count(db, Person) == 9100
