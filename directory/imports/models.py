"""Import batches (CSV/XLSX uploads awaiting preview, dedupe and commit) and their rows."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.core.models import TimestampMixin, UTCDateTime, new_id
from directory.extensions import db

if TYPE_CHECKING:  # annotations only: importing these at run time would make import cycles
    from directory.accounts.models import User
    from directory.missions.models import Mission


# queued -> reading -> ready (preview) -> committing -> done; failed when the file is refused
# (nothing staged) ; a failed commit goes back to ready with ``error_code`` set.
BATCH_STATUSES = ("queued", "reading", "ready", "committing", "done", "failed")
DECISIONS = ("create", "merge", "skip")
# What a batch's rows are: people (profiles) or diaspora businesses.
BATCH_KINDS = ("people", "businesses")


class ImportBatch(TimestampMixin, db.Model):
    """One uploaded file, from upload to commit."""

    __tablename__ = "import_batches"

    id: Mapped[str] = mapped_column(sa.String(16), primary_key=True, default=new_id)
    file_name: Mapped[str] = mapped_column(sa.String(255))
    file_format: Mapped[str | None] = mapped_column(sa.String(10))  # csv | xlsx
    sheet_name: Mapped[str | None] = mapped_column(sa.String(100))
    mission_id: Mapped[str] = mapped_column(sa.ForeignKey("missions.id"), index=True)
    uploaded_by_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    locale: Mapped[str] = mapped_column(sa.String(5), default="vi")
    # Chosen on upload, or detected from the headers when the file is read.
    kind: Mapped[str] = mapped_column(sa.String(12), default="people", server_default="people")
    status: Mapped[str] = mapped_column(sa.String(12), default="queued", index=True)
    # Reading details: encoding, delimiter, headers as given and what they matched.
    details: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    unknown_columns: Mapped[list] = mapped_column(sa.JSON, default=list)
    total_rows: Mapped[int] = mapped_column(sa.Integer, default=0)
    processed_rows: Mapped[int] = mapped_column(sa.Integer, default=0)
    error_rows: Mapped[int] = mapped_column(sa.Integer, default=0)
    warning_rows: Mapped[int] = mapped_column(sa.Integer, default=0)
    duplicate_rows: Mapped[int] = mapped_column(sa.Integer, default=0)
    probable_rows: Mapped[int] = mapped_column(sa.Integer, default=0)
    created_count: Mapped[int] = mapped_column(sa.Integer, default=0)
    merged_count: Mapped[int] = mapped_column(sa.Integer, default=0)
    skipped_count: Mapped[int] = mapped_column(sa.Integer, default=0)
    # A refused file or a failed commit: a message code and its parameters (translated on display).
    error_code: Mapped[str | None] = mapped_column(sa.String(40))
    error_params: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    committed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    committed_by_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    invitation_report: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    mission: Mapped[Mission] = relationship("Mission")
    uploaded_by: Mapped[User | None] = relationship("User", foreign_keys=[uploaded_by_id])

    @property
    def progress(self) -> int:
        """Percentage of rows processed in the current phase."""
        if not self.total_rows:
            return 100 if self.status in ("ready", "done") else 0
        return min(100, int(self.processed_rows * 100 / self.total_rows))

    @property
    def running(self) -> bool:
        return self.status in ("queued", "reading", "committing")

    # Which steps the workflow's state allows; who may take them is the policy's business.

    @property
    def in_review(self) -> bool:
        """The preview is open: the reviewer's decisions may change and the commit may start."""
        return self.status == "ready"

    @property
    def can_commit(self) -> bool:
        """Decisions, merges and the commit belong here: ready, or being committed (a second
        click then finds the commit under way)."""
        return self.status in ("ready", "committing")

    @property
    def is_done(self) -> bool:
        """Committed: the claim invitations may go out."""
        return self.status == "done"

    @property
    def of_businesses(self) -> bool:
        return self.kind == "businesses"

    def __repr__(self) -> str:
        return f"<ImportBatch {self.id} {self.status}>"


class ImportRow(db.Model):
    """One data row of a batch: what was written, what it became, and what to do with it."""

    __tablename__ = "import_rows"

    id: Mapped[str] = mapped_column(sa.String(16), primary_key=True, default=new_id)
    batch_id: Mapped[str] = mapped_column(
        sa.ForeignKey("import_batches.id", ondelete="CASCADE"), index=True
    )
    row_number: Mapped[int] = mapped_column(sa.Integer)  # as the spreadsheet shows it (header = 1)
    raw: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # canonical column -> cell text
    values: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # normalised person fields
    # [{"field", "level": "error"|"warning", "code", "params", "message"}]
    issues: Mapped[list] = mapped_column(sa.JSON, default=list)
    has_errors: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    has_warnings: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    # [{"kind": "duplicate"|"probable", "reason", "person_id"?, "row"?}]
    matches: Mapped[list] = mapped_column(sa.JSON, default=list)
    match_kind: Mapped[str | None] = mapped_column(sa.String(10))  # duplicate | probable
    decision: Mapped[str] = mapped_column(sa.String(10), default="create")
    # The id the new profile (or business, in a batch of businesses) gets, chosen in advance
    # so the commit needs no second pass, or the existing record merged into.
    person_id: Mapped[str | None] = mapped_column(sa.String(16))
    merge_target_id: Mapped[str | None] = mapped_column(sa.String(16))
    merge_choices: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # field -> import|existing
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        sa.Index("ix_import_rows_batch_row", "batch_id", "row_number"),
        sa.CheckConstraint("decision in ('create','merge','skip')", name="decision"),
    )

    @property
    def error_fields(self) -> set[str]:
        return {i["field"] for i in self.issues if i.get("level") == "error"}

    def __repr__(self) -> str:
        return f"<ImportRow {self.batch_id}#{self.row_number} {self.decision}>"
