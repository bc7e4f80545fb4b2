"""/api/v1/initiatives: thin JSON views over the initiatives' services and queries."""

from __future__ import annotations

from flask import jsonify, request, url_for
from flask_babel import gettext as _

from directory import policy
from directory.api.core import (
    PAGINATION,
    api_blueprint,
    check_keys,
    choice_arg,
    collection,
    collection_of,
    get_or_404,
    json_body,
    not_found,
    operation,
    page_args,
    province_arg,
    ref,
    require_api_user,
)
from directory.api.schemas import register_schema
from directory.core.errors import ApiError
from directory.core.models import isoformat
from directory.initiatives import queries, services
from directory.initiatives.models import (
    MAX_ANSWER,
    MAX_LINKS,
    MAX_NOTE,
    MAX_TEXT,
    MAX_TITLE,
    STATES,
    Initiative,
)

bp = api_blueprint("initiatives_api")

WRITABLE = ("province", "title", "fields", "text", "links", "need_id")
READ_ONLY = (
    "id",
    "state",
    "received_at",
    "due_on",
    "overdue",
    "assignee_id",
    "submitter_id",
    "answer",
    "answered_at",
    "history",
    "notes",
    "actions",
)
ACTION_KEYS = ("assignee_id", "answer", "province", "text")

register_schema(
    "Initiative",
    {
        "type": "object",
        "description": (
            "A member's initiative to a province or to the central body, optionally answering "
            "one of a province's cooperation needs (need_id)."
        ),
        "required": ["title", "fields", "text"],
        "properties": {
            "id": {"type": "string", "readOnly": True},
            "province": {
                "type": ["string", "null"],
                "description": "Receiving province (slug or name); null: the central body.",
            },
            "need_id": {
                "type": ["string", "null"],
                "description": (
                    "The cooperation need it answers (optional): one the member may read; the "
                    "initiative goes to the need's province (another `province` is a 422 naming "
                    "`need_id`). Null once the need is deleted."
                ),
            },
            "title": {"type": "string", "maxLength": MAX_TITLE},
            "fields": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Taxonomy codes (input also accepts labels); at least one.",
            },
            "text": {"type": "string", "maxLength": MAX_TEXT},
            "links": {
                "type": "array",
                "items": {"type": "string", "format": "uri"},
                "maxItems": MAX_LINKS,
                "description": "http or https addresses only.",
            },
            "state": {"type": "string", "enum": list(STATES), "readOnly": True},
            "received_at": {"type": "string", "format": "date-time", "readOnly": True},
            "due_on": {
                "type": "string",
                "format": "date",
                "readOnly": True,
                "description": "The answer is due by this day (INITIATIVE_ANSWER_DAYS after receipt).",
            },
            "overdue": {"type": "boolean", "readOnly": True},
            "assignee_id": {
                "type": ["string", "null"],
                "readOnly": True,
                "description": "Officials only.",
            },
            "submitter_id": {
                "type": ["string", "null"],
                "readOnly": True,
                "description": "Officials and the submitter.",
            },
            "answer": {"type": ["string", "null"], "readOnly": True},
            "answered_at": {"type": ["string", "null"], "format": "date-time", "readOnly": True},
            "history": {
                "type": "array",
                "readOnly": True,
                "description": (
                    "Officials: every event; the submitter: state changes and the answer "
                    "(without actors)."
                ),
                "items": {
                    "type": "object",
                    "properties": {
                        "action": {"type": "string"},
                        "at": {"type": "string", "format": "date-time"},
                        "from_state": {"type": ["string", "null"]},
                        "to_state": {"type": "string"},
                        "actor_id": {"type": ["string", "null"], "description": "Officials only."},
                        "comment": {"type": ["string", "null"]},
                        "details": {"type": "object", "description": "Officials only."},
                    },
                },
            },
            "notes": {
                "type": "array",
                "readOnly": True,
                "description": "Private notes: officials only (absent for the submitter).",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "string"},
                        "author_id": {"type": ["string", "null"]},
                        "at": {"type": "string", "format": "date-time"},
                        "text": {"type": "string"},
                    },
                },
            },
            "actions": {
                "type": "array",
                "readOnly": True,
                "items": {"type": "string", "enum": list(services.ACTIONS)},
                "description": "The steps the caller may take now.",
            },
        },
    },
)

register_schema(
    "InitiativeAction",
    {
        "type": "object",
        "properties": {
            "assignee_id": {
                "type": "string",
                "description": "assign: a colleague of the receiving province (admin: central).",
            },
            "answer": {
                "type": "string",
                "maxLength": MAX_ANSWER,
                "description": "answer (required); decline (optional: replaces the answer).",
            },
            "province": {"type": "string", "description": "forward: the province (slug or name)."},
            "text": {"type": "string", "maxLength": MAX_NOTE, "description": "note (required)."},
        },
    },
)


