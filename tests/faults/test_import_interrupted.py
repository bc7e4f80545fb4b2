"""An import commit killed midway: nothing half-written, the batch recovered from
``committing`` and committed again; a commit still running is never taken for a dead one."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from directory.accounts.models import User
from directory.audit import AuditEvent
from directory.extensions import db
from directory.imports import batches
from directory.imports import commit as commit_service
from directory.imports.models import ImportBatch, ImportRow
from directory.people import bulk as people_bulk
from directory.people.models import ConsentRecord, Person
from directory.search.outbox import SearchOutbox
from tests.factories import MissionFactory, UserFactory
from tests.faults.conftest import wait_until
from tests.imports.conftest import csv_bytes

ROOT = Path(__file__).resolve().parents[2]
# The commit sends its rows CHUNK at a time (2000 in production, 50 here to keep the test
# quick): the batch spans several chunks and the crash comes after two were sent.
CHUNK = 50
ROWS = 3 * CHUNK + 10
KILL_AT = 2 * CHUNK + 20


def count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def audit_count(action: str) -> int:
    return count(AuditEvent, AuditEvent.action == action)


def uploaded_batch(rows: int) -> tuple[str, object]:
    """A CSV of ``rows`` people living in France, uploaded by the Paris officer (not read)."""
    mission = MissionFactory(code="PARIS", name="Đại sứ quán Việt Nam tại Pháp", countries=["FR"])
    officer = UserFactory(role="embassy", mission=mission, email="officer@paris.example")
    data = csv_bytes(
        rows=[
            [f"Người Thứ {i}", "FR", "Paris", "Huế", f"p{i}@example.fr", "", "", ""]
            for i in range(rows)
        ]
    )
    return batches.start_batch(data, "people.csv", mission, officer).id, officer


def staged_batch(rows: int) -> tuple[ImportBatch, object]:
    batch_id, officer = uploaded_batch(rows)
    batch = batches.read_batch(batch_id)
    assert batch.status == "ready" and batch.total_rows == rows
    return batch, officer


def test_a_commit_killed_midway_writes_nothing_and_is_recovered(race_app, tmp_path, monkeypatch):
    monkeypatch.setattr(commit_service, "CHUNK", CHUNK)
    batch, officer = staged_batch(ROWS)
    assert commit_service.claim_commit(batch, officer)
    batch_id, officer_id = batch.id, officer.id
    db.session.commit()
    db.session.remove()

    crash = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.faults.crash_commit",
            race_app.config["SQLALCHEMY_DATABASE_URI"],
            str(tmp_path / "crash-instance"),
            batch_id,
            officer_id,
            str(KILL_AT),
            str(CHUNK),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        timeout=240,
    )
    assert crash.returncode == -9, crash.stderr.decode()[-2000:]
    assert f"sent {2 * CHUNK}" in crash.stdout.decode()  # two chunks were in the transaction

    # Nothing of the commit survived the crash; the batch is stuck in ``committing``.
    batch = db.session.get(ImportBatch, batch_id)
    assert batch.status == "committing"
    assert count(Person) == 0
    assert count(ConsentRecord) == 0
    assert count(SearchOutbox) == 0
    assert audit_count("import.commit") == 0

    # Not yet: a commit claimed a moment ago may still be starting.
    assert commit_service.recover_interrupted() == []
    # Later (here: at once), recovery puts it back to ready, audited, and says why.
    assert commit_service.recover_interrupted(timedelta(0)) == [batch_id]
    db.session.expire_all()
    batch = db.session.get(ImportBatch, batch_id)
    assert batch.status == "ready" and batch.error_code == "commit_interrupted"
    assert audit_count("import.commit_interrupted") == 1
    assert commit_service.recover_interrupted(timedelta(0)) == []  # once only

    # The officer commits it again: every row, once.
    officer = db.session.get(User, officer_id)
    assert commit_service.claim_commit(batch, officer)
    batch = commit_service.commit_batch(batch_id, officer_id)
    assert batch.status == "done" and batch.created_count == ROWS
    assert count(Person) == ROWS
    assert audit_count("import.commit") == 1


def test_the_recovery_command_reports_what_it_reopened(app, runner, login):
    batch, officer = staged_batch(3)
    assert commit_service.claim_commit(batch, officer)
    result = runner.invoke(args=["imports", "recover"])
    assert result.exit_code == 0 and "no interrupted commit" in result.output
    result = runner.invoke(args=["imports", "recover", "--older-than", "0"])
    assert result.exit_code == 0
    assert f"{batch.id}: ready again" in result.output
    db.session.expire_all()
    assert db.session.get(ImportBatch, batch.id).status == "ready"
    # The officer is told, in their language, that nothing was written.
    page = login(officer).get(f"/imports/{batch.id}/preview").get_data(as_text=True)
    assert "Lần nhập bị gián đoạn trước khi được lưu, và chưa có gì được ghi." in page


@pytest.mark.postgres
def test_a_commit_still_running_is_not_recovered(pg_app, monkeypatch):
    """On PostgreSQL the running commit holds its batch's row lock: recovery skips it, however
    old the claim."""
    monkeypatch.setattr(commit_service, "CHUNK", CHUNK)
    batch, officer = staged_batch(CHUNK + 10)
    assert commit_service.claim_commit(batch, officer)
    batch_id, officer_id = batch.id, officer.id
    db.session.commit()

    real = people_bulk.person_row
    reached, release = threading.Event(), threading.Event()
    seen = [0]

    def pausing(*args, **kwargs):
        seen[0] += 1
        if seen[0] == CHUNK + 5:
            reached.set()
            release.wait(60)
        return real(*args, **kwargs)

    monkeypatch.setattr(people_bulk, "person_row", pausing)
    outcome = {}

    def run_commit():
        with pg_app.app_context():
            outcome["status"] = commit_service.commit_batch(batch_id, officer_id).status
            db.session.remove()

    thread = threading.Thread(target=run_commit, daemon=True)
    thread.start()
    try:
        wait_until(reached.is_set, timeout=120)
        assert commit_service.recover_interrupted(timedelta(0)) == []
    finally:
        release.set()
        thread.join(timeout=120)
    assert outcome["status"] == "done"
    db.session.expire_all()
    assert count(Person) == CHUNK + 10
    assert audit_count("import.commit_interrupted") == 0


def test_the_worker_reopens_a_commit_claimed_long_ago(app):
    from directory.core.models import utcnow
    from directory.core.schedule import jobs

    (job,) = [job for job in jobs(app) if job.name == "imports recover"]
    assert job.every == 300
    batch, officer = staged_batch(3)
    assert commit_service.claim_commit(batch, officer)
    assert job.run() is None  # claimed a moment ago: maybe still starting
    db.session.execute(
        sa.update(ImportBatch)
        .where(ImportBatch.id == batch.id)
        .values(updated_at=utcnow() - commit_service.RECOVER_AFTER - timedelta(seconds=1))
    )
    db.session.commit()
    assert job.run() == "1 interrupted commit(s) reopened"
    db.session.expire_all()
    batch = db.session.get(ImportBatch, batch.id)
    assert batch.status == "ready" and batch.error_code == "commit_interrupted"


class _Killed(BaseException):
    """What a dead process looks like from inside: no ``except Exception`` runs."""


def test_a_reading_cut_short_by_a_crash_is_failed_with_a_clear_message(
    race_app, monkeypatch, client, login
):
    """The process reading an upload dies after its first chunk of staged rows: the batch
    stays in ``reading`` with those rows. Recovery (later, not at once) drops them, fails
    the batch with ``read_interrupted`` (audited; the page asks for the file again), once."""
    from flask_babel import force_locale

    from directory.imports.messages import file_error_message

    monkeypatch.setattr(batches, "CHUNK", CHUNK)
    batch_id, _officer = uploaded_batch(ROWS)
    real_progress = batches.set_progress

    def dies_while_staging(bid, done, total):
        # Staging reports half the total plus half its rows: dying at the second chunk, before
        # its commit, leaves the first chunk committed.
        if done >= total // 2 + CHUNK:
            raise _Killed
        real_progress(bid, done, total)

    monkeypatch.setattr(batches, "set_progress", dies_while_staging)
    with pytest.raises(_Killed):
        batches.read_batch(batch_id)
    monkeypatch.setattr(batches, "set_progress", real_progress)
    db.session.rollback()
    batch = db.session.get(ImportBatch, batch_id)
    assert batch.status == "reading"
    assert count(ImportRow, ImportRow.batch_id == batch_id) == CHUNK

    assert batches.recover_interrupted_reads() == []  # a reading may still be running
    result = race_app.test_cli_runner().invoke(args=["imports", "recover", "--older-than", "0"])
    assert result.exit_code == 0, result.output
    assert f"{batch_id}: failed (its reading was interrupted" in result.output
    db.session.expire_all()
    batch = db.session.get(ImportBatch, batch_id)
    assert batch.status == "failed" and batch.error_code == "read_interrupted"
    assert count(ImportRow, ImportRow.batch_id == batch_id) == 0
    assert audit_count("import.read_interrupted") == 1
    assert batches.recover_interrupted_reads(timedelta(0)) == []  # once only
    with force_locale("vi"):
        assert "Vui lòng tải tệp lên lại" in file_error_message("read_interrupted")
    with force_locale("en"):
        assert "upload the file again" in file_error_message("read_interrupted")
