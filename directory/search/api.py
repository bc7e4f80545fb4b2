"""``GET /api/v1/search``: the same search as the results page, as JSON (docs/contract.md)."""

from __future__ import annotations

from flask import current_app, jsonify, request
from flask_babel import gettext as _

from directory.api.core import api_blueprint, api_user, operation, ref
from directory.api.schemas import register_schema
from directory.core.errors import ApiError, ValidationError
from directory.search.services import (
    FACETS,
    SearchUnavailable,
    parse_search_args,
    run_search,
)

bp = api_blueprint("search_api")

_COUNTS = {"type": "object", "additionalProperties": {"type": "integer"}}


def _hit(kind: str, schema: str) -> dict:
    """A hit of one type: the record's shape, told apart by ``type`` (the shapes overlap)."""
    return {
        "allOf": [
            ref(schema),
            {
                "type": "object",
                "required": ["type", "highlights", "matched"],
                "properties": {
                    "type": {"const": kind},
                    "highlights": {"type": "object", "additionalProperties": {"type": "string"}},
                    "matched": {"type": "array", "items": {"type": "string"}},
                },
            },
        ]
    }


register_schema(
    "SearchResult",
    {
        "type": "object",
        "required": ["hits", "total", "page", "per_page", "facets"],
        "properties": {
            "hits": {
                "type": "array",
                "description": (
                    "People (the Person shape, with the fields the caller may see), "
                    "associations and businesses (the Business shape, with `kind` "
                    '"business"), each with `type` (person | association | business), '
                    "`highlights` ({field: HTML with <mark>, everything else escaped}) and "
                    "`matched`: why it matched the words of `q`, in order: `name`, "
                    "`field:<code>` for each of its fields the query names (in either language "
                    "or a synonym), `hometown` (the query names its hometown province, current or "
                    "former name), `work`, `place`, `about`, `contact`; empty without `q`."
                ),
                "items": {
                    "oneOf": [
                        _hit("person", "Person"),
                        _hit("association", "Association"),
                        _hit("business", "Business"),
                    ]
                },
            },
            "total": {"type": "integer"},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "facets": {
                "type": "object",
                "description": "Counts per value, over what the caller may see. A facet "
                "with a filter is counted without its own filter.",
                "properties": {name: _COUNTS for name in FACETS},
            },
            "suggestion": {
                "type": "string",
                "description": 'A corrected query ("did you mean"), only when nothing matched.',
            },
        },
    },
)


def _filter_param(description: str) -> dict:
    return {
        "in": "query",
        "schema": {"type": "array", "items": {"type": "string"}},
        "style": "form",
        "explode": True,
        "description": description + " Repeatable: values of one filter are ORed, "
        "different filters are ANDed.",
    }


@bp.get("/search")
@operation(
    "Full-text, faceted search over people, associations and businesses",
    tags=("search",),
    params={
        "q": {
            "in": "query",
            "schema": {"type": "string", "maxLength": 200},
            "description": "Words, with or without diacritics, in Vietnamese or English; "
            "typos are tolerated; the last word matches as a prefix.",
        },
        "kind": _filter_param(
            "expert, entrepreneur, association or business (business hits carry "
            '`type` and `kind` "business").'
        ),
        "field": _filter_param("A taxonomy code, or a label or synonym in either language."),
        "country": _filter_param("Country of residence: ISO alpha-2 code or a name."),
        "province": _filter_param(
            "Hometown province: slug, or any current or legacy name (a legacy name selects "
            "the province that absorbed it)."
        ),
        "language": _filter_param("ISO 639-1 code or a language name."),
        "verified": {"in": "query", "schema": {"type": "boolean"}},
        "representative": {"in": "query", "schema": {"type": "boolean"}},
        "added_since": {
            "in": "query",
            "schema": {"type": "string", "format": "date"},
            "description": "Only the profiles and associations created on or after this day "
            "(a day in Vietnam, UTC+7), e.g. 2026-09-01: the list behind a dashboard's “new in the last 90 days”.",
        },
        "sector": _filter_param("Businesses: a business sector code, or its label or synonym."),
        "presence": _filter_param(
            "Businesses: a kind of presence in Vietnam (none, representative_office, "
            "subsidiary, joint_venture, invested_project)."
        ),
        "interest_province": _filter_param(
            "Businesses: a province of interest, slug or any current or legacy name."
        ),
        "size": _filter_param("Businesses: a size band (micro, small, medium, large)."),
        "presence_province": _filter_param(
            "Businesses with a presence of any kind (representative office, subsidiary, joint "
            "venture, invested project) in this province: slug or any current or legacy name."
        ),
        "sort": {
            "in": "query",
            "schema": {"type": "string", "enum": ["relevance", "name", "updated"]},
        },
        "page": {"in": "query", "schema": {"type": "integer", "minimum": 1}},
        "per_page": {"in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
    },
    response=ref("SearchResult"),
    errors=(400, 401, 503),
    description="Anonymous callers search the public fields of listed members; officials "
    "also the fields members opened to officials. What the caller may not see is never "
    "matched, highlighted or counted.",
)
def search():
    """One page of results, with facet counts."""
    user = api_user()
    try:
        params = parse_search_args(
            request.args, max_per_page=current_app.config.get("API_MAX_PER_PAGE", 100)
        )
    except ValidationError as exc:
        raise ApiError(400, "invalid_parameters", exc.message, exc.fields) from exc
    try:
        result = run_search(params, user)
    except SearchUnavailable as exc:
        current_app.logger.warning("search unavailable: %s", exc)
        raise ApiError(
            503, "search_unavailable", _("Search is unavailable right now. Please try again soon.")
        ) from exc
    return jsonify(result.to_api())
