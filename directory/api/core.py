"""What every /api/v1 view shares: blueprints, auth, JSON input, pagination, OpenAPI metadata.

A domain exposes its API in ``directory/<domain>/api.py`` with ``bp = api_blueprint("<domain>_api")``
(its package's ``init_app`` registers it) and describes each view with :func:`operation`, from which
``/api/v1/openapi.json`` is generated.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable

from flask import Blueprint, current_app, g, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from directory.core import paging
from directory.core.errors import ApiError, error_response
from directory.extensions import csrf, db

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def api_blueprint(name: str) -> Blueprint:
    """A CSRF-exempt blueprint mounted under /api/v1 (auth is by bearer token)."""
    bp = Blueprint(name, __name__, url_prefix="/api/v1")
    csrf.exempt(bp)
    bp.register_error_handler(ApiError, _error)
    bp.register_error_handler(HTTPException, _error)
    return bp


def _error(exc: Exception):
    """An error inside an API view: nothing half-written survives, then the contract's shape."""
    db.session.rollback()
    if isinstance(exc, ApiError):
        response = error_response(exc.status, exc.code, exc.message, exc.fields, exc.extra)
    else:
        response = error_response(exc.code or 500)
    if response.status_code == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    return response


def operation(
    summary: str,
    *,
    tags: tuple[str, ...] = (),
    params: dict | None = None,
    body: dict | None = None,
    response: dict | None = None,
    errors: tuple[int, ...] = (),
    auth: bool = False,
    description: str = "",
    status: int = 200,
):
    """Attach OpenAPI metadata to a view (one view function per HTTP method).

    ``params``: {name: {"in": "query"|"path", "schema": {...}, "required": bool,
    "description": str}}; ``body`` and ``response``: JSON Schema dicts (or ``ref("Person")``);
    ``status``: the success status (201 for a creation, 204 without a body); ``errors``: the
    4xx statuses the view may answer (401/400/415/422 are added where they follow from
    ``auth``, the method and ``body``); ``auth``: a bearer token is required.
    """

    def decorator(func: Callable) -> Callable:
        func.openapi = {
            "summary": summary,
            "description": description,
            "tags": list(tags),
            "params": params or {},
            "body": body,
            "response": response,
            "errors": list(errors),
            "auth": auth,
            "status": status,
        }
        return func

    return decorator


def api_user():
    """The caller: a bearer token's user; for safe methods, also the browser session's user.

    Unsafe methods never use the session cookie, so the API needs no CSRF token.
    """
    if "api_user" in g:
        return g.api_user
    from directory.accounts.tokens import authenticate_token

    user = None
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _sep, raw = header.partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            raise ApiError(401, "unauthorized", _("Use the header Authorization: Bearer <token>."))
        token = authenticate_token(raw.strip())
        if token is None:
            raise ApiError(
                401, "invalid_token", _("This API token is invalid, expired or revoked.")
            )
        if token.scope != "write" and request.method not in SAFE_METHODS:
            raise ApiError(
                403,
                "insufficient_scope",
                _(
                    "This API token may only read. Create a token with the write scope to change data."
                ),
            )
        user = token.user
    elif request.method in SAFE_METHODS and current_user.is_authenticated:
        user = current_user._get_current_object()
    g.api_user = user
    return user


def require_api_user():
    """The caller, or a 401 in the error shape."""
    user = api_user()
    if user is None:
        raise ApiError(401, "unauthorized", _("This needs an API token."))
    return user


MAX_JSON_DEPTH = 8


def _reject_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _bad_value(value, depth: int = 0) -> bool:
    """NUL bytes, lone surrogates, NaN/Infinity or deep nesting: nothing a database should see."""
    if depth > MAX_JSON_DEPTH:
        return True
    if isinstance(value, str):
        return "\x00" in value or any("\ud800" <= c <= "\udfff" for c in value)
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, list):
        return any(_bad_value(item, depth + 1) for item in value)
    if isinstance(value, dict):
        return any(_bad_value(k, depth + 1) or _bad_value(v, depth + 1) for k, v in value.items())
    return False


