"""Keeping the index in step with the database: outbox, worker, inline sync, rebuild.

- Every change to an indexed record writes a :class:`SearchOutbox` row in the same
  transaction (services call :func:`directory.search.outbox.enqueue`; the ``before_flush``
  listener below adds the row for any changed record of a kind the domains registered, see
  :func:`directory.search.outbox.index_changes` and :func:`directory.search.outbox.watch`).
- With the embedded engine the rows are applied right after the commit (``after_commit``,
  config ``SEARCH_SYNC_INLINE``), in a separate session; a failure is recorded on the row and
  never undoes the user's change.
- ``flask search worker`` applies due rows in batches, with exponential backoff on failure
  (``attempts``, ``next_attempt_at``, ``last_error``): with Meilisearch down, edits still commit
  and the worker catches up when it is back.
- ``flask search reindex`` rebuilds the index from the database and swaps it in, then
  re-applies the rows written while it ran.
"""

from __future__ import annotations

import fcntl
import logging
import time
from collections import OrderedDict
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from directory.core.models import utcnow
from directory.extensions import db
from directory.search import documents
from directory.search.outbox import (
    INFO_BULK,
    INFO_KEYS,
    SearchOutbox,
    enqueue_in,
    stale_documents,
)

log = logging.getLogger(__name__)

BATCH_SIZE = 200
MAX_BACKOFF_SECONDS = 600
_INFO_IDS = "search_outbox_ids"


# --- the session's hooks --------------------------------------------------------------------


def _before_flush(session, _context, _instances) -> None:
    for obj in [*session.new, *session.dirty, *session.deleted]:
        for entity_type, entity_id in stale_documents(session, obj):
            enqueue_in(session, entity_type, entity_id)


def _after_flush(session, _context) -> None:
    ids = session.info.setdefault(_INFO_IDS, [])
    for obj in session.new:
        if isinstance(obj, SearchOutbox) and obj.id is not None:
            ids.append(obj.id)
    session.info.pop(INFO_KEYS, None)


def _after_commit(session) -> None:
    session.info.pop(INFO_KEYS, None)
    ids = session.info.pop(_INFO_IDS, None) or []
    bulk = session.info.pop(INFO_BULK, False)
    if not (ids or bulk) or not has_app_context():
        return
    app = current_app._get_current_object()
    if not inline_enabled(app):
        return
    apply_inline(app, ids)


def apply_inline(app, ids: list[int]) -> int:
    """Apply these rows now, batch after batch until none is left, then any other due row.

    The embedded engine has no worker: a transaction that wrote more rows than one batch (a
    seed, an import, a bulk verification) must still be searchable when its request returns,
    and rows left by an earlier failure are retried by the next commit. Never raises: the
    user's change is committed; a failure stays recorded on the rows.
    """
    applied = 0
    try:
        for start in range(0, len(ids), BATCH_SIZE):
            applied += apply_rows(app, ids=ids[start : start + BATCH_SIZE])
        while n := apply_rows(app):
            applied += n
    except Exception:  # noqa: BLE001 - retried by the next commit or by the worker
        log.exception("inline search sync failed; the next commit or the worker will retry")
    return applied


def _after_rollback(session) -> None:
    session.info.pop(INFO_KEYS, None)
    session.info.pop(_INFO_IDS, None)
    session.info.pop(INFO_BULK, None)


_LISTENING = False


def listen() -> None:
    """Register the session listeners once (they act only on Flask-SQLAlchemy's session)."""
    global _LISTENING
    if _LISTENING:
        return
    sa.event.listen(db.session, "before_flush", _before_flush)
    sa.event.listen(db.session, "after_flush", _after_flush)
    sa.event.listen(db.session, "after_commit", _after_commit)
    sa.event.listen(db.session, "after_soft_rollback", lambda s, _t: _after_rollback(s))
    _LISTENING = True


def inline_enabled(app) -> bool:
    """Inline sync applies to the embedded engine (Meilisearch is fed by the worker)."""
    return bool(app.config.get("SEARCH_SYNC_INLINE")) and app.config["SEARCH_BACKEND"] == "sqlite"


# --- applying outbox rows -------------------------------------------------------------------


