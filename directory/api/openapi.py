"""The OpenAPI 3.1 document, generated from the app's URL map and each view's ``@operation``."""

from __future__ import annotations

import re
from http import HTTPStatus

from flask import Flask
from werkzeug.routing import IntegerConverter, Rule

from directory.api.schemas import schemas

API_PREFIX = "/api/v1"
OPENAPI_VERSION = "3.1.0"
_ARGUMENT = re.compile(r"<(?:[^<>:]+:)?([^<>]+)>")
_IGNORED_METHODS = {"HEAD", "OPTIONS"}
_UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def openapi_path(rule: str) -> str:
    """``/api/v1/people/<id>`` or ``<string:id>`` -> ``/api/v1/people/{id}``."""
    return _ARGUMENT.sub(r"{\1}", rule)


def api_rules(app: Flask) -> list[Rule]:
    """Every URL rule under ``/api/v1``, in a stable order."""
    rules = [
        r
        for r in app.url_map.iter_rules()
        if r.rule == API_PREFIX or r.rule.startswith(API_PREFIX + "/")
    ]
    return sorted(rules, key=lambda r: (r.rule, sorted(r.methods or ())))


def _error_response(status: int) -> dict:
    return {
        "description": HTTPStatus(status).phrase,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _parameters(rule: Rule, meta: dict) -> list[dict]:
    declared = dict(meta["params"])
    params = []
    for name in sorted(rule.arguments):
        spec = declared.pop(name, {})
        converter = rule._converters.get(name)
        default_schema = (
            {"type": "integer"} if isinstance(converter, IntegerConverter) else {"type": "string"}
        )
        params.append(
            {
                "name": name,
                "in": "path",
                "required": True,
                "schema": spec.get("schema", default_schema),
                **({"description": spec["description"]} if spec.get("description") else {}),
            }
        )
    for name, spec in declared.items():
        where = spec.get("in", "query")
        param = {
            "name": name,
            "in": where,
            "required": bool(spec.get("required", where == "path")),
            "schema": spec.get("schema", {"type": "string"}),
        }
        if spec.get("description"):
            param["description"] = spec["description"]
        if spec.get("explode") is not None:
            param["explode"] = spec["explode"]
        params.append(param)
    return params


def _operation(rule: Rule, method: str, meta: dict) -> dict:
    op: dict = {
        "operationId": f"{rule.endpoint}.{method.lower()}",
        "summary": meta["summary"],
    }
    if meta.get("description"):
        op["description"] = meta["description"]
    if meta.get("tags"):
        op["tags"] = list(meta["tags"])
    params = _parameters(rule, meta)
    if params:
        op["parameters"] = params

    status = meta.get("status", 200)
    success: dict = {"description": HTTPStatus(status).phrase}
    if meta.get("response") is not None and status != 204:
        success["content"] = {"application/json": {"schema": meta["response"]}}
    responses: dict = {str(status): success}

    # Every operation takes a bearer token, and an invalid, expired or revoked one (or one
    # whose user was deactivated meanwhile) is a 401 wherever it is sent.
    errors = set(meta.get("errors") or ())
    errors.add(401)
    if any(p["in"] == "query" for p in params):
        errors.add(400)
    if meta.get("body") is not None:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": meta["body"]}},
        }
        errors.update((400, 415, 422))
    for code in sorted(errors):
        responses[str(code)] = _error_response(code)
    op["responses"] = responses

    # Unsafe methods always need a token; safe ones work without (public data only).
    if meta.get("auth") or method in _UNSAFE_METHODS:
        op["security"] = [{"bearer": []}]
    else:
        op["security"] = [{}, {"bearer": []}]
    return op


def undocumented_rules(app: Flask) -> list[str]:
    """The ``/api/v1`` rules whose view has no ``@operation`` metadata."""
    return [
        rule.rule
        for rule in api_rules(app)
        if getattr(app.view_functions.get(rule.endpoint), "openapi", None) is None
    ]


def build_document(app: Flask, server_url: str | None = None) -> dict:
    """The OpenAPI 3.1 document for every documented ``/api/v1`` route of ``app``."""
    paths: dict[str, dict] = {}
    tags: set[str] = set()
    for rule in api_rules(app):
        view = app.view_functions.get(rule.endpoint)
        meta = getattr(view, "openapi", None)
        if meta is None:
            continue
        item = paths.setdefault(openapi_path(rule.rule), {})
        for method in sorted((rule.methods or set()) - _IGNORED_METHODS):
            item[method.lower()] = _operation(rule, method, meta)
        tags.update(meta.get("tags") or ())

    document = {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "Kiều bào Directory API",
            "version": _version(),
            "description": (
                "JSON in and out. Send `Authorization: Bearer <token>` (from `flask users token` "
                "or the account's token page); without it, only public data. Errors are 4xx with "
                '`{"error": {"code", "message", "fields"}}`, the message in the language of '
                "`Accept-Language` (Vietnamese by default, or English)."
            ),
        },
        "paths": paths,
        "components": {
            "schemas": schemas(),
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API token from `flask users token --email E "
                    "[--scope read|write] [--days N]` or the account's token page. A token "
                    "expires (90 days by default: then 401 `invalid_token`); a `read` token is "
                    "refused on POST, PATCH, PUT and DELETE with 403 `insufficient_scope`.",
                }
            },
        },
        "tags": [{"name": name} for name in sorted(tags)],
    }
    if server_url:
        document["servers"] = [{"url": server_url}]
    return document


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("kieubao-directory")
    except PackageNotFoundError:
        return "0.1.0"