def json_body(schema: str | None = None) -> dict:
    """The request's JSON object, or a 400/415/422 in the error shape.

    Strict JSON (UTF-8, no NaN, bounded nesting, no NUL or lone surrogates); with ``schema``,
    the JSON types of the given keys are checked against that component schema too.
    """
    if not request.is_json:
        raise ApiError(
            415, "unsupported_media_type", _("Send JSON with Content-Type: application/json.")
        )
    try:
        data = json.loads(request.get_data(cache=True), parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise ApiError(400, "invalid_json", _("The body is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_json", _("The body must be a JSON object."))
    errors = {
        str(key)[:100]: _("This value contains characters or nesting that are not allowed.")
        for key, value in data.items()
        if _bad_value(key) or _bad_value(value)
    }
    if not errors and schema is not None:
        from directory.api.schemas import type_errors

        errors = type_errors(data, schema)
    if errors:
        raise ApiError(422, "invalid", _("Some values are not valid."), errors)
    return data


def ref(name: str) -> dict:
    """A reference to a component schema (see ``directory.api.schemas``)."""
    return {"$ref": f"#/components/schemas/{name}"}


def collection_of(name: str) -> dict:
    """The schema of a paginated collection of ``name`` items."""
    return {
        "allOf": [
            ref("Collection"),
            {"type": "object", "properties": {"items": {"type": "array", "items": ref(name)}}},
        ]
    }


def list_of(name: str) -> dict:
    return {"type": "array", "items": ref(name)}


# The query parameters of every paginated collection, for ``operation(params=...)``.
PAGINATION = {
    "page": {
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": paging.MAX_PAGE, "default": 1},
        "description": "Page number, from 1. A page past the end is empty (`total` still "
        "counts every item); a value that is not a whole number or is out of bounds is a 400 "
        "naming the parameter.",
    },
    "per_page": {
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
        "description": "Items per page. Out of bounds is a 400 naming the parameter.",
    },
}


def check_keys(data: dict, writable, read_only=()) -> dict:
    """``data`` unchanged, or a 422 naming each unknown or read-only key (nothing is written)."""
    errors = {}
    for key in data:
        if key in writable:
            continue
        if key in read_only:
            errors[key] = _("This field is read-only.")
        else:
            errors[str(key)[:100]] = _("Unknown field.")
    if errors:
        raise ApiError(422, "invalid", _("Some values are not valid."), errors)
    return data


def get_or_404(model, ident, action: str, user=None):
    """The record ``ident`` if it exists and the caller may ``action`` it, else a 404.

    Records the caller may not see answer exactly like missing ones, so ids cannot be probed.
    """
    from directory import policy
    from directory.extensions import db

    obj = db.session.get(model, ident) if isinstance(ident, str) and len(ident) <= 64 else None
    if obj is None or not policy.can(user if user is not None else api_user(), action, obj):
        raise not_found()
    return obj


def require_can(user, action: str, obj=None) -> None:
    """A 403 in the error shape (401 for an anonymous caller) unless the policy allows it."""
    from directory import policy

    if policy.can(user, action, obj):
        return
    if user is None:
        raise ApiError(401, "unauthorized", _("This needs an API token."))
    raise ApiError(403, "forbidden", _("You are not allowed to do this."))


def page_args() -> tuple[int, int]:
    """``page`` and ``per_page`` from the query string, or a 400 naming each bad one."""
    try:
        return paging.api_args(max_per_page=current_app.config["API_MAX_PER_PAGE"])
    except paging.InvalidPaging as exc:
        raise ApiError(
            400, "invalid_parameters", _("Some parameters are not valid."), exc.fields
        ) from None


def _bad_parameter(name: str, message: str) -> ApiError:
    return ApiError(400, "invalid_parameters", _("Some parameters are not valid."), {name: message})


def country_arg(name: str = "country") -> str | None:
    """An optional ISO country from the query string (a code or a name), or a 400."""
    from directory.reference.countries import resolve_country

    raw = request.args.get(name)
    if raw is None or not raw.strip():
        return None
    code = resolve_country(raw.strip()[:100])
    if code is None:
        raise _bad_parameter(name, _("Unknown country."))
    return code


def province_arg(name: str = "province") -> str | None:
    """An optional province from the query string (slug, current or legacy name), or a 400."""
    from directory.reference.provinces import resolve_province

    raw = request.args.get(name)
    if raw is None or not raw.strip():
        return None
    slug = resolve_province(raw.strip()[:120])
    if slug is None:
        raise _bad_parameter(name, _("Unknown province."))
    return slug


def choice_arg(name: str, choices) -> str | None:
    """An optional query parameter that must be one of ``choices``, or a 400."""
    raw = request.args.get(name)
    if raw is None or not raw.strip():
        return None
    if raw.strip() not in choices:
        raise _bad_parameter(name, _("Choose one of: %(choices)s.", choices=", ".join(choices)))
    return raw.strip()


def collection(items: list, total: int, page: int, per_page: int) -> dict:
    """The contract's collection shape."""
    return {"items": items, "total": total, "page": page, "per_page": per_page}


def not_found() -> ApiError:
    """The 404 for a record that is missing or that the caller may not see."""
    return ApiError(404, "not_found", _("This record does not exist, or you may not see it."))