def _backoff(app, attempts: int) -> timedelta:
    base = float(app.config.get("SEARCH_RETRY_BASE_SECONDS", 2.0))
    return timedelta(seconds=min(base * (2 ** (attempts - 1)), MAX_BACKOFF_SECONDS))


def _documents(app, session: Session, rows: list[SearchOutbox]) -> tuple[list[dict], list[str]]:
    """The documents of the rows' entities (latest state), and the ids to delete."""
    by_type: dict[str, list[str]] = OrderedDict()
    for row in rows:
        ids = by_type.setdefault(row.entity_type, [])
        if row.entity_id not in ids:
            ids.append(row.entity_id)
    upserts, deletes = [], []
    for entity_type, ids in by_type.items():
        docs, gone = documents.build(session, entity_type, ids)
        upserts.extend(docs)
        deletes.extend(gone)
    return upserts, deletes


def _due(ids: list[int] | None, limit: int, dialect: str):
    stmt = sa.select(SearchOutbox).where(SearchOutbox.done_at.is_(None))
    if ids is not None:
        stmt = stmt.where(SearchOutbox.id.in_(ids))
    else:
        now = utcnow()
        stmt = stmt.where(
            sa.or_(SearchOutbox.next_attempt_at.is_(None), SearchOutbox.next_attempt_at <= now)
        )
    stmt = stmt.order_by(SearchOutbox.id).limit(limit)
    if dialect == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return stmt


def apply_rows(app, ids: list[int] | None = None, limit: int = BATCH_SIZE) -> int:
    """Apply pending rows (these ``ids``, or the next due batch); returns how many were done.

    On failure every row of the batch gets ``attempts + 1``, ``last_error`` and a
    ``next_attempt_at`` that doubles with each attempt, and the error is raised.
    """
    from search_index import get_backend

    backend = get_backend(app)
    engine = db.engine
    if getattr(backend, "shares_engine", None) and backend.shares_engine(engine):
        # The embedded index lives in the application database: one transaction for both.
        row_ids: list[int] = []
        try:
            with engine.begin() as conn, Session(bind=conn) as session:
                rows = list(session.scalars(_due(ids, limit, engine.dialect.name)))
                row_ids = [r.id for r in rows]
                if not rows:
                    return 0
                upserts, deletes = _documents(app, session, rows)
                backend.apply(conn, upserts, deletes)
                _mark_done(rows)
                session.flush()
                return len(rows)
        except Exception as exc:
            if row_ids:
                with Session(bind=engine) as session:
                    _record_failure(app, session, row_ids, exc)
            raise
    with Session(bind=engine, expire_on_commit=False) as session:
        rows = list(session.scalars(_due(ids, limit, engine.dialect.name)))
        if not rows:
            return 0
        try:
            upserts, deletes = _documents(app, session, rows)
            backend.upsert(upserts)
            backend.delete(deletes)
        except Exception as exc:
            session.rollback()
            _record_failure(app, session, [r.id for r in rows], exc)
            raise
        _mark_done(rows)
        session.commit()
        return len(rows)


def _mark_done(rows: list[SearchOutbox]) -> None:
    done = utcnow()
    for row in rows:
        row.done_at = done
        row.last_error = None


def _record_failure(app, session: Session, ids: list[int], exc: Exception) -> None:
    rows = session.scalars(sa.select(SearchOutbox).where(SearchOutbox.id.in_(ids)))
    for row in rows:
        row.attempts = (row.attempts or 0) + 1
        row.last_error = f"{type(exc).__name__}: {exc}"[:1000]
        row.next_attempt_at = utcnow() + _backoff(app, row.attempts)
    session.commit()


def drain(app, limit: int = BATCH_SIZE) -> tuple[int, int]:
    """Apply every due row now; returns (applied, failed batches). Never raises."""
    with app.app_context():
        return _drain(app, limit)


def _drain(app, limit: int) -> tuple[int, int]:
    applied = failed = 0
    while True:
        try:
            n = apply_rows(app, limit=limit)
        except Exception:  # noqa: BLE001
            log.exception("search outbox batch failed")
            failed += 1
            break
        if not n:
            break
        applied += n
    purge_done(app)
    return applied, failed


def purge_done(app, keep: timedelta = timedelta(days=7)) -> None:
    """Forget rows applied more than ``keep`` ago."""
    with Session(bind=db.engine) as session:
        session.execute(sa.delete(SearchOutbox).where(SearchOutbox.done_at < utcnow() - keep))
        session.commit()


