"""The batch lifecycle of the web UI: upload, read and stage in the background, progress.

The pipeline, shared by the web UI and ``flask people import``:

1. :func:`read_file` (``reader.py``) refuses bad files as a whole;
2. :func:`analyse_rows` (``analysis.py``) normalises each row with the people service (the
   same rules as the form and the API), applies the mission scope rule and finds duplicates in
   the database and within the file;
3. this module stages the rows (:class:`ImportRow`) for the preview and the officer's decisions
   (``merge.py``), with the file's consent attested for the batch (``consent.py``);
4. :func:`commit_rows` (``commit.py``) writes every accepted row in one transaction: new people
   through the people domain's bulk writer, merges field by field.
"""

from __future__ import annotations

import os

import sqlalchemy as sa
from flask import current_app
from werkzeug.exceptions import Forbidden

from directory import audit, policy
from directory.core.bulk import bulk_insert
from directory.core.models import new_id
from directory.extensions import db
from directory.i18n import current_locale
from directory.imports.analysis import CHUNK, AnalysedRow, analyse_rows
from directory.imports.business_rows import analyse_business_rows
from directory.imports.consent import consent_yes_rows
from directory.imports.models import BATCH_KINDS, ImportBatch, ImportRow
from directory.imports.reader import ImportFileError, read_file
from directory.missions.models import Mission

# In-process progress of running jobs: {batch id: (done, total)}; the database keeps the rest.
PROGRESS: dict[str, tuple[int, int]] = {}

# --- the batch lifecycle (web UI) -----------------------------------------------------------


def upload_dir() -> str:
    folder = os.path.join(current_app.instance_path, "imports")
    os.makedirs(folder, exist_ok=True)
    return folder


def _upload_path(batch: ImportBatch) -> str:
    return os.path.join(upload_dir(), f"{batch.id}.upload")


