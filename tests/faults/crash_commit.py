"""Run an import commit in a process that kills itself (SIGKILL) at a given row.

``python -m tests.faults.crash_commit DATABASE_URL INSTANCE BATCH_ID USER_ID KILL_AT CHUNK``:
what a power cut or an OOM kill does to a commit: no exception handler, no rollback, no
cleanup. The bulk writer sends ``CHUNK`` rows at a time; before dying the process prints how
many people its open transaction had already written (``sent N``).
"""

from __future__ import annotations

import os
import signal
import sys


def main(url: str, instance: str, batch_id: str, user_id: str, kill_at: int, chunk: int) -> None:
    import sqlalchemy as sa

    from directory import create_app
    from directory.extensions import db
    from directory.imports import commit
    from directory.people import bulk
    from directory.people.models import Person
    from tests.conftest import test_config

    commit.CHUNK = chunk

    app = create_app(test_config(instance, SQLALCHEMY_DATABASE_URI=url))
    real = bulk.person_row
    seen = [0]

    def dying(*args, **kwargs):
        seen[0] += 1
        if seen[0] == kill_at:
            sent = db.session.scalar(sa.select(sa.func.count()).select_from(Person))
            print(f"sent {sent}", flush=True)
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)

    bulk.person_row = dying
    with app.app_context():
        commit.commit_batch(batch_id, user_id)
    sys.exit("the commit finished: it should have been killed")


if __name__ == "__main__":
    main(*sys.argv[1:5], int(sys.argv[5]), int(sys.argv[6]))
