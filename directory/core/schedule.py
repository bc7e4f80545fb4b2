"""The application's periodic jobs, run by the worker (``flask search worker``).

Each domain registers its own in its ``init_app`` with :func:`register`: a name (the CLI
command that does the same once), how often it runs, and a function doing one round in an
application context that returns a line to print (or None when there was nothing to do).
One worker process runs them (docker-compose's ``worker`` service); the commands stay
available to run by hand or from cron.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask


@dataclass(frozen=True)
class Job:
    name: str  # the CLI command doing one round, e.g. "contact-requests expire"
    every: float  # seconds between two rounds
    run: Callable[[], str | None]


def register(app: Flask, name: str, every: float, run: Callable[[], str | None]) -> None:
    """Run ``run`` every ``every`` seconds in the worker."""
    app.extensions.setdefault("scheduled_jobs", []).append(Job(name, every, run))


def jobs(app: Flask) -> list[Job]:
    return list(app.extensions.get("scheduled_jobs", []))


def periodic(app: Flask, job: Job, echo: Callable[[str], object] = print):
    """A chore for the worker's loop: ``job``, at most once every ``job.every`` seconds (the
    first call runs it)."""
    last = [float("-inf")]

    def run() -> None:
        now = time.monotonic()
        if now - last[0] < job.every:
            return
        last[0] = now
        with app.app_context():
            line = job.run()
        if line:
            echo(f"{job.name}: {line}")

    run.job = job  # type: ignore[attr-defined]
    return run