def start_batch(
    data: bytes,
    file_name: str,
    mission: Mission,
    by,
    *,
    sheet_name: str | None = None,
    kind: str | None = None,
) -> ImportBatch:
    """Keep an uploaded file and create its batch (status ``queued``); commits.

    ``kind``: "people" or "businesses"; None detects it from the headers when the file is read.
    The size is checked at once; everything else is checked by :func:`read_batch`.
    """
    policy.require(by, "import.create", mission)
    if kind not in (None, *BATCH_KINDS):
        raise ValueError(kind)
    if kind == "businesses":
        policy.require(by, "business.register")
    limit = current_app.config["IMPORT_MAX_BYTES"]
    if len(data) > limit:
        raise ImportFileError("too_large", limit_mb=limit // (1024 * 1024))
    name = os.path.basename(file_name.replace("\\", "/"))[:255] or "import"
    batch = ImportBatch(
        id=new_id(),
        file_name=name,
        sheet_name=(sheet_name or None),
        mission_id=mission.id,
        uploaded_by_id=by.id,
        locale=current_locale(),
        status="queued",
        kind=kind or "people",
        details={"detect_kind": kind is None},
    )
    with open(_upload_path(batch), "wb") as fh:
        fh.write(data)
    db.session.add(batch)
    audit.record("import.upload", batch, actor=by, details={"bytes": len(data)})
    db.session.commit()
    return batch


def set_progress(batch_id: str, done: int, total: int) -> None:
    """Remember a running job's progress in this process (the page polls it)."""
    PROGRESS[batch_id] = (done, total)


def read_batch(batch_id: str) -> ImportBatch:
    """Read, normalise, dedupe and stage every row of a queued batch (status -> ready|failed)."""
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None or batch.status != "queued":
        return batch
    batch.status = "reading"
    db.session.commit()
    path = _upload_path(batch)
    try:
        with open(path, "rb") as fh:
            data = fh.read()
        sheet = read_file(
            data,
            batch.file_name,
            max_bytes=current_app.config["IMPORT_MAX_BYTES"],
            sheet_name=batch.sheet_name,
            kind=None if (batch.details or {}).get("detect_kind") else batch.kind,
        )
        batch.kind = sheet.kind
        batch.total_rows = len(sheet.rows)
        batch.file_format = sheet.file_format
        batch.details = {**sheet.details, "headers": sheet.headers, "columns": sheet.columns}
        batch.unknown_columns = sheet.unknown_columns
        db.session.commit()
        total = len(sheet.rows)
        analyse = analyse_business_rows if batch.of_businesses else analyse_rows
        rows = analyse(
            sheet, batch.mission, progress=lambda n: set_progress(batch_id, n // 2, total)
        )
        stage_rows(batch, rows)
    except ImportFileError as exc:
        db.session.rollback()
        _fail(batch_id, exc.code, exc.params)
    except Exception:
        db.session.rollback()
        current_app.logger.exception("import %s could not be read", batch_id)
        _fail(batch_id, "read_failed", {})
    finally:
        PROGRESS.pop(batch_id, None)
        if os.path.exists(path):
            os.remove(path)
    return db.session.get(ImportBatch, batch_id)


def _fail(batch_id: str, code: str, params: dict) -> None:
    """Mark a batch failed, dropping any staged rows (nothing else was written)."""
    db.session.execute(sa.delete(ImportRow).where(ImportRow.batch_id == batch_id))
    batch = db.session.get(ImportBatch, batch_id)
    batch.status = "failed"
    batch.error_code, batch.error_params = code, params
    db.session.commit()


def recover_interrupted_reads(older_than=None) -> list[str]:
    """Fail the batches a crash left in ``reading``; returns their ids.

    Reading writes nothing but the batch's staged rows (in chunks, each chunk moving the
    batch's ``updated_at``): they are dropped, with the upload left on disk, and the batch is
    ``failed`` with ``read_interrupted`` (the status page asks for the file again). Reading the
    file again by itself could crash the same way for ever. A batch whose last chunk is less
    than ``older_than`` old (the commit's ``RECOVER_AFTER`` by default: a read of the largest
    file allowed stages a chunk every few seconds) is left alone; on PostgreSQL two recoveries
    at once skip each other's rows. Audited with no actor.
    """
    from directory.imports.commit import RECOVER_AFTER, stalled_batches

    batches = stalled_batches("reading", RECOVER_AFTER if older_than is None else older_than)
    for batch in batches:
        db.session.execute(sa.delete(ImportRow).where(ImportRow.batch_id == batch.id))
        batch.status = "failed"
        batch.error_code, batch.error_params = "read_interrupted", {}
        audit.record(
            "import.read_interrupted", batch, actor=None, details={"mission": batch.mission_id}
        )
    db.session.commit()
    for batch in batches:
        path = _upload_path(batch)
        if os.path.exists(path):
            os.remove(path)
    return [batch.id for batch in batches]


def staged_row(batch_id: str, row: AnalysedRow) -> dict:
    """The ``import_rows`` insert row of one analysed row."""
    return {
        "id": new_id(),
        "batch_id": batch_id,
        "row_number": row.row_number,
        # The cells as written are kept for the rows whose problems the preview explains.
        "raw": row.raw if row.issues else {},
        "values": row.values,
        "issues": row.issues,
        "has_errors": row.has_errors,
        "has_warnings": row.has_warnings,
        "matches": row.matches,
        "match_kind": row.match_kind,
        "decision": row.decision,
        "person_id": row.person_id,
        "merge_target_id": None,
        "merge_choices": {},
        "invited_at": None,
    }


def stage_rows(batch: ImportBatch, rows: list[AnalysedRow]) -> None:
    """Store the analysed rows for the preview (in chunks, with progress); status -> ready."""
    total = len(rows)
    for start in range(0, total, CHUNK):
        chunk = rows[start : start + CHUNK]
        bulk_insert(ImportRow, [staged_row(batch.id, r) for r in chunk])
        done = start + len(chunk)
        batch.processed_rows = done
        set_progress(batch.id, total // 2 + done // 2, total)
        db.session.commit()
    batch.details = {**(batch.details or {}), "consent_yes_rows": consent_yes_rows(rows)}
    batch.error_rows = sum(1 for r in rows if r.has_errors)
    batch.warning_rows = sum(1 for r in rows if r.has_warnings and not r.has_errors)
    batch.duplicate_rows = sum(1 for r in rows if r.match_kind == "duplicate")
    batch.probable_rows = sum(1 for r in rows if r.match_kind == "probable")
    batch.processed_rows = total
    batch.status = "ready"
    db.session.commit()


def batch_progress(batch: ImportBatch) -> dict:
    """The state the status page polls: status, percentage and counts."""
    done, total = PROGRESS.get(batch.id, (batch.processed_rows, batch.total_rows))
    if batch.status in ("ready", "done"):
        percent = 100
    elif total:
        percent = min(99, int(done * 100 / total))
    else:
        percent = 0
    return {
        "id": batch.id,
        "status": batch.status,
        "percent": percent,
        "processed_rows": done,
        "total_rows": total or batch.total_rows,
        "running": batch.running,
    }


# --- which steps the batch's state allows ----------------------------------------------------
#
# The policy says who may act on a batch ("import.commit", "import.invite"); these say whether
# the batch is at that step. A step the batch is not at is refused like a step that is not
# offered (403), and nothing changes.


def require_committable(batch: ImportBatch) -> None:
    """Decisions, merges and the commit: only while the batch is ready or being committed."""
    if not batch.can_commit:
        raise Forbidden(description="import.commit")


def require_done(batch: ImportBatch) -> None:
    """Claim invitations: only once the batch is committed."""
    if not batch.is_done:
        raise Forbidden(description="import.invite")


def decision_counts(batch: ImportBatch) -> dict[str, int]:
    """How many rows will be created, merged or skipped (rows with errors always skip)."""
    query = (
        sa.select(ImportRow.decision, sa.func.count())
        .where(ImportRow.batch_id == batch.id, ImportRow.has_errors.is_(False))
        .group_by(ImportRow.decision)
    )
    counts = {"create": 0, "merge": 0, "skip": 0}
    counts.update({decision: n for decision, n in db.session.execute(query)})
    counts["errors"] = batch.error_rows
    return counts
