"""/api/v1/businesses: thin JSON views over ``directory.businesses.services``."""

from __future__ import annotations

from flask import jsonify, request, url_for
from flask_babel import gettext as _

from directory.api.core import (
    PAGINATION,
    api_blueprint,
    api_user,
    choice_arg,
    collection,
    collection_of,
    country_arg,
    json_body,
    not_found,
    operation,
    page_args,
    ref,
    require_api_user,
    require_can,
)
from directory.api.schemas import register_schema
from directory.businesses import inputs, queries, services
from directory.businesses.models import (
    INTEREST_KINDS,
    LINK_ROLES,
    PRESENCE_KINDS,
    SIZE_BANDS,
    TICKET_BANDS,
    VISIBILITY_LEVELS,
    Business,
)
from directory.core import paging
from directory.core.errors import ApiError

bp = api_blueprint("businesses_api")

ID = {"id": {"in": "path", "description": "The business's id."}}
_STRINGS = {"type": "array", "items": {"type": "string"}, "maxItems": inputs.MAX_ITEMS}
_LEVEL = {"type": "string", "enum": list(VISIBILITY_LEVELS)}

register_schema(
    "Business",
    {
        "type": "object",
        "description": (
            "A diaspora business. Officials and the admin read every business; others only "
            "listed ones (members also those they are linked to). The groups of fields a "
            "caller sees follow `visibility`: basic (`name`, `country`, `operates_in`, "
            "`sectors`, `size_band`, `presence_in_vietnam`, `interests`) always; profile "
            "(other names, legal form, cities, founding year, description, people); contact "
            "(`website`, `email`, `phone`). Keys of a hidden group are left out."
        ),
        "required": ["name", "country", "sectors"],
        "properties": {
            "id": {"type": "string", "readOnly": True},
            "name": {"type": "string", "minLength": 1, "maxLength": inputs.NAME_MAX},
            "other_names": {**_STRINGS, "description": "A brand, a former name…"},
            "legal_form": {"type": ["string", "null"], "maxLength": 80},
            "country": {
                "type": "string",
                "description": "Country of registration, ISO 3166-1 alpha-2 (input: also names).",
            },
            "operates_in": {**_STRINGS, "description": "ISO 3166-1 alpha-2 (input: also names)."},
            "cities": _STRINGS,
            "sectors": {
                "type": "array",
                "items": {"type": "string"},
                "minItems": 1,
                "maxItems": inputs.MAX_SECTORS,
                "description": (
                    "Business sector codes of the taxonomy (group `sector`, after ISIC Rev.4 / "
                    "VSIC: GET /api/v1/fields); input also accepts their labels in Vietnamese "
                    "or English and their synonyms."
                ),
            },
            "size_band": {
                "type": ["string", "null"],
                "enum": [*SIZE_BANDS, None],
                "description": "Employees: micro 1–9, small 10–49, medium 50–249, large 250+.",
            },
            "founded_year": {"type": ["integer", "null"], "description": "Not in the future."},
            "website": {"type": ["string", "null"], "description": "http(s) only."},
            "email": {"type": ["string", "null"]},
            "phone": {"type": ["string", "null"], "description": "Returned in E.164."},
            "description": {"type": ["string", "null"], "maxLength": inputs.DESCRIPTION_MAX},
            "presence_in_vietnam": {
                "type": "array",
                "maxItems": inputs.MAX_ITEMS,
                "items": {
                    "type": "object",
                    "required": ["kind"],
                    "properties": {
                        "kind": {"type": "string", "enum": list(PRESENCE_KINDS)},
                        "province": {
                            "type": ["string", "null"],
                            "description": "Province slug (input: any current or legacy "
                            "name); none for `none`.",
                        },
                    },
                    "additionalProperties": False,
                },
            },
            "interests": {
                "type": "array",
                "maxItems": inputs.MAX_ITEMS,
                "items": {
                    "type": "object",
                    "required": ["kind"],
                    "properties": {
                        "kind": {"type": "string", "enum": list(INTEREST_KINDS)},
                        "sectors": {**_STRINGS, "description": "Sector codes (or labels)."},
                        "provinces": {**_STRINGS, "description": "Province slugs (or names)."},
                        "products": {**_STRINGS, "description": "Product groups."},
                        "ticket_band": {
                            "type": ["string", "null"],
                            "enum": [*TICKET_BANDS, None],
                            "description": "Indicative ticket in USD (investment only).",
                        },
                    },
                    "additionalProperties": False,
                },
            },
            "people": {
                "type": "array",
                "readOnly": True,
                "description": "Accepted links to people the caller may see.",
                "items": {
                    "type": "object",
                    "properties": {
                        "person_id": {"type": "string"},
                        "role": {"type": "string", "enum": list(LINK_ROLES)},
                        "since": {"type": ["string", "null"], "format": "date"},
                    },
                },
            },
            "consent_listed": {
                "type": "boolean",
                "description": "Listed publicly: set by its owners and executives (or the admin).",
            },
            "visibility": {
                "type": "object",
                "properties": {"profile": _LEVEL, "contact": _LEVEL},
                "additionalProperties": False,
                "description": (
                    "Who sees each group. Only its owners and executives (and the admin) make a "
                    "group public; officials may narrow it while no member manages it."
                ),
            },
            "confirm_duplicate": {
                "type": "boolean",
                "writeOnly": True,
                "description": (
                    "Input only: register or rename although a business with the same folded "
                    "name in the same country, or the same website domain, exists (else 409)."
                ),
            },
            "verified": {"type": "boolean", "readOnly": True},
            "created_at": {"type": "string", "format": "date-time", "readOnly": True},
            "updated_at": {"type": "string", "format": "date-time", "readOnly": True},
        },
    },
)

