"""Home page, language switch, privacy notice and health check."""

from __future__ import annotations

from urllib.parse import urlparse

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify, redirect, render_template, request, session
from flask_login import current_user

from directory.extensions import csrf, db

bp = Blueprint("core", __name__)


@bp.get("/")
def index():
    """The landing page: search box, what the directory is, and the user's next steps."""
    return render_template("core/index.html")


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
def healthz():
    """200 when the app and its database answer."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except Exception:  # noqa: BLE001 - reported as unavailable, not raised
        db.session.rollback()
        return jsonify({"status": "unavailable"}), 503
    return jsonify({"status": "ok"})
