"""/api/v1/contact-requests: thin JSON views over ``directory.contacts.services``."""

from __future__ import annotations

from flask import jsonify, request, url_for
from flask_babel import gettext as _

from directory.api.core import (
    PAGINATION,
    api_blueprint,
    check_keys,
    choice_arg,
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
from directory.contacts import business_requests, services
from directory.contacts.models import SHAREABLE, STATES, ContactRequest
from directory.core import paging
from directory.core.errors import ValidationError
from directory.core.models import isoformat

bp = api_blueprint("contacts_api")

WRITABLE = ("person_id", "business_id", "message", "need_id")
READ_ONLY = (
    "id",
    "requester_id",
    "requester",
    "state",
    "shared",
    "reason",
    "contact",
    "created_at",
    "expires_at",
    "answered_at",
    "closed_at",
)
ACTION_KEYS = {"accept": ("share",), "decline": ("reason",), "withdraw": ()}

_TIME = {"type": ["string", "null"], "format": "date-time", "readOnly": True}

register_schema(
    "ContactRequest",
    {
        "type": "object",
        "description": (
            "An official's request to be put in touch with a person, or with a business "
            "through its contact person. The member accepts "
            "(choosing the contact details to share) or declines; the official may withdraw; "
            "a pending request expires after 30 days."
        ),
        "required": ["message"],
        "properties": {
            "id": {"type": "string", "readOnly": True},
            "person_id": {
                "type": "string",
                "description": (
                    "The person asked. On creation, give either `person_id` or `business_id`; "
                    "for a business it is returned as the contact person's id."
                ),
            },
            "business_id": {
                "type": ["string", "null"],
                "description": (
                    "The business the request is about (a business the official may see, "
                    "else a 422 naming `business_id`): it is addressed to the business's "
                    "contact person (the linked person with role `contact_person`, else an "
                    "owner, else an executive; accepted links only), under the same rules as a "
                    "request to that person; none: 409 `no_contact_person`. Null for a "
                    "request to a person, or once the business is deleted."
                ),
            },
            "message": {"type": "string", "minLength": 1, "maxLength": 2000},
            "need_id": {
                "type": ["string", "null"],
                "description": (
                    "The cooperation need the request is about (optional): one the official "
                    "may read, else a 422 naming `need_id`. Null once the need is deleted."
                ),
            },
            "requester_id": {"type": "string", "readOnly": True},
            "requester": {
                "type": "object",
                "readOnly": True,
                "description": "Who is asking, as the member sees it (labels in the caller's "
                "language).",
                "properties": {
                    "name": {"type": "string"},
                    "role": {"type": "string"},
                    "where": {"type": ["string", "null"]},
                },
            },
            "state": {"type": "string", "enum": list(STATES), "readOnly": True},
            "shared": {
                "type": "array",
                "readOnly": True,
                "items": {"type": "string", "enum": list(SHAREABLE)},
                "description": "The contact details the member chose to share (accepted).",
            },
            "reason": {
                "type": ["string", "null"],
                "readOnly": True,
                "description": "The member's reason for declining, if they gave one.",
            },
            "contact": {
                "type": "object",
                "readOnly": True,
                "description": (
                    "Only for the official who asked, once accepted, and only in "
                    "`GET /api/v1/contact-requests/{id}`: the shared fields with their current "
                    "values in the person's record (null when no longer given). Each reading "
                    "is an audit event."
                ),
                "properties": {f: {"type": ["string", "null"]} for f in SHAREABLE},
                "additionalProperties": False,
            },
            "created_at": {**_TIME, "type": "string"},
            "expires_at": {**_TIME, "type": "string"},
            "answered_at": _TIME,
            "closed_at": _TIME,
        },
    },
)

register_schema(
    "ContactRequestAction",
    {
        "type": "object",
        "properties": {
            "share": {
                "type": "array",
                "items": {"type": "string", "enum": list(SHAREABLE)},
                "description": (
                    'accept only: the contact details to share (default `["email"]`); each '
                    "must be given in the member's profile."
                ),
            },
            "reason": {
                "type": ["string", "null"],
                "maxLength": 1000,
                "description": "decline only: an optional reason, shown to the official.",
            },
        },
    },
)


def request_to_dict(contact_request: ContactRequest, *, contact: dict | None = None) -> dict:
    """The contract's ContactRequest JSON (``contact`` only when given: it is audited)."""
    data = {
        "id": contact_request.id,
        "person_id": contact_request.person_id,
        "requester_id": contact_request.requester_id,
        "need_id": contact_request.need_id,
        "business_id": contact_request.business_id,
        "requester": services.requester_description(contact_request.requester),
        "message": contact_request.message,
        "state": contact_request.state,
        "shared": list(contact_request.shared or []),
        "reason": contact_request.reason,
        "created_at": isoformat(contact_request.created_at),
        "expires_at": isoformat(contact_request.expires_at),
        "answered_at": isoformat(contact_request.answered_at),
        "closed_at": isoformat(contact_request.closed_at),
    }
    if contact is not None:
        data["contact"] = contact
    return data


ID = {"id": {"in": "path", "description": "The contact request's id."}}


@bp.get("/contact-requests")
@operation(
    "Contact requests the caller sent, or that were sent to them (all for the admin)",
    tags=("contact-requests",),
    params={
        **PAGINATION,
        "state": {
            "in": "query",
            "schema": {"type": "string", "enum": list(STATES)},
            "description": "Only requests in this state.",
        },
    },
    response=collection_of("ContactRequest"),
    auth=True,
    description="Newest first. Items carry no `contact`: read one request to see it.",
)
def list_requests():
    user = require_api_user()
    require_can(user, "contact_request.list")
    page, per_page = page_args()
    state = choice_arg("state", STATES)
    listing = paging.page_of(services.requests_for(user, state=state), page, per_page)
    items = [request_to_dict(r) for r in listing.items]
    return jsonify(collection(items, listing.total, page, per_page))


@bp.post("/contact-requests")
@operation(
    "Ask to be put in touch with a person, or a business through its contact person (officials)",
    tags=("contact-requests",),
    body=ref("ContactRequest"),
    response=ref("ContactRequest"),
    status=201,
    errors=(403, 409, 429),
    auth=True,
    description=(
        "The person must be listed, have agreed to be contacted by officials, have an account "
        "to answer and contact requests turned on (else 409 `not_contactable`, `no_account` "
        "or `contact_requests_off`); one pending request per official and person (409 "
        "`already_pending`); `need_id`, when given, names a need the official may read (else "
        "422); at most `CONTACT_REQUESTS_PER_DAY` (50) requests per official in "
        "24 hours (429 `rate_limited`). Asking oneself or an unknown person is a 422 naming "
        "`person_id`. With `business_id` instead of `person_id`, the request goes to the "
        "business's contact person under the same rules (409 `no_contact_person` when it has "
        "none); both, or neither, is a 422."
    ),
)
def create_request():
    user = require_api_user()
    data = check_keys(json_body("ContactRequest"), WRITABLE, READ_ONLY)
    if data.get("business_id") is not None:
        if data.get("person_id") is not None:
            raise ValidationError(
                {"person_id": _("Give either a person or a business, not both.")},
                _("Some values are not valid."),
            )
        contact_request = business_requests.create_business_request(
            user, data.get("business_id"), data.get("message"), need=data.get("need_id")
        )
    else:
        contact_request = services.create_request(
            user, data.get("person_id"), data.get("message"), need=data.get("need_id")
        )
    response = jsonify(request_to_dict(contact_request))
    response.status_code = 201
    response.headers["Location"] = url_for("contacts_api.get_request", id=contact_request.id)
    return response


def _visible_or_404(id: str, user) -> ContactRequest:
    found = services.get_visible(id, user)
    if found is None:
        raise not_found()
    return found


@bp.get("/contact-requests/<id>")
@operation(
    "One contact request; for the official who asked, once accepted, the shared contact",
    tags=("contact-requests",),
    params=ID,
    response=ref("ContactRequest"),
    errors=(404,),
    auth=True,
    description="Reading `contact` is an audit event (`contact_request.contact_view`).",
)
def get_request(id: str):
    user = require_api_user()
    contact_request = _visible_or_404(id, user)
    contact = services.contact_details(contact_request, user)
    return jsonify(request_to_dict(contact_request, contact=contact))


@bp.post("/contact-requests/<id>/<action>")
@operation(
    "Accept (the member, choosing what to share), decline (the member) or withdraw (the "
    "official who asked) a pending request",
    tags=("contact-requests",),
    params={
        **ID,
        "action": {
            "in": "path",
            "schema": {"type": "string", "enum": list(services.ACTIONS)},
            "description": "accept, decline or withdraw.",
        },
    },
    body=ref("ContactRequestAction"),
    response=ref("ContactRequest"),
    errors=(403, 404, 409),
    auth=True,
    description=(
        "A request no longer pending is a 409 (`invalid_state`, `expired`, or "
        "`changed_meanwhile` when another step won at the same moment); nothing changes."
    ),
)
def act(id: str, action: str):
    user = require_api_user()
    contact_request = _visible_or_404(id, user)
    if action not in services.ACTIONS:
        raise not_found()
    data = {}
    if request.get_data(cache=True).strip():  # withdraw and decline may come without a body
        data = check_keys(json_body("ContactRequestAction"), ACTION_KEYS[action])
    services.take_action(contact_request, action, user, data)
    return jsonify(request_to_dict(contact_request))
