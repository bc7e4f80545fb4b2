"""Claim invitations after an import."""

from __future__ import annotations

import sqlalchemy as sa

from directory.imports import batches, commit, invitations
from directory.imports.models import ImportBatch, ImportRow
from directory.people.models import Person
from tests.imports.conftest import HEADER_EN, csv_bytes


def imported(officer, mission, rows) -> ImportBatch:
    batch = batches.start_batch(csv_bytes(header=HEADER_EN, rows=rows), "p.csv", mission, officer)
    batch = batches.read_batch(batch.id)
    commit.claim_commit(batch, officer)
    return commit.commit_batch(batch.id, officer.id)


ROWS = [
    ["Nguyễn Văn An", "FR", "Paris", "Huế", "an@example.fr", "", "", ""],
    ["Trần Thị Bích", "FR", "Lyon", "Huế", "", "+33698765432", "", ""],
    ["Lê Văn C", "FR", "Nice", "Huế", "c@example.fr", "", "", ""],
]


def test_preview_in_both_languages_then_send_with_a_report(
    client, login, db, officer, mission, mail_outbox
):
    batch = imported(officer, mission, ROWS)
    login(officer)
    page = client.get(f"/imports/{batch.id}/invitations").get_data(as_text=True)
    assert 'lang="vi"' in page and 'lang="en"' in page
    assert "2" in page  # two people have an email
    response = client.post(f"/imports/{batch.id}/invitations")
    assert response.status_code == 302
    recipients = sorted(m["To"] for m in mail_outbox())
    assert recipients == ["an@example.fr", "c@example.fr"]
    db.session.refresh(batch)
    assert batch.invitation_report["sent"] == 2 and batch.invitation_report["remaining"] == 0
    invited = db.session.scalars(
        sa.select(ImportRow.row_number).where(ImportRow.invited_at.is_not(None))
    ).all()
    assert sorted(invited) == [2, 4]
    # Nobody is invited twice.
    client.post(f"/imports/{batch.id}/invitations")
    assert len(mail_outbox()) == 2


def test_invitations_go_out_in_batches(client, login, db, app, officer, mission, mail_outbox):
    app.config["IMPORT_INVITATION_BATCH"] = 1
    batch = imported(officer, mission, ROWS)
    report = invitations.send_invitations(batch, officer)
    assert (report["sent"], report["remaining"]) == (1, 1)
    report = invitations.send_invitations(db.session.get(ImportBatch, batch.id), officer)
    assert (report["sent"], report["remaining"]) == (2, 0)
    assert len(mail_outbox()) == 2


def test_failures_are_reported(client, login, db, officer, mission, mail_outbox):
    from tests.factories import UserFactory

    batch = imported(officer, mission, ROWS[:1])
    UserFactory(email="an@example.fr")  # the address already has an account
    report = invitations.send_invitations(batch, officer)
    assert report["sent"] == 0 and len(report["failures"]) == 1
    person = db.session.scalar(sa.select(Person))
    assert report["failures"][0]["person_id"] == person.id
    assert mail_outbox() == []


def test_invitations_only_after_the_import_and_for_the_mission(
    client, login, db, officer, other_officer, mission
):
    batch = imported(officer, mission, ROWS)
    login(other_officer)
    assert client.get(f"/imports/{batch.id}/invitations").status_code == 404
    staged = batches.start_batch(csv_bytes(), "q.csv", mission, officer)
    login(officer)
    assert client.get(f"/imports/{staged.id}/invitations").status_code == 403
