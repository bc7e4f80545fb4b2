"""/api/v1/needs: thin JSON views over ``directory.needs.services`` and ``matching``."""

from __future__ import annotations

from flask import jsonify, request, url_for
from flask_babel import gettext as _

from directory.api.core import (
    PAGINATION,
    api_blueprint,
    api_user,
    check_keys,
    choice_arg,
    collection,
    collection_of,
    country_arg,
    json_body,
    not_found,
    operation,
    page_args,
    province_arg,
    ref,
    require_api_user,
    require_can,
)
from directory.api.schemas import register_schema
from directory.core import paging
from directory.core.errors import ApiError
from directory.needs import inputs, matching, queries, services
from directory.needs.models import AUDIENCES, NEED_TYPES, STATUSES, Need

bp = api_blueprint("needs_api")

ID = {"id": {"in": "path", "description": "The need's id."}}
_DATE = {"type": ["string", "null"], "format": "date"}

register_schema(
    "Need",
    {
        "type": "object",
        "description": (
            "A province's cooperation need. `public` needs are read by anyone; `officials` "
            "needs by the officers of the province, the embassy officers and the admin."
        ),
        "required": ["title", "type", "fields"],
        "properties": {
            "id": {"type": "string", "readOnly": True},
            "province": {
                "type": ["string", "null"],
                "description": (
                    "Province slug (input: any current or legacy name); defaults to the "
                    "caller's province. Fixed once published."
                ),
            },
            "title": {"type": "string", "minLength": 1, "maxLength": inputs.TITLE_MAX},
            "description": {"type": ["string", "null"], "maxLength": inputs.DESCRIPTION_MAX},
            "type": {"type": "string", "enum": list(NEED_TYPES)},
            "fields": {
                "type": "array",
                "items": {"type": "string"},
                "minItems": 1,
                "maxItems": inputs.MAX_FIELDS,
                "description": "Taxonomy codes (GET /api/v1/fields); input also accepts labels.",
            },
            "countries": {
                "type": "array",
                "items": {"type": "string"},
                "maxItems": inputs.MAX_COUNTRIES,
                "description": "Target countries, ISO 3166-1 alpha-2 (input: also names).",
            },
            "milestones": {
                "type": "array",
                "maxItems": inputs.MAX_MILESTONES,
                "items": {
                    "type": "object",
                    "required": ["title", "due"],
                    "properties": {
                        "title": {"type": "string", "maxLength": inputs.TITLE_MAX},
                        "due": {"type": "string", "format": "date"},
                    },
                    "additionalProperties": False,
                },
                "description": "The roadmap, returned in date order.",
            },
            "deadline": {**_DATE, "description": "Not in the past when it is set or changed."},
            "audience": {"type": "string", "enum": list(AUDIENCES), "default": "officials"},
            "status": {
                "type": "string",
                "enum": list(STATUSES),
                "default": "open",
                "description": (
                    "Officers of the province set `open` or `in_progress`; only the province "
                    "approver (or the admin) closes a need or reopens a closed one, which "
                    "otherwise cannot change (409)."
                ),
            },
            "interest_count": {"type": "integer", "readOnly": True},
            "created_at": {"type": "string", "format": "date-time", "readOnly": True},
            "updated_at": {"type": "string", "format": "date-time", "readOnly": True},
        },
    },
)

register_schema(
    "Match",
    {
        "type": "object",
        "description": "A candidate for a need, with the reasons for its rank.",
        "required": [
            "kind",
            "id",
            "name",
            "score",
            "reasons",
            "shortlisted",
            "interested",
            "contactable",
        ],
        "properties": {
            "kind": {
                "type": "string",
                "enum": ["person", "association", "business"],
                "description": (
                    "Businesses are candidates for needs of type investment, trade_promotion "
                    "and technology_transfer; `contactable`: their contact person can be asked."
                ),
            },
            "id": {"type": "string"},
            "name": {"type": "string"},
            "score": {"type": "integer", "description": "See directory/needs/matching.py."},
            "reasons": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["code", "label"],
                    "properties": {
                        "code": {
                            "type": "string",
                            "enum": [
                                "field",
                                "country",
                                "hometown",
                                "language",
                                "verified",
                                "interest",
                                "recent",
                                "sector",
                                "province_interest",
                                "presence",
                                "size",
                            ],
                        },
                        "label": {"type": "string", "description": "In the caller's language."},
                    },
                },
            },
            "shortlisted": {"type": "boolean"},
            "interested": {"type": "boolean", "description": "Expressed interest in the need."},
            "contactable": {
                "type": "boolean",
                "description": (
                    "A contact request may be sent: false for people who turned contact "
                    "requests off, and for associations (reached through their own details)."
                ),
            },
            "represents": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Other provinces this person represents now (slugs).",
            },
        },
    },
)

