"""The reviewer's steps on a staged batch: the decisions posted from the preview, and the
preconditions of the commit.

The web views parse the forms and show the outcome; the rules are here. Each step checks who
may take it (the policy) and whether the batch is at that step (its state), as the views do.
"""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa
from flask_babel import gettext as _

from directory import policy
from directory.core.errors import ValidationError
from directory.extensions import db
from directory.imports import commit as commit_service
from directory.imports.batches import decision_counts, require_committable
from directory.imports.business_rows import merge_candidates
from directory.imports.consent import attest_consent
from directory.imports.merge import set_decision
from directory.imports.models import ImportBatch, ImportRow


def apply_decisions(batch: ImportBatch, choices: Mapping[str, str], by) -> int:
    """Record the reviewer's choices from the preview, ``{row id: create | skip | merge}``; commits.

    Rows of other batches are ignored. A row keeps its decision when the choice is unchanged
    or ``merge`` (a merge is set up on the merge screen, field by field) — except in a batch of
    businesses, where ``merge`` completes the first registered business the row matches that
    the reviewer may edit. Returns how many rows were refused: a row with errors cannot be
    imported and stays skipped.
    """
    policy.require(by, "import.commit", batch)
    require_committable(batch)
    rows = db.session.scalars(
        sa.select(ImportRow).where(ImportRow.batch_id == batch.id, ImportRow.id.in_(list(choices)))
    ).all()
    refused = 0
    for row in rows:
        choice = choices[row.id]
        if choice == row.decision or (choice == "merge" and not batch.of_businesses):
            continue
        try:
            if choice == "merge":
                _merge_business(row, by)
            else:
                set_decision(row, choice, by)
        except ValidationError:
            refused += 1
    db.session.commit()
    return refused


def _merge_business(row: ImportRow, by) -> None:
    if row.has_errors:
        raise ValidationError({"decision": _("A row with errors cannot be imported.")})
    targets = merge_candidates(row, by)
    if not targets:
        raise ValidationError({"decision": "merge"})
    row.decision, row.merge_target_id, row.merge_choices = "merge", targets[0].id, {}


class CommitRefused(Exception):
    """The commit cannot start; nothing was changed. ``message`` is in the user's language."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def start_commit(batch: ImportBatch, by, *, skip_errors: bool, evidence: dict | None) -> int:
    """Check the commit's preconditions, keep the consent attestation and claim the batch.

    ``skip_errors``: the reviewer confirmed that the rows with errors are left out;
    ``evidence``: how and when the people in the file gave consent (None: the file's consent
    column is ignored). Returns how many rows the commit will write when this call moved the
    batch to ``committing`` (the caller then runs :func:`commit.commit_batch`), or 0 when the
    batch is not, or no longer, ready: its commit is under way and the status page shows it.

    Raises :class:`CommitRefused` (rows with errors not confirmed, or no row to import) or
    ``ValidationError`` for an attestation that is not valid; nothing is kept then.
    """
    policy.require(by, "import.commit", batch)
    require_committable(batch)
    if not batch.in_review:
        return 0
    counts = decision_counts(batch)
    if counts["errors"] and not skip_errors:
        raise CommitRefused(
            "errors_not_confirmed",
            _(
                "Confirm that the rows with errors will be left out, or fix the file and upload "
                "it again."
            ),
        )
    size = counts["create"] + counts["merge"]
    if size == 0:
        raise CommitRefused("nothing_to_import", _("No row is marked to be imported."))
    try:
        attest_consent(batch, evidence, by)
    except ValidationError:
        db.session.rollback()
        raise
    db.session.commit()
    return size if commit_service.claim_commit(batch, by) else 0
