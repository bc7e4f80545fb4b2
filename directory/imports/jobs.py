"""Running import work outside the request: background threads and the command line."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app, g
from flask_babel import force_locale

from directory import audit
from directory.core.bulk import bulk_insert
from directory.core.models import new_id, utcnow
from directory.extensions import db
from directory.imports.analysis import AnalysedRow, analyse_rows
from directory.imports.batches import staged_row
from directory.imports.commit import commit_rows
from directory.imports.consent import attest_consent, consent_audit, consent_yes_rows
from directory.imports.models import ImportBatch, ImportRow
from directory.imports.reader import read_file
from directory.missions.models import Mission
from directory.people.consent import normalize_consent_evidence

# --- running outside the request ------------------------------------------------------------


def run_job(func: Callable, *args) -> None:
    """Run ``func(*args)`` in a background thread with its own app context.

    ``IMPORT_RUN_INLINE`` (tests, small deployments) runs it in the request instead. The thread
    is a daemon: if the server stops mid-way, the transaction is rolled back and the batch can
    be run again with ``flask imports run``.
    """
    app = current_app._get_current_object()
    if app.config.get("IMPORT_RUN_INLINE"):
        func(*args)
        return

    def target():
        with app.app_context():
            g.import_job = True  # an empty ``g`` makes Flask-Babel ignore force_locale
            try:
                batch = db.session.get(ImportBatch, args[0])
                with force_locale(batch.locale if batch is not None else "vi"):
                    func(*args)
            finally:
                db.session.remove()

    threading.Thread(target=target, name=f"import-{args[0]}", daemon=True).start()


# --- the command line -----------------------------------------------------------------------


@dataclass
class CliResult:
    """What ``flask people import`` reports."""

    rows: list[AnalysedRow]
    created: int = 0
    skipped: int = 0
    committed: bool = False
    batch_id: str | None = None
    consent_column: bool = False
    consent_yes: int = 0  # rows saying yes (recorded only with the attestation)
    consent_recorded: bool = False


def import_file_now(
    data: bytes,
    file_name: str,
    mission: Mission,
    by,
    *,
    dry_run: bool = False,
    duplicates: str = "skip",
    sheet_name: str | None = None,
    consent_evidence: dict | None = None,
) -> CliResult:
    """Read, check and (unless ``dry_run`` or any row is rejected) write a file in one go.

    Rows with errors reject the whole file. Duplicates are skipped (``duplicates="skip"``),
    created (``"create"``) or reject the file (``"fail"``). Nothing is written when rejected.
    The consent column is recorded only with ``consent_evidence`` (``{"source", "date",
    "reference"}``, checked before anything is read); otherwise it is ignored.
    """
    evidence = normalize_consent_evidence(consent_evidence) if consent_evidence else None
    sheet = read_file(
        data,
        file_name,
        max_bytes=current_app.config["IMPORT_MAX_BYTES"],
        sheet_name=sheet_name,
        kind="people",  # ``flask people import``: a file of people, whatever its headers
    )
    rows = analyse_rows(sheet, mission)
    result = CliResult(rows=rows)
    result.consent_column = "consent_listed" in (sheet.columns or [])
    result.consent_yes = consent_yes_rows(rows)
    result.consent_recorded = evidence is not None and result.consent_column
    rejected = any(r.has_errors for r in rows) or (
        duplicates == "fail" and any(r.matches for r in rows)
    )
    for r in rows:
        if r.matches and not r.has_errors:
            r.decision = "create" if duplicates == "create" else "skip"
    result.created = sum(1 for r in rows if r.decision == "create" and not r.has_errors)
    result.skipped = len(rows) - result.created
    if rejected or dry_run:
        return result
    batch = ImportBatch(
        id=new_id(),
        file_name=os.path.basename(file_name)[:255],
        file_format=sheet.file_format,
        sheet_name=sheet_name,
        mission_id=mission.id,
        uploaded_by_id=getattr(by, "id", None),
        status="done",
        details={**sheet.details, "headers": sheet.headers, "columns": sheet.columns, "cli": True},
        unknown_columns=sheet.unknown_columns,
        total_rows=len(rows),
        processed_rows=len(rows),
        committed_at=utcnow(),
    )
    if evidence is not None:
        attest_consent(batch, consent_evidence, by)
    db.session.add(batch)
    db.session.flush()
    try:
        counts = commit_rows(
            batch,
            (
                {
                    "row_number": r.row_number,
                    "values": r.values,
                    "decision": r.decision,
                    "person_id": r.person_id,
                    "merge_target_id": None,
                    "merge_choices": {},
                }
                for r in rows
                if not r.has_errors and r.decision == "create"
            ),
            by,
            evidence=evidence,
        )
        bulk_insert(ImportRow, [staged_row(batch.id, r) for r in rows])
        batch.created_count = counts["created"]
        batch.skipped_count = len(rows) - counts["created"]
        audit.record(
            "import.commit",
            batch,
            actor=by,
            details={
                "created": counts["created"],
                "skipped": batch.skipped_count,
                "cli": True,
                **consent_audit(evidence, counts["listed"], counts["consent_ignored"]),
            },
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    result.committed = True
    result.batch_id = batch.id
    return result