def initiative_to_dict(initiative: Initiative, viewer) -> dict:
    """The Initiative JSON as ``viewer`` may see it."""
    internal = policy.can(viewer, "initiative.view_internal", initiative)
    history = []
    for event in queries.history_for(initiative, viewer):
        item = {
            "action": event.action,
            "at": isoformat(event.at),
            "from_state": event.from_state,
            "to_state": event.to_state,
            "comment": event.comment or None,
        }
        if internal:
            item.update(actor_id=event.actor_id, details=dict(event.details or {}))
        history.append(item)
    data = {
        "id": initiative.id,
        "province": initiative.province_slug,
        "need_id": initiative.need_id,
        "title": initiative.title,
        "fields": list(initiative.fields or []),
        "text": initiative.text,
        "links": list(initiative.links or []),
        "state": initiative.state,
        "received_at": isoformat(initiative.received_at),
        "due_on": isoformat(initiative.due_on),
        "overdue": services.is_overdue(initiative),
        "submitter_id": initiative.submitter_id,
        "answer": initiative.answer,
        "answered_at": isoformat(initiative.answered_at),
        "history": history,
        "actions": services.allowed_actions(initiative, viewer),
    }
    if internal:
        data["assignee_id"] = initiative.assignee_id
        data["notes"] = [
            {"id": n.id, "author_id": n.author_id, "at": isoformat(n.at), "text": n.text}
            for n in initiative.notes
        ]
    return data


ID = {"id": {"in": "path", "description": "The initiative's id."}}


def _bool_arg(name: str) -> bool:
    raw = (request.args.get(name) or "").strip().lower()
    if raw in ("", "0", "false", "no"):
        return False
    if raw in ("1", "true", "yes"):
        return True
    raise ApiError(
        400,
        "invalid_parameters",
        _("Some parameters are not valid."),
        {name: _("Enter true or false.")},
    )


@bp.get("/initiatives")
@operation(
    "Initiatives the caller may see: a member's own; the inbox of a province or of the admin",
    tags=("initiatives",),
    params={
        **PAGINATION,
        "state": {"in": "query", "schema": {"type": "string", "enum": list(STATES)}},
        "assignee": {
            "in": "query",
            "schema": {"type": "string"},
            "description": "A user id, `me` or `none`.",
        },
        "overdue": {"in": "query", "schema": {"type": "boolean"}},
        "province": {
            "in": "query",
            "schema": {"type": "string"},
            "description": "Receiving province (slug or name), or `central`.",
        },
    },
    response=collection_of("Initiative"),
    auth=True,
    description="Open initiatives first, the earliest due first.",
)
def list_initiatives():
    """A page of the initiatives the caller may see."""
    user = require_api_user()
    page, per_page = page_args()
    state = choice_arg("state", STATES)
    assignee = (request.args.get("assignee") or "").strip()[:64] or None
    province = (request.args.get("province") or "").strip()
    province = "central" if province == "central" else province_arg()
    items, total = queries.list_initiatives(
        user,
        state=state,
        assignee=assignee,
        overdue=_bool_arg("overdue"),
        province=province,
        page=page,
        per_page=per_page,
    )
    return jsonify(collection([initiative_to_dict(i, user) for i in items], total, page, per_page))


@bp.post("/initiatives")
@operation(
    "Submit an initiative (a member); state received",
    tags=("initiatives",),
    body=ref("Initiative"),
    response=ref("Initiative"),
    status=201,
    errors=(403,),
    auth=True,
    description="`province` null or absent sends it to the central body.",
)
def create_initiative():
    """Submit an initiative."""
    user = require_api_user()
    data = check_keys(json_body("Initiative"), WRITABLE, READ_ONLY)
    initiative = services.submit_initiative(data, user)
    response = jsonify(initiative_to_dict(initiative, user))
    response.status_code = 201
    response.headers["Location"] = url_for("initiatives_api.get_initiative", id=initiative.id)
    return response


@bp.get("/initiatives/<id>")
@operation(
    "One initiative with the history the caller may see",
    tags=("initiatives",),
    params=ID,
    response=ref("Initiative"),
    errors=(404,),
    auth=True,
)
def get_initiative(id: str):
    """The initiative, if the caller may see it."""
    user = require_api_user()
    return jsonify(initiative_to_dict(get_or_404(Initiative, id, "initiative.view", user), user))


@bp.post("/initiatives/<id>/<action>")
@operation(
    "Take a step: triage, assign, review, answer, adopt, decline, withdraw, forward or note",
    tags=("initiatives",),
    params={
        **ID,
        "action": {"in": "path", "schema": {"type": "string", "enum": list(services.ACTIONS)}},
    },
    body=ref("InitiativeAction"),
    response=ref("Initiative"),
    errors=(403, 404, 409, 422),
    auth=True,
    description=(
        "403 when the caller is not the actor of this step; 409 when the state does not allow "
        "it (code changed_meanwhile when another step was taken since the caller read the "
        "initiative, busy when the database stayed locked); 422 when the step's input is "
        "missing or invalid. Nothing changes on any error."
    ),
)
def take_action(id: str, action: str):
    """One step by the caller."""
    user = require_api_user()
    if action not in services.ACTIONS:
        raise ApiError(404, "unknown_action", _("Unknown action."))
    initiative = queries.get_visible(id, user)
    if initiative is None:
        raise not_found()
    data = {}
    if request.get_data(cache=True).strip():
        data = check_keys(json_body("InitiativeAction"), ACTION_KEYS)
    allowed = services.ACTION_INPUTS.get(action, ())
    misplaced = {k: _("Not used by this step.") for k in data if k not in allowed}
    if misplaced:
        raise ApiError(422, "invalid", _("Some values are not valid."), misplaced)
    services.take_action(initiative, action, user, data)
    if queries.get_visible(initiative.id, user) is None:  # forwarded out of the caller's sight
        return jsonify({"id": initiative.id, "state": initiative.state})
    return jsonify(initiative_to_dict(initiative, user))