register_schema(
    "ShortlistEntry",
    {
        "type": "object",
        "required": ["person_id"],
        "properties": {
            "person_id": {"type": "string"},
            "note": {"type": ["string", "null"], "maxLength": inputs.NOTE_MAX},
            "name": {"type": "string", "readOnly": True},
            "added_by": {"type": ["string", "null"], "readOnly": True},
            "created_at": {"type": "string", "format": "date-time", "readOnly": True},
            "updated_at": {"type": "string", "format": "date-time", "readOnly": True},
        },
    },
)

register_schema(
    "NeedInterest",
    {
        "type": "object",
        "properties": {
            "message": {"type": ["string", "null"], "maxLength": inputs.MESSAGE_MAX},
            "need_id": {"type": "string", "readOnly": True},
            "created_at": {"type": "string", "format": "date-time", "readOnly": True},
        },
    },
)


def _need_or_404(need_id: str, user) -> Need:
    need = queries.get_visible(need_id, user)
    if need is None:
        raise not_found()
    return need


def _entry_to_dict(entry) -> dict:
    from directory.core.models import isoformat

    return {
        "person_id": entry.person_id,
        "name": entry.person.full_name,
        "note": entry.note or "",
        "added_by": entry.added_by_id,
        "created_at": isoformat(entry.created_at),
        "updated_at": isoformat(entry.updated_at),
    }


@bp.get("/needs")
@operation(
    "Cooperation needs the caller may read, newest first",
    tags=("needs",),
    params={
        **PAGINATION,
        "field": {"in": "query", "description": "A field code or label."},
        "country": {"in": "query", "description": "A target country: ISO code or name."},
        "province": {"in": "query", "description": "The publishing province: slug or name."},
        "type": {"in": "query", "schema": {"type": "string", "enum": list(NEED_TYPES)}},
        "status": {"in": "query", "schema": {"type": "string", "enum": list(STATUSES)}},
    },
    response=collection_of("Need"),
)
def list_needs():
    user = api_user()
    page, per_page = page_args()
    filters = {
        "field": _field_arg(),
        "country": country_arg(),
        "province": province_arg(),
        "type": choice_arg("type", NEED_TYPES),
        "status": choice_arg("status", STATUSES),
    }
    listing = paging.page_of(queries.needs_query(user, filters), page, per_page)
    counts = queries.interest_counts(n.id for n in listing.items)
    items = [queries.need_to_dict(n, counts.get(n.id, 0)) for n in listing.items]
    return jsonify(collection(items, listing.total, page, per_page))


def _field_arg() -> str | None:
    from directory.reference.fields import resolve_field

    raw = request.args.get("field")
    if raw is None or not raw.strip():
        return None
    code = resolve_field(raw.strip()[:100])
    if code is None:
        raise ApiError(
            400,
            "invalid_parameters",
            _("Some parameters are not valid."),
            {"field": _("Unknown field.")},
        )
    return code


@bp.post("/needs")
@operation(
    "Publish a need (a province officer, for their province; the admin, for any)",
    tags=("needs",),
    body=ref("Need"),
    response=ref("Need"),
    status=201,
    errors=(403,),
    auth=True,
    description=(
        "Unknown fields, countries or types, an empty title or a past deadline: 422 naming "
        "the key, and nothing is written."
    ),
)
def create_need():
    user = require_api_user()
    require_can(user, "need.create")
    data = check_keys(json_body("Need"), inputs.WRITABLE, inputs.READ_ONLY)
    need = services.create_need(data, user)
    response = jsonify(queries.need_to_dict(need, 0))
    response.status_code = 201
    response.headers["Location"] = url_for("needs_api.get_need", id=need.id)
    return response


@bp.get("/needs/<id>")
@operation(
    "One need",
    tags=("needs",),
    params=ID,
    response=ref("Need"),
    errors=(404,),
)
def get_need(id: str):
    return jsonify(queries.need_to_dict(_need_or_404(id, api_user())))


@bp.patch("/needs/<id>")
@operation(
    "Change some keys of a need (officers of its province; closing: the approver)",
    tags=("needs",),
    params=ID,
    body=ref("Need"),
    response=ref("Need"),
    errors=(403, 404, 409),
    auth=True,
)
def update_need(id: str):
    user = require_api_user()
    need = _need_or_404(id, user)
    data = check_keys(json_body("Need"), inputs.WRITABLE, inputs.READ_ONLY)
    services.update_need(need, data, user)
    return jsonify(queries.need_to_dict(need))