def pending_count() -> int:
    """Rows not applied yet."""
    return backlog()["pending"]


def backlog() -> dict:
    """The outbox's state: rows not applied yet, those that failed at least once, and the age
    in seconds of the oldest pending row (0 when none)."""
    pending = SearchOutbox.done_at.is_(None)
    with Session(bind=db.engine) as session:
        count, oldest = session.execute(
            sa.select(sa.func.count(), sa.func.min(SearchOutbox.created_at)).where(pending)
        ).one()
        failing = session.scalar(
            sa.select(sa.func.count()).where(pending, SearchOutbox.attempts > 0)
        )
    age = 0.0
    if oldest is not None:
        if oldest.tzinfo is None:  # SQLite hands back naive UTC
            oldest = oldest.replace(tzinfo=utcnow().tzinfo)
        age = max(0.0, (utcnow() - oldest).total_seconds())
    return {"pending": count, "failing": failing, "oldest_pending_seconds": round(age, 1)}


def run_worker(
    app, once: bool = False, interval: float = 1.0, echo=print, chores: tuple = ()
) -> int:
    """Apply rows as they come (``once``: drain and return how many batches failed).

    ``chores``: callables run after each round (the application's periodic jobs); one that
    fails is logged and the worker goes on.
    """
    from search_index import get_backend

    try:
        get_backend(app).configure()
    except Exception as exc:  # noqa: BLE001 - the engine may come back later
        echo(f"search engine not ready: {exc}")
    while True:
        applied, failed = drain(app)
        if applied or failed:
            echo(f"applied {applied} index changes; {failed} failed batches")
        for chore in chores:
            try:
                chore()
            except Exception as exc:  # noqa: BLE001 - a chore never stops the index worker
                echo(f"periodic job failed: {exc!r}")
        if once:
            return failed
        time.sleep(interval)


# The PostgreSQL advisory lock that one reindex holds while it runs (any fixed number).
REINDEX_LOCK_KEY = 7_431_002


class ReindexRunning(RuntimeError):
    """Another reindex holds the lock: two rebuilds at once would swap half-built indexes."""


@contextmanager
def only_one_reindex(app):
    """Hold the reindex lock, or raise :class:`ReindexRunning` at once.

    PostgreSQL: a session-level advisory lock on a connection kept for the rebuild (every
    host of the deployment sees it; it falls with the connection if the process dies).
    SQLite: an exclusive ``flock`` on ``reindex.lock`` in the instance folder (one host, as
    SQLite is; the kernel drops it with the process).
    """
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as conn:
            got = conn.scalar(
                sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": REINDEX_LOCK_KEY}
            )
            conn.commit()  # idle, not idle in a transaction, while the rebuild runs
            if not got:
                raise ReindexRunning
            try:
                yield
            finally:
                conn.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": REINDEX_LOCK_KEY})
                conn.commit()
        return
    folder = Path(app.instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "reindex.lock").open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ReindexRunning from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def reindex(app, batch_size: int = 1000, echo=print) -> int:
    """Rebuild the index from the database and swap it in; returns the number of documents.

    One at a time: while another reindex runs, raises :class:`ReindexRunning` and changes
    nothing (the index being built and the one serving stay as they are)."""
    with app.app_context(), only_one_reindex(app):
        return _reindex(app, batch_size, echo)


def _reindex(app, batch_size: int, echo) -> int:
    from search_index import get_backend

    backend = get_backend(app)
    with Session(bind=db.engine) as session:
        marker = session.scalar(sa.select(sa.func.max(SearchOutbox.id))) or 0
    count = 0

    def batches():
        nonlocal count
        with Session(bind=db.engine) as session:
            for batch in documents.all_documents(session, batch_size=batch_size):
                count += len(batch)
                yield batch

    backend.configure()
    backend.rebuild(batches())
    # Changes committed while the rebuild ran may have reached only the old index.
    with Session(bind=db.engine) as session:
        session.execute(
            sa.update(SearchOutbox)
            .where(SearchOutbox.id > marker)
            .values(done_at=None, next_attempt_at=None)
        )
        session.commit()
    _drain(app, BATCH_SIZE)
    echo(f"indexed {count} documents")
    return count
