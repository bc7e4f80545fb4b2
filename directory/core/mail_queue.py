"""Mail the SMTP server did not take: kept in the database and retried by the worker.

:func:`directory.core.mail.deliver` hands a message here when the server cannot be reached or
refuses it for now; ``flask mail retry`` (every minute in the worker) sends the due ones again,
backing off from one minute to an hour, and gives up after ``MAIL_MAX_ATTEMPTS`` (logged). A
message is deleted once sent: the queue holds addresses and texts only as long as needed.
Each row is claimed before it is sent, so two workers never send the same message.
"""

from __future__ import annotations

import email
import email.policy
import logging
import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, Session, mapped_column

from directory.core.models import UTCDateTime, new_id, utcnow
from directory.extensions import db

log = logging.getLogger(__name__)

# Errors worth trying again: the server unreachable, or refusing for now.
TRANSIENT_ERRORS = (OSError, smtplib.SMTPException)
FIRST_DELAY = timedelta(minutes=1)
LONGEST_DELAY = timedelta(hours=1)
KEEP_GIVEN_UP = timedelta(days=30)


class QueuedMail(db.Model):
    __tablename__ = "mail_queue"

    id: Mapped[str] = mapped_column(sa.String(16), primary_key=True, default=new_id)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    message: Mapped[bytes] = mapped_column(sa.LargeBinary)
    attempts: Mapped[int] = mapped_column(sa.Integer, default=1)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    last_error: Mapped[str | None] = mapped_column(sa.String(200))
    gave_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


def _delay(attempts: int) -> timedelta:
    return min(FIRST_DELAY * (2 ** max(attempts - 1, 0)), LONGEST_DELAY)


def _error(exc: BaseException) -> str:
    # The exception's type and SMTP code only: its text may quote the address.
    code = getattr(exc, "smtp_code", None)
    return f"{type(exc).__name__}{f' {code}' if code else ''}"[:200]


def _server_unreachable(exc: BaseException) -> bool:
    """The server did not answer at all (rather than refusing this one message)."""
    return not isinstance(exc, smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused)


def _caller_holds_sqlite_write_lock() -> bool:
    """SQLite has one writer: while the caller's transaction has written (a token issued
    before its email is sent), another connection waits for it, then fails."""
    session = db.session()
    if db.engine.dialect.name != "sqlite" or not session.in_transaction():
        return False
    dbapi = session.connection().connection.dbapi_connection
    return bool(getattr(dbapi, "in_transaction", False))


def enqueue(msg: EmailMessage, exc: BaseException) -> str:
    """Keep ``msg`` for a later attempt, in a transaction of its own (the caller's is left
    alone: mail is sent after its commit). Returns the row's id.

    On SQLite, when the caller's transaction has already written (it sends before it
    commits), the row joins that transaction instead: a second writer would only wait for it
    and fail, and the message goes with the change it announces.
    """
    now = utcnow()
    row = QueuedMail(
        message=bytes(msg),
        attempts=1,
        next_attempt_at=now + _delay(1),
        last_error=_error(exc),
        created_at=now,
    )
    if _caller_holds_sqlite_write_lock():
        db.session.add(row)
        db.session.flush()
        return row.id
    with Session(bind=db.engine) as session:
        session.add(row)
        session.commit()
        return row.id


def _claim(session: Session, row, now: datetime) -> bool:
    """Move the row's next attempt an hour on before sending it; False when another worker
    did first (then it is not due any more). A worker dying mid-send leaves it for an hour."""
    taken = session.execute(
        sa.update(QueuedMail)
        .where(
            QueuedMail.id == row.id,
            QueuedMail.next_attempt_at <= now,
            QueuedMail.gave_up_at.is_(None),
        )
        .values(next_attempt_at=now + LONGEST_DELAY)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return taken.rowcount == 1


def retry_due(limit: int = 100) -> dict[str, int]:
    """Send the queued messages that are due; returns how many were sent, failed again, gave
    up, and are still queued."""
    from directory.core.mail import smtp_send

    max_attempts = int(current_app.config.get("MAIL_MAX_ATTEMPTS") or 8)
    counts = {"sent": 0, "failed": 0, "gave_up": 0}
    now = utcnow()
    with Session(bind=db.engine, expire_on_commit=False) as session:
        due = session.execute(
            sa.select(
                QueuedMail.id, QueuedMail.message, QueuedMail.attempts, QueuedMail.next_attempt_at
            )
            .where(QueuedMail.gave_up_at.is_(None), QueuedMail.next_attempt_at <= now)
            .order_by(QueuedMail.next_attempt_at, QueuedMail.id)
            .limit(limit)
        ).all()
        session.rollback()
        for row in due:
            if not _claim(session, row, now):
                continue
            msg = email.message_from_bytes(row.message, policy=email.policy.default)
            try:
                smtp_send(msg)
            except TRANSIENT_ERRORS as exc:
                attempts = row.attempts + 1
                values = {"attempts": attempts, "last_error": _error(exc)}
                if attempts >= max_attempts:
                    values["gave_up_at"] = now
                    counts["gave_up"] += 1
                    log.error("mail %s given up after %s attempts", row.id, attempts)
                else:
                    values["next_attempt_at"] = now + _delay(attempts)
                    counts["failed"] += 1
                session.execute(
                    sa.update(QueuedMail).where(QueuedMail.id == row.id).values(**values)
                )
                if _server_unreachable(exc):
                    # The rest would wait for the same timeout: the next round tries them.
                    session.commit()
                    break
            else:
                session.execute(sa.delete(QueuedMail).where(QueuedMail.id == row.id))
                counts["sent"] += 1
            session.commit()
        session.execute(sa.delete(QueuedMail).where(QueuedMail.gave_up_at < now - KEEP_GIVEN_UP))
        session.commit()
        counts["queued"] = session.scalar(
            sa.select(sa.func.count()).where(QueuedMail.gave_up_at.is_(None))
        )
    return counts
