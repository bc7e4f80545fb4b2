"""Error responses: HTML pages for people, the contract's JSON shape for /api/."""

from __future__ import annotations

import contextlib

from flask import g, jsonify, make_response, render_template, request, session
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException


class ApiError(Exception):
    """A 4xx with a code, a message in the user's language and optional per-field messages."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        fields: dict | None = None,
        extra: dict | None = None,
    ):
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields or {}
        # More keys beside code, message and fields in the JSON error (e.g. ``candidates``).
        self.extra = extra or {}


class ValidationError(Exception):
    """Input that failed validation: {field name: message in the user's language}.

    Raised by services shared by forms, the API and imports; nothing has been written.
    """

    def __init__(self, fields: dict[str, str], message: str | None = None):
        super().__init__(message or "; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields
        self.message = message


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: ("bad_request", _("The request could not be understood.")),
        401: ("unauthorized", _("Please sign in to continue.")),
        403: ("forbidden", _("You are not allowed to do this.")),
        404: ("not_found", _("This page or record does not exist, or you may not see it.")),
        405: ("method_not_allowed", _("This action is not allowed here.")),
        409: ("conflict", _("This conflicts with the current state of the record.")),
        413: ("too_large", _("The upload is too large.")),
        415: ("unsupported_media_type", _("Send JSON with Content-Type: application/json.")),
        422: ("invalid", _("Some values are not valid.")),
        429: ("rate_limited", _("Too many attempts. Please wait a minute and try again.")),
        500: ("server_error", _("Something went wrong on our side. Please try again.")),
        503: (
            "database_unavailable",
            _(
                "The directory is briefly unavailable. Nothing was saved; please try again in a minute."
            ),
        ),
    }


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path in ("/healthz", "/readyz")


def error_response(
    status: int,
    code: str | None = None,
    message: str | None = None,
    fields: dict | None = None,
    extra: dict | None = None,
):
    default_code, default_message = _messages().get(status, ("error", _("Error")))
    code, message = code or default_code, message or default_message
    if wants_json():
        body = {"code": code, "message": message, "fields": fields or {}}
        body.update({k: v for k, v in (extra or {}).items() if k not in body})
        response = jsonify({"error": body})
        response.status_code = status
        return response
    return render_template("errors/error.html", status=status, message=message), status


# PostgreSQL's connection_exception class (08…) and operator_intervention shutdowns (57P01
# admin, 57P02 crash, 57P03 cannot connect now): the server is gone or restarting.
_UNAVAILABLE_STATES = ("08", "57P01", "57P02", "57P03")
RETRY_AFTER_SECONDS = 30


def database_unavailable(exc: DBAPIError) -> bool:
    """The database could not be reached (down, restarting, connection lost), rather than a
    fault of this request: such a request is answered 503 and the next one reconnects."""
    if exc.connection_invalidated:
        return True
    orig = getattr(exc, "orig", None)
    state = getattr(orig, "sqlstate", None)
    if state:
        return state.startswith(_UNAVAILABLE_STATES)
    # psycopg raises OperationalError without a state when it cannot connect at all.
    return type(orig).__module__.startswith("psycopg") and type(orig).__name__ in (
        "OperationalError",
        "InterfaceError",
    )


def _unavailable_locale() -> str:
    """The language of the 503 page without asking the database (the account's choice is
    out of reach): the session's choice, then the browser's."""
    from flask import current_app

    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or languages[0]


def unavailable_response():
    """503 while the database is out of reach: the contract's JSON for the API, a page that
    needs no database for people (no signed-in menu), with ``Retry-After``."""
    from flask_login import AnonymousUserMixin

    from directory.extensions import db

    with contextlib.suppress(DBAPIError):
        db.session.rollback()
    db.session.remove()
    g._login_user = AnonymousUserMixin()  # templates must not load the user again
    with force_locale(_unavailable_locale()):
        if wants_json():
            response = error_response(503)
        else:
            response = make_response(
                render_template("errors/unavailable.html", message=_messages()[503][1]), 503
            )
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def register_error_handlers(app) -> None:
    """Route every error through :func:`error_response`."""

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        return error_response(exc.status, exc.code, exc.message, exc.fields, exc.extra)

    @app.errorhandler(ValidationError)
    def _validation(exc: ValidationError):
        from directory.extensions import db

        db.session.rollback()
        return error_response(422, "invalid", exc.message, exc.fields)

    @app.errorhandler(CSRFError)
    def _csrf(exc):
        return error_response(
            400, "csrf", _("The form expired. Please reload the page and try again.")
        )

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        response = error_response(exc.code or 500)
        valid = getattr(exc, "valid_methods", None)
        if exc.code == 405 and valid:
            if isinstance(response, tuple):
                response = make_response(*response)
            response.headers["Allow"] = ", ".join(sorted(valid))
        return response

    @app.before_request
    def _reject_nul_bytes():
        """NUL cannot be stored (PostgreSQL refuses it): refuse such input up front, as a 400."""
        for values in (request.args, request.form):
            for value in values.values():
                if "\x00" in value:
                    return error_response(
                        400, "invalid_characters", _("The input contains invalid characters.")
                    )
        return None

    @app.teardown_appcontext
    def _release_session(_exc):
        """Close the request's session before Flask-SQLAlchemy does (teardowns run last
        registered first): when the database went away after the response was made, closing
        rolls back on a dead connection, which must not turn that response into a 500."""
        from directory.extensions import db

        try:
            db.session.remove()
        except DBAPIError as exc:
            app.logger.warning("database connection lost at the end of a request: %s", exc.orig)
            with contextlib.suppress(DBAPIError):
                db.session.remove()
            db.session.registry.clear()

    @app.errorhandler(DBAPIError)
    def _database(exc: DBAPIError):
        if database_unavailable(exc):
            app.logger.warning("database unavailable: %s", type(exc.orig).__name__)
            return unavailable_response()
        return _unexpected(exc)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        app.logger.exception("unhandled error")
        from directory.extensions import db

        db.session.rollback()
        return error_response(500)
