"""Fault fixtures: servers the tests stop and start themselves.

- :class:`ThrowawayPostgres`: a PostgreSQL cluster of its own (``initdb`` in a temporary
  folder, a free port), never the shared server; run as the ``postgres`` user when the tests
  run as root (PostgreSQL refuses to run as root).
- :class:`SmtpSink`: a small SMTP server that keeps every message it accepts.
- :func:`serve`: the application on a real HTTP server in a thread (requests in flight are
  real connections, as in production).

Every test here is marked ``faults`` (``pytest -m faults`` runs them alone); they run in the
ordinary suite too, so in CI.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import glob
import os
import shutil
import socket
import socketserver
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest


def pytest_collection_modifyitems(config, items):
    here = str(Path(__file__).parent)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.faults)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- a PostgreSQL cluster of the test's own ---------------------------------------------------


def postgres_bindir() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return os.path.dirname(found[-1])
    initdb = shutil.which("initdb")
    return os.path.dirname(initdb) if initdb else None


class ThrowawayPostgres:
    """``initdb`` + ``pg_ctl`` in a temporary folder, listening on 127.0.0.1:<free port>."""

    def __init__(self, bindir: str):
        self.bindir = bindir
        self.workdir = Path(tempfile.mkdtemp(prefix="kieubao-pg-"))
        self.data = self.workdir / "data"
        self.log = self.workdir / "postgres.log"
        self.port = free_port()
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.workdir, "postgres", "postgres")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, timeout: float = 60) -> None:
        command = [os.path.join(self.bindir, args[0]), *args[1:]]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=timeout)

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.workdir} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.log), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        """``fast``: clients are disconnected and their transactions rolled back."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            self.stop("immediate")
        shutil.rmtree(self.workdir, ignore_errors=True)


@pytest.fixture(scope="module")
def throwaway_postgres():
    """A PostgreSQL cluster the test may stop and start (skip without the binaries, unless
    ``REQUIRE_POSTGRES=1``, which fails)."""
    bindir = postgres_bindir()
    if bindir is None or (os.geteuid() == 0 and shutil.which("runuser") is None):
        message = "PostgreSQL server binaries (initdb, pg_ctl) not found"
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    cluster = ThrowawayPostgres(bindir)
    try:
        cluster.init()
        cluster.start()
    except subprocess.CalledProcessError as exc:
        cluster.destroy()
        pytest.fail(f"could not start a throw-away PostgreSQL: {exc.stderr.decode()[-500:]}")
    yield cluster
    cluster.destroy()


# --- the application on a real HTTP server ----------------------------------------------------


@contextlib.contextmanager
def serve(app):
    """Serve ``app`` on 127.0.0.1:<free port> with threads; yields the base URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="faults-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


# --- an SMTP server that keeps what it accepts ------------------------------------------------


class _SmtpHandler(socketserver.StreamRequestHandler):
    timeout = 10

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode("ascii") + b"\r\n")
        self.wfile.flush()

    def handle(self) -> None:
        sink: SmtpSink = self.server.sink  # type: ignore[attr-defined]
        self.reply("220 sink ESMTP")
        sender, recipients = None, []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            verb = line.decode("ascii", "replace").strip().split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.wfile.write(b"250-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
                self.wfile.flush()
            elif verb == "MAIL":
                sender, recipients = line, []
                self.reply("250 ok")
            elif verb == "RCPT":
                recipients.append(line.decode("utf-8").split(":", 1)[1].strip().strip("<>"))
                self.reply("250 ok")
            elif verb == "DATA":
                self.reply("354 go on")
                body = []
                while (part := self.rfile.readline()) not in (b".\r\n", b""):
                    body.append(part[1:] if part.startswith(b"..") else part)
                sink.accept(sender, recipients, b"".join(body))
                self.reply("250 queued")
            elif verb == "RSET":
                sender, recipients = None, []
                self.reply("250 ok")
            elif verb == "NOOP":
                self.reply("250 ok")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 not implemented")


class SmtpSink:
    """A local SMTP server on a fixed port that can be down (nothing listens) and up."""

    def __init__(self):
        self.port = free_port()
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []
        self._lock = threading.Lock()
        self._server: socketserver.ThreadingTCPServer | None = None
        self._thread: threading.Thread | None = None

    def accept(self, _sender, recipients: list[str], data: bytes) -> None:
        msg = email.message_from_bytes(data, policy=email.policy.default)
        with self._lock:
            self.messages.append((recipients, msg))

    def up(self) -> None:
        socketserver.ThreadingTCPServer.allow_reuse_address = True
        server = socketserver.ThreadingTCPServer(("127.0.0.1", self.port), _SmtpHandler)
        server.daemon_threads = True
        server.sink = self  # type: ignore[attr-defined]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()

    def down(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=10)
        self._server = self._thread = None


@pytest.fixture
def smtp_sink():
    sink = SmtpSink()
    yield sink
    sink.down()


def wait_until(predicate, timeout: float = 30.0, interval: float = 0.05):
    """Poll ``predicate`` until it is true (returns its value) or fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"not true after {timeout} s: {predicate}")
