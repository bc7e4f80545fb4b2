"""What every /api/v1 view shares: blueprints, auth, JSON input, pagination, OpenAPI metadata.

A domain exposes its API in ``directory/<domain>/api.py`` with ``bp = api_blueprint("<domain>_api")``
(the factory registers it) and describes each view with :func:`operation`, from which
``/api/v1/openapi.json`` is generated.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, current_app, g, request
from flask_babel import gettext as _
from flask_login import current_user

from directory.core.errors import ApiError
from directory.extensions import csrf

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def api_blueprint(name: str) -> Blueprint:
    """A CSRF-exempt blueprint mounted under /api/v1 (auth is by bearer token)."""
    bp = Blueprint(name, __name__, url_prefix="/api/v1")
    csrf.exempt(bp)
    return bp


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
):
    """Attach OpenAPI metadata to a view.

    ``params``: {name: {"in": "query"|"path", "schema": {...}, "required": bool,
    "description": str}}; ``body`` and ``response``: JSON Schema dicts (or {"$ref": "#/..."}).
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
        }
        return func

    return decorator


def api_user():
    """The caller: a bearer token's user; for safe methods, also the browser session's user.

    Unsafe methods never use the session cookie, so the API needs no CSRF token.
    """
    if "api_user" in g:
        return g.api_user
    from directory.accounts.tokens import authenticate

    user = None
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _sep, raw = header.partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            raise ApiError(401, "unauthorized", _("Use the header Authorization: Bearer <token>."))
        user = authenticate(raw.strip())
        if user is None:
            raise ApiError(401, "invalid_token", _("This API token is invalid or revoked."))
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


def json_body() -> dict:
    """The request's JSON object, or a 400/415 in the error shape."""
    if not request.is_json:
        raise ApiError(
            415, "unsupported_media_type", _("Send JSON with Content-Type: application/json.")
        )
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_json", _("The body must be a JSON object."))
    return data


def page_args() -> tuple[int, int]:
    """``page`` and ``per_page`` from the query string, validated."""
    errors = {}
    values = {}
    limit = current_app.config["API_MAX_PER_PAGE"]
    for name, default, high in (("page", 1, 10_000), ("per_page", 20, limit)):
        raw = request.args.get(name, str(default))
        try:
            value = int(raw)
        except ValueError:
            errors[name] = _("Must be a whole number.")
            continue
        if not 1 <= value <= high:
            errors[name] = _("Must be between %(low)s and %(high)s.", low=1, high=high)
        values[name] = value
    if errors:
        raise ApiError(400, "invalid_parameters", _("Some parameters are not valid."), errors)
    return values["page"], values["per_page"]


def collection(items: list, total: int, page: int, per_page: int) -> dict:
    """The contract's collection shape."""
    return {"items": items, "total": total, "page": page, "per_page": per_page}


def not_found() -> ApiError:
    return ApiError(404, "not_found", _("This record does not exist, or you may not see it."))
