"""/api/v1/nominations and /api/v1/representatives: thin JSON views over the workflow."""

from __future__ import annotations

from flask import jsonify, request, url_for
from flask_babel import gettext as _

from directory import policy
from directory.api.core import (
    PAGINATION,
    api_blueprint,
    api_user,
    check_keys,
    collection,
    collection_of,
    country_arg,
    get_or_404,
    json_body,
    not_found,
    operation,
    page_args,
    ref,
    require_api_user,
    require_can,
)
from directory.api.schemas import register_schema
from directory.core.errors import ApiError
from directory.core.models import isoformat
from directory.extensions import db
from directory.reference.provinces import resolve_province
from directory.representatives import nominating, refusals, services, states, workflow
from directory.representatives.models import STATES, Nomination

bp = api_blueprint("representatives_api")

WRITABLE = (
    "person_id",
    "province",
    "country",
    "region",
    "rationale",
    "term_start",
    "term_end",
    "previous_nomination_id",
    "residence_exception",
)
READ_ONLY = (
    "id",
    "state",
    "history",
    "person",
    "actions",
    "residence_country",
    "created_at",
    "updated_at",
)
ACTION_KEYS = ("comment", "term_start", "term_end", "residence_acknowledged")

_DATE = {"type": ["string", "null"], "format": "date"}

register_schema(
    "Nomination",
    {
        "type": "object",
        "description": "A province's nomination of a representative in a host country.",
        "required": ["person_id", "country", "rationale"],
        "properties": {
            "id": {"type": "string", "readOnly": True},
            "person_id": {"type": "string"},
            "person": {
                "type": "object",
                "readOnly": True,
                "properties": {"id": {"type": "string"}, "full_name": {"type": "string"}},
            },
            "province": {
                "type": ["string", "null"],
                "description": "Province slug or name; defaults to the caller's province.",
            },
            "country": {"type": "string", "description": "ISO 3166-1 alpha-2 (or a name)."},
            "region": {"type": ["string", "null"], "maxLength": 120},
            "rationale": {"type": "string", "maxLength": 5000},
            "term_start": {**_DATE, "description": "Default: the day of approval."},
            "term_end": {**_DATE, "description": "Default: three years after the start."},
            "previous_nomination_id": {
                "type": ["string", "null"],
                "description": (
                    "For a renewal: the earlier appointment it continues, of the same person "
                    "and province, whose term has ended (state expired)."
                ),
            },
            "residence_exception": {
                "type": "boolean",
                "default": False,
                "description": (
                    "The province confirms nominating someone who does not live in the host "
                    "country (their profile's country differs, or is not given), for the "
                    "reason given in the rationale. Required (true) in that case, else 422 "
                    "on country; ignored otherwise. Read back: true when the nomination "
                    "carries such an exception."
                ),
            },
            "residence_country": {
                "type": ["string", "null"],
                "readOnly": True,
                "description": (
                    "With a residence exception: the nominee's country of residence when it "
                    "was confirmed (null when their profile did not say)."
                ),
            },
            "state": {"type": "string", "enum": list(STATES), "readOnly": True},
            "history": {
                "type": "array",
                "readOnly": True,
                "items": {
                    "type": "object",
                    "properties": {
                        "action": {"type": "string"},
                        "actor_id": {"type": ["string", "null"]},
                        "at": {"type": "string", "format": "date-time"},
                        "comment": {"type": ["string", "null"]},
                        "from_state": {"type": ["string", "null"]},
                        "to_state": {"type": "string"},
                        "residence_exception": {
                            "type": "boolean",
                            "description": (
                                "This step was taken knowing that the nominee lives outside "
                                "the host country: the province's confirmation (create) or "
                                "the mission's acknowledgement (endorse)."
                            ),
                        },
                    },
                },
            },
            "actions": {
                "type": "array",
                "readOnly": True,
                "items": {"type": "string", "enum": list(states.USER_ACTIONS)},
                "description": "The steps the caller may take now.",
            },
            "created_at": {"type": "string", "format": "date-time", "readOnly": True},
            "updated_at": {"type": "string", "format": "date-time", "readOnly": True},
        },
    },
)

register_schema(
    "Representative",
    {
        "type": "object",
        "required": ["province", "country", "region", "term_start", "term_end", "person"],
        "properties": {
            "province": {"type": "string", "examples": ["da-nang"]},
            "country": {"type": "string", "examples": ["FR"]},
            "region": {"type": ["string", "null"]},
            "term_start": {"type": "string", "format": "date"},
            "term_end": {"type": "string", "format": "date"},
            "person": {
                "type": "object",
                "required": ["id", "full_name", "organization"],
                "properties": {
                    "id": {"type": "string"},
                    "full_name": {"type": "string"},
                    "organization": {"type": ["string", "null"]},
                },
            },
        },
    },
)

