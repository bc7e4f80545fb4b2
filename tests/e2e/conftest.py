"""Browser tests: the real app on a live port, driven by Debian's Chromium through Playwright.

One server per session: a fresh SQLite file, ``seed-demo --people 60``, CSRF on (as in
production), fast password hashing. Skipped when Chromium is missing, unless
``REQUIRE_BROWSER=1``. Playwright's own browser downloads are never used.
"""

from __future__ import annotations

import email
import os
import re
import socket
import threading
from email import policy
from pathlib import Path

import pytest

from directory import create_app
from tests.conftest import next_totp_code
from tests.conftest import test_config as base_config
from tests.e2e import pagechecks

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _unavailable(reason: str):
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """The running app: its base URL, instance folder and app object."""

    def __init__(self, app, url: str):
        self.app = app
        self.url = url
        self.mail_dir = Path(app.instance_path) / "mail"

    def messages_to(self, address: str) -> list[email.message.EmailMessage]:
        """The ``.eml`` messages written for ``address``, oldest first."""
        if not self.mail_dir.is_dir():
            return []
        found = []
        for path in sorted(self.mail_dir.glob("*.eml"), key=os.path.getmtime):
            with path.open("rb") as fh:
                msg = email.message_from_binary_file(fh, policy=policy.default)
            if address.lower() in str(msg["To"]).lower():
                found.append(msg)
        return found

    def totp_code(self, address: str) -> str:
        """A second-factor code that the account ``address`` may sign in with now (the demo
        officials are enrolled with the secrets the README lists)."""
        import sqlalchemy as sa

        from directory.accounts.models import User
        from directory.extensions import db

        with self.app.app_context():
            try:
                user = db.session.scalar(sa.select(User).where(User.email == address.lower()))
                assert user is not None, f"no account {address}"
                return next_totp_code(user)
            finally:
                db.session.remove()

    def link_in_last_message(self, address: str, path_prefix: str) -> str:
        """The first ``<url><path_prefix>…`` link of the newest message to ``address``."""
        messages = self.messages_to(address)
        assert messages, f"no message was written for {address}"
        body = messages[-1].get_body(preferencelist=("plain",)).get_content()
        match = re.search(re.escape(self.url + path_prefix) + r"[^\s<>\"]+", body)
        assert match, f"no {path_prefix} link in: {body}"
        return match.group(0)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The app with the demo data, served on 127.0.0.1:<free port> in a thread."""
    if not os.path.exists(CHROMIUM):
        _unavailable(f"{CHROMIUM} is not installed")
    from werkzeug.serving import make_server

    from directory.extensions import db

    instance = tmp_path_factory.mktemp("e2e-instance")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    app = create_app(
        base_config(
            str(instance),
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{instance / 'e2e.sqlite3'}",
            WTF_CSRF_ENABLED=True,
            SERVER_NAME=None,
            BASE_URL=url,
            TESTING=False,
        )
    )
    with app.app_context():
        db.create_all()
        result = app.test_cli_runner().invoke(args=["seed-demo", "--people", "60"])
        assert result.exit_code == 0, result.output
        db.session.remove()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(app, url)
    server.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser(live_server):
    """Chromium, headless, launched once."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, request):
    """``new_page(locale="vi-VN")``: a page in its own browser context (own cookies).

    Every document the page loads is checked (``tests/e2e/pagechecks.py``: axe-core, no sideways
    scrolling on a phone, no English form default in Vietnamese); at the end the
    journey's last page is kept as a screenshot in ``test-artifacts/screenshots``.
    """
    contexts, pages = [], []

    def make(locale: str = "vi-VN", **options):
        context = browser.new_context(locale=locale, accept_downloads=True, **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        pages.append(pagechecks.CheckedPage(context.new_page()))
        return pages[-1]

    yield make
    try:
        pagechecks.finish(pages, request.node)
    finally:
        for context in contexts:
            context.close()


@pytest.fixture
def sign_in(live_server):
    """``sign_in(page, email, password)``: the login form, as a person would fill it, then,
    for officials, the code their authenticator app shows (computed from their secret)."""

    def do(page, address: str, password: str) -> None:
        page.goto(f"{live_server.url}/login")
        form = page.locator("form[action$='/login']")
        form.locator("input[name=email]").fill(address)
        form.locator("input[name=password]").fill(password)
        form.locator("[type=submit]").click()
        page.wait_for_load_state()
        if page.url.split("?")[0].endswith("/login/code"):
            step = page.locator("form[action$='/login/code']").first
            step.locator("input[name=code]").fill(live_server.totp_code(address))
            step.locator("[type=submit]").click()
            page.wait_for_load_state()
        assert page.locator(".nav-logout").count() == 1, page.content()

    return do