@bp.get("/needs/<id>/matches")
@operation(
    "The need's candidates, best first, with the reasons for each rank",
    tags=("needs",),
    params={**ID, **PAGINATION},
    response=collection_of("Match"),
    errors=(403, 404),
    description=(
        "For the officers of the need's province and the admin. Only people the caller may "
        "see and who consented to be contacted by officials; associations too; for needs of "
        "type investment, trade_promotion and technology_transfer also the businesses the "
        "caller may see (`kind` business). Reasons are "
        "in the caller's language (Accept-Language)."
    ),
)
def matches(id: str):
    user = api_user()
    need = _need_or_404(id, user)
    require_can(user, "need.work", need)
    page, per_page = page_args()
    start = (page - 1) * per_page
    found, total = matching.candidates(need, user, start, start + per_page)
    return jsonify(collection([c.to_dict() for c in found], total, page, per_page))


@bp.post("/needs/<id>/interest")
@operation(
    "Express interest in a need, with a short message (a member with a profile; once)",
    tags=("needs",),
    params=ID,
    body=ref("NeedInterest"),
    response=ref("NeedInterest"),
    status=201,
    errors=(403, 404, 409),
    auth=True,
    description="The officers of the need's province are told by email.",
)
def express_interest(id: str):
    from directory.core.models import isoformat

    user = require_api_user()
    need = _need_or_404(id, user)
    data = check_keys(json_body("NeedInterest"), ("message",), ("need_id", "created_at"))
    interest = services.express_interest(need, user, data.get("message"))
    response = jsonify(
        {
            "need_id": need.id,
            "message": interest.message,
            "created_at": isoformat(interest.created_at),
        }
    )
    response.status_code = 201
    return response


@bp.delete("/needs/<id>/interest")
@operation(
    "Withdraw one's interest in a need",
    tags=("needs",),
    params=ID,
    status=204,
    errors=(403, 404, 409),
    auth=True,
)
def withdraw_interest(id: str):
    user = require_api_user()
    need = _need_or_404(id, user)
    services.withdraw_interest(need, user)
    return "", 204


@bp.post("/needs/<id>/shortlist")
@operation(
    "Shortlist a candidate with a note (again: the note is replaced)",
    tags=("needs",),
    params=ID,
    body=ref("ShortlistEntry"),
    response=ref("ShortlistEntry"),
    status=201,
    errors=(403, 404, 409),
    auth=True,
    description=(
        "Officers of the need's province and the admin. The person must be visible to the "
        "caller and have consented to be contacted (422 naming `person_id`). 201 when added, "
        "200 when the note of an entry already there changed."
    ),
)
def add_to_shortlist(id: str):
    user = require_api_user()
    need = _need_or_404(id, user)
    require_can(user, "need.work", need)
    data = check_keys(
        json_body("ShortlistEntry"),
        ("person_id", "note"),
        ("name", "added_by", "created_at", "updated_at"),
    )
    if not isinstance(data.get("person_id"), str) or not data["person_id"].strip():
        raise ApiError(
            422,
            "invalid",
            _("Some values are not valid."),
            {"person_id": _("This field is required.")},
        )
    entry, created = services.add_to_shortlist(need, data["person_id"], data.get("note"), user)
    response = jsonify(_entry_to_dict(entry))
    response.status_code = 201 if created else 200
    return response


@bp.delete("/needs/<id>/shortlist/<person_id>")
@operation(
    "Take a candidate off the shortlist",
    tags=("needs",),
    params={**ID, "person_id": {"in": "path", "description": "The shortlisted person's id."}},
    status=204,
    errors=(403, 404),
    auth=True,
)
def remove_from_shortlist(id: str, person_id: str):
    user = require_api_user()
    need = _need_or_404(id, user)
    require_can(user, "need.work", need)
    services.remove_from_shortlist(need, person_id, user)
    return "", 204


@bp.get("/needs/<id>/shortlist")
@operation(
    "The need's shortlist, in the order candidates were added",
    tags=("needs",),
    params={**ID, **PAGINATION},
    response=collection_of("ShortlistEntry"),
    errors=(403, 404),
    description="Officers of the need's province and the admin.",
)
def get_shortlist(id: str):
    user = api_user()
    need = _need_or_404(id, user)
    require_can(user, "need.work", need)
    page, per_page = page_args()
    entries = services.shortlist(need)
    start = (page - 1) * per_page
    items = [_entry_to_dict(e) for e in entries[start : start + per_page]]
    return jsonify(collection(items, len(entries), page, per_page))