register_schema(
    "NominationAction",
    {
        "type": "object",
        "properties": {
            "comment": {
                "type": "string",
                "maxLength": 2000,
                "description": "Required for object and revoke (the reason).",
            },
            "term_start": {**_DATE, "description": "approve only; default today."},
            "term_end": {**_DATE, "description": "approve only; default start + 3 years."},
            "residence_acknowledged": {
                "type": "boolean",
                "default": False,
                "description": (
                    "endorse only: the mission has seen that the nominee lives outside the "
                    "host country and endorses anyway. Required (true) in that case, else "
                    "422 on this field."
                ),
            },
        },
    },
)


def nomination_to_dict(nomination: Nomination, viewer) -> dict:
    """The contract's Nomination JSON as ``viewer`` may see it."""
    return {
        "id": nomination.id,
        "person_id": nomination.person_id,
        "person": {"id": nomination.person_id, "full_name": nomination.person.full_name},
        "province": nomination.province_slug,
        "country": nomination.country,
        "region": nomination.region or None,
        "rationale": nomination.rationale,
        "term_start": isoformat(nomination.term_start),
        "term_end": isoformat(nomination.term_end),
        "previous_nomination_id": nomination.previous_nomination_id,
        "residence_exception": nomination.residence_exception,
        "residence_country": nomination.residence_country,
        "state": nomination.state,
        "history": [
            {
                "action": event.action,
                "actor_id": event.actor_id,
                "at": isoformat(event.at),
                "comment": event.comment
                if policy.can(viewer, "nomination.comment_view", event)
                else None,
                "from_state": event.from_state,
                "to_state": event.to_state,
                "residence_exception": event.residence_exception,
            }
            for event in nomination.events
        ],
        "actions": states.allowed_actions(nomination, viewer),
        "created_at": isoformat(nomination.created_at),
        "updated_at": isoformat(nomination.updated_at),
    }


def representative_to_dict(nomination: Nomination, viewer) -> dict:
    """The contract's Representative JSON (organisation only when the viewer may see it)."""
    person = nomination.person
    show_profile = "profile" in policy.visible_groups(viewer, person)
    return {
        "province": nomination.province_slug,
        "country": nomination.country,
        "region": nomination.region or None,
        "term_start": isoformat(nomination.term_start),
        "term_end": isoformat(nomination.term_end),
        "person": {
            "id": person.id,
            "full_name": person.full_name,
            "organization": person.organization if show_profile else None,
        },
    }


def _province_arg() -> str | None:
    raw = (request.args.get("province") or "").strip()
    if not raw:
        return None
    slug = resolve_province(raw[:100])
    if slug is None:
        raise ApiError(
            400,
            "invalid_parameters",
            _("Some parameters are not valid."),
            {"province": _("Unknown province.")},
        )
    return slug


ID = {"id": {"in": "path", "description": "The nomination's id."}}


@bp.get("/nominations")
@operation(
    "Nominations the caller may see, most recently changed first",
    tags=("representatives",),
    params={
        **PAGINATION,
        "state": {"in": "query", "schema": {"type": "string", "enum": list(STATES)}},
        "province": {"in": "query", "schema": {"type": "string"}},
        "country": {"in": "query", "schema": {"type": "string"}},
        "waiting": {
            "in": "query",
            "schema": {"type": "boolean"},
            "description": "Only those waiting for the caller's next step (the inbox).",
        },
    },
    response=collection_of("Nomination"),
    auth=True,
)
def list_nominations():
    """A page of the nominations the caller may see (or that wait for them)."""
    user = require_api_user()
    page, per_page = page_args()
    state = request.args.get("state") or None
    if state is not None and state not in STATES:
        raise ApiError(
            400,
            "invalid_parameters",
            _("Some parameters are not valid."),
            {"state": _("Unknown state.")},
        )
    items, total = services.list_nominations(
        user,
        state=state,
        province=_province_arg(),
        country=country_arg(),
        waiting=request.args.get("waiting", "").lower() in ("1", "true", "yes"),
        page=page,
        per_page=per_page,
    )
    return jsonify(collection([nomination_to_dict(n, user) for n in items], total, page, per_page))


