"""The API's own route: the OpenAPI document (each domain registers its own routes)."""

from __future__ import annotations

from flask import current_app, jsonify, request

from directory.api.core import api_blueprint, operation
from directory.api.openapi import build_document

bp = api_blueprint("api")


@bp.get("/openapi.json")
@operation(
    "This API's OpenAPI 3.1 description",
    tags=("meta",),
    response={"type": "object", "description": "An OpenAPI 3.1 document."},
)
def openapi():
    """The OpenAPI document, generated from the routes and their ``@operation`` metadata."""
    return jsonify(build_document(current_app, server_url=request.host_url.rstrip("/")))
