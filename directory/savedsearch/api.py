"""/api/v1/saved-searches: the caller's own saved searches (thin views over the services)."""

from __future__ import annotations

from flask import jsonify, url_for
from flask_babel import gettext as _

from directory.api.core import (
    PAGINATION,
    api_blueprint,
    collection,
    collection_of,
    json_body,
    not_found,
    operation,
    page_args,
    ref,
    require_api_user,
    require_can,
)
from directory.api.schemas import register_schema
from directory.core import paging
from directory.core.errors import ValidationError
from directory.savedsearch import queries, services
from directory.savedsearch.models import NAME_MAX

bp = api_blueprint("savedsearch_api")

ID = {"id": {"in": "path", "description": "The saved search's id."}}

register_schema(
    "SavedSearch",
    {
        "type": "object",
        "description": (
            "A search of the directory kept under a name by the caller. Running it "
            "(`GET /api/v1/search` with `query` as its parameters) finds what the caller may "
            "see at that moment."
        ),
        "required": ["name"],
        "properties": {
            "id": {"type": "string", "readOnly": True},
            "name": {"type": "string", "minLength": 1, "maxLength": NAME_MAX},
            "query": {
                "type": "object",
                "description": (
                    "The parameters of `GET /api/v1/search` (`q`, `sort`, `added_since` and "
                    "each filter: `kind`, `field`, `country`, `province`, `language`, "
                    "`verified`, `representative`, `sector`, `presence`, `interest_province`, "
                    "`size`), each a string or a list of strings; validated as the search "
                    "validates them (422 naming the parameter) and stored canonical (codes, "
                    "slugs), without `page` and `per_page`."
                ),
                "additionalProperties": {
                    "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]
                },
            },
            "created_at": {"type": "string", "format": "date-time", "readOnly": True},
            "updated_at": {"type": "string", "format": "date-time", "readOnly": True},
            "last_opened_at": {
                "type": ["string", "null"],
                "format": "date-time",
                "readOnly": True,
                "description": "When the caller last opened it on the search page.",
            },
        },
    },
)


def _query_args(raw) -> dict:
    """The body's ``query`` as search arguments; 422 naming ``query`` when it is malformed."""
    from werkzeug.datastructures import MultiDict

    if raw is None:
        return MultiDict()
    message = _("Give the search's parameters as an object of texts or lists of texts.")
    if not isinstance(raw, dict):
        raise ValidationError({"query": message}, _("Some values are not valid."))
    unknown = [str(k)[:60] for k in raw if k not in services.KEPT]
    if unknown:
        raise ValidationError(
            {f"query.{k}": _("This search parameter does not exist.") for k in unknown},
            _("Some values are not valid."),
        )
    args = MultiDict()
    for key, value in raw.items():
        values = value if isinstance(value, list) else [value]
        if not all(isinstance(v, str) for v in values) or len(values) > 50:
            raise ValidationError({f"query.{key}": message}, _("Some values are not valid."))
        for v in values:
            args.add(key, v)
    return args


@bp.get("/saved-searches")
@operation(
    "The caller's saved searches, newest first",
    tags=("search",),
    params=PAGINATION,
    response=collection_of("SavedSearch"),
    auth=True,
)
def list_saved_searches():
    user = require_api_user()
    require_can(user, "saved_search.create")
    page, per_page = page_args()
    listing = paging.page_of(queries.saved_searches_query(user), page, per_page)
    items = [queries.saved_search_to_dict(s) for s in listing.items]
    return jsonify(collection(items, listing.total, page, per_page))


@bp.post("/saved-searches")
@operation(
    "Save a search under a name",
    tags=("search",),
    body=ref("SavedSearch"),
    response=ref("SavedSearch"),
    status=201,
    auth=True,
    description=(
        "A name already used by the caller (case aside), an empty or too long name, or a "
        "50th+1 saved search: 422 naming `name`. Unknown or invalid search parameters: 422 "
        "naming `query.<parameter>`. Nothing is written on any error."
    ),
)
def create_saved_search():
    user = require_api_user()
    require_can(user, "saved_search.create")
    data = json_body("SavedSearch")
    unknown = {str(k)[:60] for k in data} - {"name", "query"}
    if unknown:
        raise ValidationError(
            dict.fromkeys(sorted(unknown), _("This field cannot be set here.")),
            _("Some values are not valid."),
        )
    args = _query_args(data.get("query"))
    try:
        saved = services.save_search(user, data.get("name"), args)
    except ValidationError as exc:
        fields = {(k if k == "name" else f"query.{k}"): v for k, v in exc.fields.items()}
        raise ValidationError(fields, exc.message) from None
    response = jsonify(queries.saved_search_to_dict(saved))
    response.status_code = 201
    response.headers["Location"] = url_for("savedsearch_api.list_saved_searches")
    return response


@bp.delete("/saved-searches/<id>")
@operation(
    "Delete one of the caller's saved searches",
    tags=("search",),
    params=ID,
    status=204,
    errors=(404,),
    auth=True,
    description="Another user's saved search answers exactly like a missing one (404).",
)
def delete_saved_search(id: str):
    user = require_api_user()
    saved = queries.get_own(id, user)
    if saved is None:
        raise not_found()
    services.delete_search(user, saved)
    return "", 204
