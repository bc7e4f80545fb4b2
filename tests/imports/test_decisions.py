"""The reviewer's steps as services: decisions from the preview, the commit's preconditions,
and which steps a batch's state allows (the policy says only who may act)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from werkzeug.exceptions import Forbidden

from directory import policy
from directory.core.errors import ValidationError
from directory.imports import batches, decisions, invitations
from directory.imports import commit as commit_service
from directory.imports.models import ImportBatch, ImportRow
from directory.people.models import Person
from tests.factories import PersonFactory
from tests.imports.conftest import HEADER_EN, ROWS, csv_bytes

OUTSIDE = ["Lê Văn D", "DE", "Berlin", "Huế", "d@example.de", "", "", ""]  # an error row


def staged(officer, mission, rows) -> ImportBatch:
    batch = batches.start_batch(csv_bytes(header=HEADER_EN, rows=rows), "p.csv", mission, officer)
    return batches.read_batch(batch.id)


def row(db, batch, number) -> ImportRow:
    return db.session.scalar(
        sa.select(ImportRow).where(ImportRow.batch_id == batch.id, ImportRow.row_number == number)
    )


def people_count(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Person))


# --- decisions ----------------------------------------------------------------------------


def test_decisions_are_recorded_and_error_rows_stay_skipped(db, officer, mission):
    batch = staged(officer, mission, [ROWS[0], ROWS[1], OUTSIDE])
    first, second, bad = row(db, batch, 2), row(db, batch, 3), row(db, batch, 4)
    assert (first.decision, second.decision, bad.decision) == ("create", "create", "skip")
    refused = decisions.apply_decisions(
        batch, {first.id: "skip", second.id: "create", bad.id: "create"}, officer
    )
    assert refused == 1
    db.session.expire_all()
    assert (first.decision, second.decision, bad.decision) == ("skip", "create", "skip")


def test_merge_is_chosen_on_the_merge_screen_not_in_the_list(db, officer, mission):
    PersonFactory(full_name="Nguyễn Văn An", birth_year=1980, email=None, phone=None)
    batch = staged(officer, mission, ROWS)
    duplicate = row(db, batch, 2)
    assert duplicate.decision == "skip" and duplicate.match_kind == "probable"
    assert decisions.apply_decisions(batch, {duplicate.id: "merge"}, officer) == 0
    db.session.expire_all()
    assert duplicate.decision == "skip" and duplicate.merge_target_id is None


def test_an_unknown_choice_is_refused_and_changes_nothing(db, officer, mission):
    batch = staged(officer, mission, ROWS)
    first = row(db, batch, 2)
    assert decisions.apply_decisions(batch, {first.id: "publish"}, officer) == 1
    db.session.expire_all()
    assert first.decision == "create"


def test_rows_of_another_batch_are_ignored(db, officer, mission):
    batch = staged(officer, mission, ROWS)
    other = staged(officer, mission, ROWS)
    theirs = row(db, other, 2)
    assert decisions.apply_decisions(batch, {theirs.id: "skip"}, officer) == 0
    db.session.expire_all()
    assert theirs.decision == "create"


def test_decisions_need_the_batch_mission_and_an_open_batch(db, officer, other_officer, mission):
    batch = staged(officer, mission, ROWS)
    first = row(db, batch, 2)
    with pytest.raises(Forbidden):
        decisions.apply_decisions(batch, {first.id: "skip"}, other_officer)
    batch.status = "done"
    db.session.commit()
    with pytest.raises(Forbidden):
        decisions.apply_decisions(batch, {first.id: "skip"}, officer)
    db.session.expire_all()
    assert first.decision == "create"


# --- the commit's preconditions -----------------------------------------------------------


def test_rows_with_errors_must_be_confirmed_before_the_commit(db, officer, mission):
    batch = staged(officer, mission, [ROWS[0], OUTSIDE])
    with pytest.raises(decisions.CommitRefused) as refused:
        decisions.start_commit(batch, officer, skip_errors=False, evidence=None)
    assert refused.value.code == "errors_not_confirmed"
    assert "dòng có lỗi" in refused.value.message  # Vietnamese first
    db.session.expire_all()
    assert batch.status == "ready"
    assert decisions.start_commit(batch, officer, skip_errors=True, evidence=None) == 1
    assert db.session.get(ImportBatch, batch.id).status == "committing"


def test_a_batch_with_no_row_to_import_is_refused(db, officer, mission):
    batch = staged(officer, mission, ROWS)
    decisions.apply_decisions(batch, {row(db, batch, n).id: "skip" for n in (2, 3)}, officer)
    with pytest.raises(decisions.CommitRefused) as refused:
        decisions.start_commit(batch, officer, skip_errors=True, evidence=None)
    assert refused.value.code == "nothing_to_import"
    assert db.session.get(ImportBatch, batch.id).status == "ready"


def test_a_bad_attestation_keeps_nothing(db, officer, mission):
    batch = staged(officer, mission, ROWS)
    bad = {"source": "rumour", "date": "yesterday", "reference": None}
    with pytest.raises(ValidationError) as error:
        decisions.start_commit(batch, officer, skip_errors=False, evidence=bad)
    assert error.value.fields
    db.session.expire_all()
    assert batch.status == "ready"
    assert "consent_evidence" not in (batch.details or {})


def test_the_batch_is_claimed_once_then_committed(db, officer, mission):
    batch = staged(officer, mission, ROWS)
    evidence = {"source": "paper", "date": "2024-05-01", "reference": "Hội nghị Paris"}
    assert decisions.start_commit(batch, officer, skip_errors=False, evidence=evidence) == 2
    kept = db.session.get(ImportBatch, batch.id)
    assert kept.status == "committing"
    assert kept.details["consent_evidence"]["source"] == "paper"
    # A second click finds the commit under way: nothing more to do than show the status.
    assert decisions.start_commit(kept, officer, skip_errors=False, evidence=None) == 0
    assert people_count(db) == 0
    assert commit_service.commit_batch(batch.id, officer.id).status == "done"
    assert people_count(db) == 2


def test_the_commit_needs_the_batch_mission_and_a_batch_not_yet_committed(
    db, officer, other_officer, mission
):
    batch = staged(officer, mission, ROWS)
    with pytest.raises(Forbidden):
        decisions.start_commit(batch, other_officer, skip_errors=False, evidence=None)
    decisions.start_commit(batch, officer, skip_errors=False, evidence=None)
    done = commit_service.commit_batch(batch.id, officer.id)
    with pytest.raises(Forbidden):
        decisions.start_commit(done, officer, skip_errors=False, evidence=None)
    with pytest.raises(Forbidden):
        commit_service.claim_commit(done, officer)
    assert people_count(db) == 2


# --- the state of a batch and the policy ----------------------------------------------------


@pytest.mark.parametrize(
    ("status", "in_review", "can_commit", "is_done"),
    [
        ("queued", False, False, False),
        ("reading", False, False, False),
        ("ready", True, True, False),
        ("committing", False, True, False),
        ("done", False, False, True),
        ("failed", False, False, False),
    ],
)
def test_the_steps_each_state_allows(status, in_review, can_commit, is_done):
    batch = ImportBatch(status=status)
    assert (batch.in_review, batch.can_commit, batch.is_done) == (in_review, can_commit, is_done)


@pytest.mark.parametrize("status", ["queued", "ready", "committing", "done", "failed"])
def test_the_policy_decides_who_whatever_the_state(db, officer, other_officer, mission, status):
    batch = ImportBatch(file_name="x.csv", mission_id=mission.id, status=status)
    db.session.add(batch)
    db.session.commit()
    for action in ("import.commit", "import.invite"):
        assert policy.can(officer, action, batch)
        assert not policy.can(other_officer, action, batch)


def test_invitations_wait_for_the_commit(db, officer, mission, mail_outbox):
    batch = staged(officer, mission, ROWS)
    with pytest.raises(Forbidden):
        invitations.send_invitations(batch, officer)
    assert mail_outbox() == []


def test_pages_of_a_committed_batch_refuse_the_review_steps(client, login, db, officer, mission):
    batch = staged(officer, mission, ROWS)
    first = row(db, batch, 2)
    decisions.start_commit(batch, officer, skip_errors=False, evidence=None)
    commit_service.commit_batch(batch.id, officer.id)
    login(officer)
    preview = client.post(f"/imports/{batch.id}/preview", data={f"decision-{first.id}": "skip"})
    assert preview.status_code == 302 and preview.headers["Location"].endswith(batch.id)
    # The merge page of a committed batch is read-only (tests/imports/test_views.py); this row
    # matched nobody, so it has no merge page at all.
    assert client.get(f"/imports/{batch.id}/rows/{first.id}/merge").status_code == 404
    assert client.post(f"/imports/{batch.id}/rows/{first.id}/merge").status_code == 404
    assert client.post(f"/imports/{batch.id}/commit", data={}).status_code == 403
    assert client.get(f"/imports/{batch.id}/invitations").status_code == 200
    db.session.expire_all()
    assert first.decision == "create"