register_schema(
    "BusinessLink",
    {
        "type": "object",
        "required": ["person_id", "role"],
        "properties": {
            "person_id": {"type": "string"},
            "role": {"type": "string", "enum": list(LINK_ROLES)},
            "since": {"type": ["string", "null"], "format": "date"},
            "accepted": {
                "type": "boolean",
                "readOnly": True,
                "description": (
                    "Shown on the person's profile once accepted by the person (for an "
                    "unclaimed profile, by the mission that registered it)."
                ),
            },
        },
    },
)


def _business_or_404(business_id: str, user) -> Business:
    business = queries.get_visible(business_id, user)
    if business is None:
        raise not_found()
    return business


def _sector_arg() -> str | None:
    raw = request.args.get("sector")
    if raw is None or not raw.strip():
        return None
    code = inputs.resolve_sector(raw.strip()[:100])
    if code is None:
        raise ApiError(
            400,
            "invalid_parameters",
            _("Some parameters are not valid."),
            {"sector": _("Unknown sector.")},
        )
    return code


@bp.get("/businesses")
@operation(
    "Businesses the caller may read, by name",
    tags=("businesses",),
    params={
        **PAGINATION,
        "country": {"in": "query", "description": "Registered or operating in: ISO or name."},
        "sector": {"in": "query", "description": "A sector code or label."},
        "size_band": {"in": "query", "schema": {"type": "string", "enum": list(SIZE_BANDS)}},
    },
    response=collection_of("Business"),
)
def list_businesses():
    user = api_user()
    page, per_page = page_args()
    filters = {
        "country": country_arg(),
        "sector": _sector_arg(),
        "size_band": choice_arg("size_band", SIZE_BANDS),
    }
    listing = paging.page_of(queries.businesses_query(user, filters), page, per_page)
    items = [queries.business_to_dict(b, user) for b in listing.items]
    return jsonify(collection(items, listing.total, page, per_page))


@bp.post("/businesses")
@operation(
    "Register a business (an embassy officer, in the mission's countries; the admin)",
    tags=("businesses",),
    body=ref("Business"),
    response=ref("Business"),
    status=201,
    errors=(403, 409),
    auth=True,
    description=(
        "Unknown sectors, countries, provinces or kinds, a website that is not http(s), a "
        "founding year in the future: 422 naming the key. A likely duplicate (same folded name "
        "and country, or same website domain) without `confirm_duplicate: true`: 409 `duplicate`. "
        "Nothing is written in either case."
    ),
)
def create_business():
    user = require_api_user()
    require_can(user, "business.register")
    data = json_body("Business")
    business = services.create_business(data, user)
    response = jsonify(queries.business_to_dict(business, user))
    response.status_code = 201
    response.headers["Location"] = url_for("businesses_api.get_business", id=business.id)
    return response


@bp.get("/businesses/<id>")
@operation(
    "One business, with the groups of fields the caller may see",
    tags=("businesses",),
    params=ID,
    response=ref("Business"),
    errors=(404,),
)
def get_business(id: str):
    user = api_user()
    return jsonify(queries.business_to_dict(_business_or_404(id, user), user))


@bp.patch("/businesses/<id>")
@operation(
    "Change some keys of a business (its owners and executives; the covering mission while "
    "no member manages it; the admin)",
    tags=("businesses",),
    params=ID,
    body=ref("Business"),
    response=ref("Business"),
    errors=(403, 404, 409),
    auth=True,
)
def update_business(id: str):
    user = require_api_user()
    business = _business_or_404(id, user)
    data = json_body("Business")
    services.update_business(business, data, user)
    return jsonify(queries.business_to_dict(business, user))


@bp.delete("/businesses/<id>")
@operation(
    "Remove a business (those who may edit it)",
    tags=("businesses",),
    params=ID,
    status=204,
    errors=(403, 404),
    auth=True,
)
def delete_business(id: str):
    user = require_api_user()
    business = _business_or_404(id, user)
    services.delete_business(business, user)
    return "", 204


@bp.post("/businesses/<id>/verify")
@operation(
    "Verify a business (an embassy officer of a country it operates in; the admin)",
    tags=("businesses",),
    params=ID,
    response=ref("Business"),
    errors=(403, 404),
    auth=True,
)
def verify_business(id: str):
    user = require_api_user()
    business = _business_or_404(id, user)
    require_can(user, "business.verify", business)
    services.verify_business(business, user)
    return jsonify(queries.business_to_dict(business, user))


@bp.post("/businesses/<id>/people")
@operation(
    "Link a person to the business in a role (again: `since` is updated)",
    tags=("businesses",),
    params=ID,
    body=ref("BusinessLink"),
    response=ref("BusinessLink"),
    status=201,
    errors=(403, 404, 409),
    auth=True,
    description=(
        "A person the caller may not see: 422 naming `person_id`. The link is accepted at once "
        "when the caller is the person (or the mission that registered an unclaimed profile); "
        "otherwise it waits for them. 201 when added, 200 when it was there."
    ),
)
def link_person(id: str):
    user = require_api_user()
    business = _business_or_404(id, user)
    require_can(user, "business.link", business)
    link, created = services.link_person(business, json_body("BusinessLink"), user)
    response = jsonify(queries.link_to_dict(link))
    response.status_code = 201 if created else 200
    return response


@bp.delete("/businesses/<id>/people")
@operation(
    "Remove a person's link (in `role`, or in every role)",
    tags=("businesses",),
    params=ID,
    body=ref("BusinessLink"),
    status=204,
    errors=(403, 404),
    auth=True,
)
def unlink_person(id: str):
    user = require_api_user()
    business = _business_or_404(id, user)
    require_can(user, "business.link", business)
    services.unlink_person(business, json_body(), user)
    return "", 204
