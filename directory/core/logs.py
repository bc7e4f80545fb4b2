"""Logs: one JSON object per line (``LOG_FORMAT=json``, the default in production) or plain
text, every line of a request carrying its request id.

The request id comes from the incoming ``X-Request-ID`` when it is short and made of safe
characters (a load balancer's), otherwise it is generated; it goes back in the response's
``X-Request-ID`` header. Each request ends with one ``request`` line: method, path, status,
duration and the signed-in user's id. Lines never carry passwords, tokens or email addresses:
only the fields below are written, and a path holding a token (``/reset/<token>``) is logged
as its route.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
# The request's own fields, filled in by the filter below on every line of a request.
_CONTEXT_FIELDS = ("request_id", "method", "path", "user_id")
_REQUEST_FIELDS = ("status", "duration_ms")
_HANDLER_MARK = "_kieubao_handler"

access_log = logging.getLogger("directory.request")


def valid_request_id(value: str | None) -> str | None:
    """``value`` if it may be trusted as a request id (short, safe characters), else None."""
    if value and _SAFE_REQUEST_ID.fullmatch(value):
        return value
    return None


def current_request_id() -> str | None:
    if has_request_context():
        return g.get("request_id")
    return None


def _logged_path() -> str:
    """The path, unless it carries a secret in a URL variable: then the route's pattern."""
    rule = request.url_rule
    if rule is not None and any("token" in name for name in (request.view_args or {})):
        return rule.rule
    return request.path


def _user_id() -> str | None:
    # Never loads the user for the log's sake: only when the request already did.
    user = g.get("_login_user")
    return getattr(user, "id", None) if user is not None else None


class RequestContextFilter(logging.Filter):
    """Adds the current request's id, method, path and user id to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context():
            for name, value in (
                ("request_id", g.get("request_id")),
                ("method", request.method),
                ("path", _logged_path()),
                ("user_id", _user_id()),
            ):
                if getattr(record, name, None) is None:
                    setattr(record, name, value)
        return True


class JsonFormatter(logging.Formatter):
    """time, level, logger, message, then the request's fields when there are any."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in _CONTEXT_FIELDS + _REQUEST_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """A readable line: time level logger [request id] message (method path status ms)."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        rid = getattr(record, "request_id", None)
        return f"{line} [{rid}]" if rid else line


def configure_logging(app: Flask, stream=None) -> logging.Handler:
    """One handler on the root logger, on ``stream`` (stderr), in the configured format
    (idempotent: a second app replaces the first one's handler)."""
    fmt = (app.config.get("LOG_FORMAT") or "text").lower()
    handler = logging.StreamHandler(stream or sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(TextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RequestContextFilter())
    setattr(handler, _HANDLER_MARK, True)
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _HANDLER_MARK, False)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(app.config.get("LOG_LEVEL") or "INFO")
    # /readyz asks Alembic for the database's revision: two lines each time, of no interest.
    # (``flask db …`` configures Alembic's logging itself and still shows its progress.)
    logging.getLogger("alembic.runtime.migration").setLevel(logging.WARNING)
    # Flask's own handler would print each line a second time.
    app.logger.handlers.clear()
    app.logger.propagate = True
    return handler


def init_app(app: Flask) -> None:
    """Request ids, the ``request`` line, and the log format (unless the host owns logging,
    as pytest does: ``LOG_CONFIGURE`` is off by default when testing)."""
    if app.config.get("LOG_CONFIGURE", not app.testing):
        configure_logging(app)

    @app.before_request
    def _start_request() -> None:
        g.request_started = time.perf_counter()
        g.request_id = valid_request_id(request.headers.get(REQUEST_ID_HEADER)) or uuid.uuid4().hex

    @app.after_request
    def _end_request(response):
        rid = g.get("request_id")
        if rid:
            response.headers[REQUEST_ID_HEADER] = rid
        started = g.get("request_started")
        if started is not None and not request.path.startswith("/static/"):
            access_log.info(
                "request",
                extra={
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
        return response
