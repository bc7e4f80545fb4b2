"""Outgoing mail: SMTP when configured, otherwise one ``.eml`` file per message."""

from __future__ import annotations

import logging
import os
import smtplib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app, render_template
from flask_babel import force_locale

log = logging.getLogger(__name__)

# True inside :func:`suppressed`: messages are rendered but not delivered.
_suppressed: ContextVar[bool] = ContextVar("mail_suppressed", default=False)


@contextmanager
def suppressed() -> Iterator[None]:
    """Deliver no mail inside the block (the demo seed: it replays a history through the
    services, and nobody is to be told of it again)."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


def render_message(template: str, locale: str, **context) -> tuple[str, str, str | None]:
    """Render ``templates/<template>.txt`` (and ``.html`` if present) in ``locale``.

    The first line of the text template is ``Subject: …``.
    """
    with force_locale(locale if locale in ("vi", "en") else "vi"):
        text = render_template(f"{template}.txt", locale=locale, **context)
        try:
            html = render_template(f"{template}.html", locale=locale, **context)
        except Exception:  # noqa: BLE001 - the HTML part is optional
            html = None
    first, _, body = text.partition("\n")
    subject = first.removeprefix("Subject:").strip()
    return subject, body.lstrip("\n"), html


def send_mail(to: str, template: str, locale: str = "vi", **context) -> EmailMessage:
    """Render and send one message in the recipient's language; returns the message."""
    subject, body, html = render_message(template, locale, **context)
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = current_app.config["MAIL_FROM"]
    msg["To"] = to
    msg["Message-ID"] = make_msgid(domain="kieubao.local")
    msg.set_content(body)
    if html:
        msg.add_alternative(html, subtype="html")
    # After the body: set_content() clears every Content-* header.
    msg["Content-Language"] = locale
    deliver(msg)
    return msg


def smtp_send(msg: EmailMessage) -> None:
    """Hand one message to the configured SMTP server (raises when it does not take it)."""
    cfg = current_app.config
    timeout = float(cfg.get("MAIL_TIMEOUT") or 30)
    with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=timeout) as smtp:
        if cfg.get("MAIL_USE_TLS"):
            smtp.starttls()
        if cfg.get("MAIL_USERNAME"):
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
        smtp.send_message(msg)


def deliver(msg: EmailMessage) -> None:
    """Hand one message to SMTP, or write it under ``<instance>/mail/`` (nowhere inside
    :func:`suppressed`). When the server cannot be reached or refuses it for now, the message
    is queued in the database and the worker retries it (:mod:`directory.core.mail_queue`)."""
    if _suppressed.get():
        return
    cfg = current_app.config
    if cfg.get("MAIL_SERVER"):
        from directory.core.mail_queue import TRANSIENT_ERRORS, enqueue

        try:
            smtp_send(msg)
        except TRANSIENT_ERRORS as exc:
            queued = enqueue(msg, exc)
            log.warning(
                "mail server did not take a message (%s): queued as %s", type(exc).__name__, queued
            )
        return
    folder = os.path.join(current_app.instance_path, "mail")
    os.makedirs(folder, exist_ok=True)
    name = msg["Message-ID"].strip("<>").split("@")[0]
    with open(os.path.join(folder, f"{name}.eml"), "wb") as fh:
        fh.write(bytes(msg))


def outbox_messages() -> list[str]:
    """Paths of the ``.eml`` files written so far, oldest first (development and tests)."""
    folder = os.path.join(current_app.instance_path, "mail")
    if not os.path.isdir(folder):
        return []
    paths = [os.path.join(folder, n) for n in os.listdir(folder) if n.endswith(".eml")]
    return sorted(paths, key=os.path.getmtime)
