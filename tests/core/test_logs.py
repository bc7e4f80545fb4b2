"""Structured logs: one JSON object per line with the request's id, method, path, status,
duration and user; the id comes from a valid X-Request-ID or is made, and is sent back."""

from __future__ import annotations

import io
import json
import logging

import pytest

from directory.core.logs import configure_logging, valid_request_id
from tests.factories import UserFactory


@pytest.fixture
def json_logs(app):
    """The app's log lines, parsed (LOG_FORMAT=json, written to a buffer)."""
    app.config["LOG_FORMAT"] = "json"
    stream = io.StringIO()
    handler = configure_logging(app, stream)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logging.getLogger().removeHandler(handler)


def test_a_request_is_one_json_line_with_its_fields(client, json_logs):
    response = client.get("/privacy", headers={"X-Request-ID": "lb-1234.abcd"})
    assert response.headers["X-Request-ID"] == "lb-1234.abcd"
    (line,) = [entry for entry in json_logs() if entry["logger"] == "directory.request"]
    assert line["request_id"] == "lb-1234.abcd"
    assert line["method"] == "GET"
    assert line["path"] == "/privacy"
    assert line["status"] == 200
    assert line["level"] == "INFO"
    assert line["message"] == "request"
    assert isinstance(line["duration_ms"], float)
    assert line["time"].endswith("+00:00")
    assert "user_id" not in line


def test_an_unsafe_or_long_request_id_is_replaced(client, json_logs):
    for bad in ("a b", "x" * 65, "<script>", "id;Set-Cookie: x=1", "é"):
        response = client.get("/healthz", headers={"X-Request-ID": bad})
        rid = response.headers["X-Request-ID"]
        assert rid != bad and valid_request_id(rid) == rid
    response = client.get("/healthz")
    assert len(response.headers["X-Request-ID"]) == 32  # generated


def test_every_line_of_a_request_carries_its_id(app, client, json_logs):
    @app.get("/_boom")
    def boom():
        logging.getLogger("directory.somewhere").warning("something odd")
        raise RuntimeError("boom")

    response = client.get("/_boom", headers={"X-Request-ID": "req-42"})
    assert response.status_code == 500
    lines = json_logs()
    assert {entry["logger"] for entry in lines} >= {
        "directory.somewhere",
        "directory",
        "directory.request",
    }
    assert all(entry["request_id"] == "req-42" for entry in lines)
    error = next(entry for entry in lines if entry["level"] == "ERROR")
    assert "RuntimeError: boom" in error["exception"]
    assert next(e for e in lines if e["logger"] == "directory.request")["status"] == 500


def test_the_signed_in_user_id_is_logged_and_never_secrets(app, client, login, json_logs):
    user = UserFactory(role="member", email="secret.person@example.org")
    login(user)
    client.get("/settings")
    client.get("/reset/some-secret-reset-token")
    client.post("/login", data={"email": "secret.person@example.org", "password": "hunter2-pw"})
    lines = json_logs()
    settings = next(e for e in lines if e.get("path") == "/settings")
    assert settings["user_id"] == user.id
    text = "\n".join(json.dumps(e) for e in lines)
    assert "some-secret-reset-token" not in text
    assert "/reset/<token>" in text
    assert "secret.person@example.org" not in text
    assert "hunter2-pw" not in text


def test_plain_text_outside_production(app, client):
    app.config["LOG_FORMAT"] = "text"
    stream = io.StringIO()
    handler = configure_logging(app, stream)
    try:
        client.get("/privacy", headers={"X-Request-ID": "plain-1"})
    finally:
        logging.getLogger().removeHandler(handler)
    line = stream.getvalue().strip().splitlines()[-1]
    assert "INFO directory.request: request [plain-1]" in line
    with pytest.raises(json.JSONDecodeError):
        json.loads(line)


def test_production_defaults_to_json_logs(monkeypatch, tmp_path):
    from directory.config import from_environment

    monkeypatch.setenv("PRODUCTION", "1")
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    assert from_environment(str(tmp_path))["LOG_FORMAT"] == "json"
    monkeypatch.delenv("PRODUCTION")
    assert from_environment(str(tmp_path))["LOG_FORMAT"] == "text"


def test_the_worker_logs_json_lines_in_production(app, runner, json_logs, tmp_path):
    from directory.core.schedule import register

    register(app, "demo job", 0, lambda: "did one thing")
    heartbeat = tmp_path / "alive"
    result = runner.invoke(args=["search", "worker", "--once", "--heartbeat", str(heartbeat)])
    assert result.exit_code == 0, result.output
    assert heartbeat.exists()
    lines = [e for e in json_logs() if e["logger"] == "directory.worker"]
    assert [e["message"] for e in lines] == ["demo job: did one thing"]
    assert "did one thing" not in result.output