@bp.post("/nominations")
@operation(
    "Nominate a representative (a province officer, for their province); state draft",
    tags=("representatives",),
    body=ref("Nomination"),
    response=ref("Nomination"),
    status=201,
    errors=(403, 409),
    auth=True,
    description=(
        "The nominee must have agreed to be contacted by officials. 409 when the seat "
        "(province, country, region) already has an active representative (the nominee "
        "included: renewal before the term ends is not offered) or another open nomination, "
        "drafts included; the message names it. 422 on country when the nominee lives "
        "elsewhere and residence_exception is not true."
    ),
)
def create_nomination():
    """Create a draft nomination."""
    user = require_api_user()
    require_can(user, "nomination.create")
    data = check_keys(json_body(), WRITABLE, READ_ONLY)
    nomination = nominating.create_nomination(data, user)
    response = jsonify(nomination_to_dict(nomination, user))
    response.status_code = 201
    response.headers["Location"] = url_for("representatives_api.get_nomination", id=nomination.id)
    return response


@bp.get("/nominations/<id>")
@operation(
    "One nomination with its history",
    tags=("representatives",),
    params=ID,
    response=ref("Nomination"),
    errors=(404,),
    auth=True,
)
def get_nomination(id: str):
    """The nomination, if the caller may see it."""
    user = require_api_user()
    nomination = get_or_404(Nomination, id, "nomination.view", user)
    return jsonify(nomination_to_dict(nomination, user))


@bp.post("/nominations/<id>/<action>")
@operation(
    "Take a step: submit, endorse, object, accept, decline, approve, reject, withdraw, "
    "revoke or resign",
    tags=("representatives",),
    params={
        **ID,
        "action": {
            "in": "path",
            "schema": {"type": "string", "enum": list(states.USER_ACTIONS)},
        },
    },
    body=ref("NominationAction"),
    response=ref("Nomination"),
    errors=(403, 404, 409, 422),
    auth=True,
    description=(
        "403 when the caller is not the actor of this step, 409 when the state does not allow "
        "it (code changed_meanwhile when another step was taken since the caller read the "
        "nomination, busy when the database stayed locked), when the seat is taken (approve, "
        "submit) or already has a nomination on its way (submit); 422 when the step's input "
        "is missing or invalid (a reason for object and revoke, the term for approve, "
        "residence_acknowledged for endorse when the nominee lives elsewhere). Nothing "
        "changes on any error."
    ),
)
def take_action(id: str, action: str):
    """One step of the workflow, by the caller."""
    user = require_api_user()
    if action not in states.USER_ACTIONS:
        raise ApiError(404, "unknown_action", _("Unknown action."))
    nomination = db.session.get(Nomination, id) if len(id) <= 64 else None
    if nomination is None:
        raise not_found()
    if not policy.can(user, "nomination.view", nomination):
        raise refusals.WorkflowError(
            403, "forbidden", _("You are not allowed to take this step on this nomination.")
        )
    data = {}
    if request.get_data(cache=True).strip():
        data = check_keys(json_body(), ACTION_KEYS)
    only = {
        "term_start": ("approve", _("Only when approving.")),
        "term_end": ("approve", _("Only when approving.")),
        "residence_acknowledged": ("endorse", _("Only when endorsing.")),
    }
    misplaced = {k: message for k, (step, message) in only.items() if k in data and step != action}
    if misplaced:
        raise ApiError(422, "invalid", _("Some values are not valid."), misplaced)
    extra = {k: data[k] for k in workflow.ACTION_INPUTS.get(action, ()) if k in data}
    workflow.take_action(nomination, action, user, data.get("comment") or "", **extra)
    if not policy.can(user, "nomination.view", nomination):
        return jsonify({"id": nomination.id, "state": nomination.state})
    return jsonify(nomination_to_dict(nomination, user))


@bp.get("/representatives")
@operation(
    "The public register of active representatives: who represents a province in a country",
    tags=("representatives",),
    params={
        **PAGINATION,
        "province": {
            "in": "query",
            "schema": {"type": "string"},
            "description": "Province slug or name, e.g. da-nang or Đà Nẵng.",
        },
        "country": {
            "in": "query",
            "schema": {"type": "string"},
            "description": "Host country: ISO alpha-2 code or name.",
        },
    },
    response=collection_of("Representative"),
    description="Only representatives who agreed to be listed publicly appear.",
)
def list_representatives():
    """Active appointments of people listed publicly, filtered by province and country."""
    user = api_user()
    page, per_page = page_args()
    items, total = services.register(
        province=_province_arg(), country=country_arg(), page=page, per_page=per_page
    )
    return jsonify(
        collection([representative_to_dict(n, user) for n in items], total, page, per_page)
    )
