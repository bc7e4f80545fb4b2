"""Two real requests at the same moment: the harness of every race test.

Each request is a real HTTP call through its own thread and test client (its own application
context and database session), on the suite's database and on PostgreSQL (the ``race_app``
fixture in tests/conftest.py). A start barrier releases the calls together; each domain's test
adds its own barrier inside the step it races (after the check, before the first write).
"""

from __future__ import annotations

import threading

from directory.accounts.tokens import create_token
from directory.extensions import db


def bearer(user) -> dict:
    """Headers carrying a fresh API token of ``user``, answers in English (committed)."""
    _token, raw = create_token(user)
    db.session.commit()
    return {"Authorization": f"Bearer {raw}", "Accept-Language": "en"}


def together(calls) -> list:
    """POST ``calls`` [(client, path, kwargs)] at once, one thread each; the responses (or the
    exception a call raised), in the order of ``calls``."""
    start = threading.Barrier(len(calls), timeout=20)
    responses: list = [None] * len(calls)

    def run(index, client, path, kwargs):
        try:
            start.wait()
            responses[index] = client.post(path, **kwargs)
        except Exception as exc:  # noqa: BLE001 - reported by the caller's assertions
            responses[index] = exc

    db.session.commit()  # the test's own session holds nothing while the requests run
    threads = [threading.Thread(target=run, args=(i, *call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return responses


def statuses(responses) -> list:
    """The sorted status codes (or the repr of an exception), for one assertion."""
    return sorted(getattr(r, "status_code", repr(r)) for r in responses)
