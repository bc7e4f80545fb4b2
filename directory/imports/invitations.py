"""Claim invitations to the people a batch created or merged."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from directory import audit, policy
from directory.core.errors import ValidationError
from directory.core.models import utcnow
from directory.extensions import db
from directory.imports.batches import require_done
from directory.imports.models import ImportBatch, ImportRow
from directory.people.models import Person

# --- invitations ----------------------------------------------------------------------------


def invitable_people(batch: ImportBatch) -> list[Person]:
    """Imported or merged people of this batch with an email and no account, not yet invited."""
    person_ids = sa.select(
        sa.case(
            (ImportRow.decision == "merge", ImportRow.merge_target_id), else_=ImportRow.person_id
        )
    ).where(
        ImportRow.batch_id == batch.id,
        ImportRow.has_errors.is_(False),
        ImportRow.decision.in_(("create", "merge")),
        ImportRow.invited_at.is_(None),
    )
    from directory.accounts.models import User

    query = (
        sa.select(Person)
        .where(
            Person.id.in_(person_ids),
            Person.email.is_not(None),
            Person.anonymised_at.is_(None),
            ~sa.exists().where(User.person_id == Person.id),
        )
        .order_by(Person.full_name)
    )
    return list(db.session.scalars(query))


def send_invitations(batch: ImportBatch, by, *, limit: int | None = None) -> dict:
    """Send claim invitations to the batch's people, in batches through the mail outbox.

    Returns and stores the report: sent, failed (with the reason per row), remaining.
    """
    from directory.people.claims import send_claim_invitation

    policy.require(by, "import.invite", batch)
    require_done(batch)
    size = limit or current_app.config.get("IMPORT_INVITATION_BATCH", 200)
    people = invitable_people(batch)
    todo, remaining = people[:size], max(0, len(people) - size)
    report = dict(batch.invitation_report or {})
    sent = report.get("sent", 0)
    failures = list(report.get("failures", []))
    batch_id = batch.id
    for person in todo:
        now = utcnow()
        if not policy.can(by, "person.invite", person):
            failures.append({"person_id": person.id, "reason": "not_allowed"})
            outcome = "failed"
        else:
            try:
                send_claim_invitation(person, by)
                sent += 1
                outcome = "sent"
            except ValidationError as exc:
                db.session.rollback()
                failures.append(
                    {"person_id": person.id, "reason": "; ".join(exc.fields.values())[:200]}
                )
                outcome = "failed"
        db.session.execute(
            sa.update(ImportRow)
            .where(
                ImportRow.batch_id == batch_id,
                sa.or_(ImportRow.person_id == person.id, ImportRow.merge_target_id == person.id),
            )
            .values(invited_at=now)
        )
        report = {"sent": sent, "failures": failures[-500:], "last": outcome}
        db.session.execute(
            sa.update(ImportBatch)
            .where(ImportBatch.id == batch_id)
            .values(invitation_report=report)
        )
        db.session.commit()
    report = {
        "sent": sent,
        "failures": failures[-500:],
        "remaining": remaining,
        "at": utcnow().isoformat(),
    }
    batch = db.session.get(ImportBatch, batch_id)
    batch.invitation_report = report
    audit.record(
        "import.invite",
        batch,
        actor=by,
        details={"sent": sent, "failed": len(failures), "remaining": remaining},
    )
    db.session.commit()
    return report
