"""Home page, language switch, privacy notice, liveness and readiness checks."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlparse

import sqlalchemy as sa
from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
)
from flask_login import current_user

from directory.core.home import home_sections
from directory.extensions import csrf, db, limiter

bp = Blueprint("core", __name__)


@bp.get("/")
def index():
    """The home page: what the directory is, the search box, and the sections the domains
    contribute (its figures, open cooperation needs, the representatives abroad)."""
    return render_template("core/index.html", sections=home_sections(current_user))


@bp.get("/favicon.ico")
def favicon():
    """The icon browsers ask for at the site's root (pages link static/favicon.svg too)."""
    return send_from_directory(current_app.static_folder, "favicon.ico", max_age=7 * 24 * 3600)


@bp.get("/privacy")
def privacy():
    """The privacy notice, with its version (consent records cite it)."""
    return render_template(
        "core/privacy.html", version=current_app.config["PRIVACY_NOTICE_VERSION"]
    )


def safe_next(target: str | None, fallback: str = "/") -> str:
    """Only same-site relative paths are followed after a redirect."""
    if not target:
        return fallback
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target


@bp.post("/lang/<code>")
def set_language(code: str):
    """Switch the interface language; kept in the session and, for users, on the account."""
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
        if current_user.is_authenticated:
            current_user.locale = code
            db.session.commit()
    return redirect(
        safe_next(request.form.get("next") or request.referrer and urlparse(request.referrer).path)
    )


@bp.get("/healthz")
@csrf.exempt
@limiter.exempt
def healthz():
    """Liveness: 200 while the process answers requests. It asks nothing of the database or
    the search engine (``/readyz`` does): an orchestrator restarts a process that fails it,
    and restarting the web tier never mends a database outage."""
    return jsonify({"status": "ok"})


@lru_cache(maxsize=4)
def _migration_heads(directory: str) -> tuple[str, ...]:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", directory)
    return tuple(sorted(ScriptDirectory.from_config(config).get_heads()))


def _check_database() -> dict:
    db.session.execute(sa.text("SELECT 1"))
    return {"ok": True}


def _check_migrations() -> dict:
    from alembic.runtime.migration import MigrationContext

    heads = _migration_heads(current_app.extensions["migrate"].directory)
    with db.engine.connect() as conn:
        current = tuple(sorted(MigrationContext.configure(conn).get_current_heads()))
    return {"ok": current == heads, "current": list(current), "head": list(heads)}


def _check_search() -> dict:
    from search_index import get_backend

    backend = get_backend()
    return {"ok": bool(backend.health()), "backend": backend.name}


def _check_outbox() -> dict:
    from directory.search.sync import backlog

    state = backlog()
    limit = current_app.config.get("SEARCH_BACKLOG_MAX_SECONDS", 300)
    most = current_app.config.get("SEARCH_BACKLOG_MAX_PENDING", 10000)
    ok = state["oldest_pending_seconds"] <= limit and state["pending"] <= most
    return {"ok": ok, "max_seconds": limit, "max_pending": most, **state}


@bp.get("/readyz")
@csrf.exempt
@limiter.exempt
def readyz():
    """200 when every part is ready (database, migrations, search, outbox backlog); 503 with
    the same body naming what is not. Load balancers and deploy scripts poll it."""
    checks = {}
    for name, check in (
        ("database", _check_database),
        ("migrations", _check_migrations),
        ("search", _check_search),
        ("outbox", _check_outbox),
    ):
        try:
            checks[name] = check()
        except Exception as exc:  # noqa: BLE001 - reported, never raised
            db.session.rollback()
            checks[name] = {"ok": False, "error": type(exc).__name__}
    ready = all(c["ok"] for c in checks.values())
    body = {"status": "ready" if ready else "unavailable", "checks": checks}
    if not ready:
        body["failing"] = [name for name, c in checks.items() if not c["ok"]]
    return jsonify(body), 200 if ready else 503
