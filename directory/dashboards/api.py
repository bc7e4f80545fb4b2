"""/api/v1/stats: the dashboards' figures as JSON (the same read functions as the pages)."""

from __future__ import annotations

from flask import jsonify

from directory.api.core import api_blueprint, api_user, not_found, operation, ref, require_can
from directory.api.schemas import register_schema
from directory.dashboards import services
from directory.initiatives.models import STATES as INITIATIVE_STATES
from directory.reference.provinces import province_by_slug

bp = api_blueprint("dashboards_api")

_COUNTS = {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}}
_COUNT = {"type": "integer", "minimum": 0}

register_schema(
    "ProvinceStats",
    {
        "type": "object",
        "description": (
            "A province's figures as the caller sees them (people the caller may not see are "
            "not counted). People: the experts and entrepreneurs whose hometown is the province "
            "(former names included)."
        ),
        "required": [
            "people_by_country",
            "people_by_field",
            "people_verified",
            "people_new_90d",
            "needs_open",
            "contact_requests_pending",
            "initiatives_by_state",
            "initiatives_overdue",
            "representatives_active",
            "representatives_ending_90d",
            "nominations_pending",
        ],
        "additionalProperties": False,
        "properties": {
            "people_by_country": {
                **_COUNTS,
                "description": "ISO country code -> people living there, largest first.",
            },
            "people_by_field": {
                **_COUNTS,
                "description": "Field code -> people working in it (one person may count in several).",
            },
            "people_verified": {**_COUNT, "description": "People verified by a mission."},
            "people_new_90d": {**_COUNT, "description": "Profiles created in the last 90 days."},
            "needs_open": {**_COUNT, "description": "The province's open cooperation needs."},
            "contact_requests_pending": {
                **_COUNT,
                "description": "Contact requests sent by the province's officers, not yet answered.",
            },
            "initiatives_by_state": {
                "type": "object",
                "properties": {state: _COUNT for state in INITIATIVE_STATES},
                "additionalProperties": False,
                "description": "The province's initiatives per state (every state, zero included).",
            },
            "initiatives_overdue": {
                **_COUNT,
                "description": "Initiatives still unanswered after their due date.",
            },
            "representatives_active": {**_COUNT, "description": "Active representatives."},
            "representatives_ending_90d": {
                **_COUNT,
                "description": "Active representatives whose term ends within 90 days.",
            },
            "nominations_pending": {
                **_COUNT,
                "description": (
                    "Nominations waiting on the province: drafts to submit and appointments "
                    "to approve."
                ),
            },
        },
    },
)


@bp.get("/stats/province/<slug>")
@operation(
    "A province's dashboard figures",
    tags=("stats",),
    params={"slug": {"in": "path", "description": "The province's slug."}},
    response=ref("ProvinceStats"),
    errors=(403, 404),
    auth=True,
    description="For the officers of that province and the admin.",
)
def province_stats(slug: str):
    user = api_user()
    if province_by_slug(slug) is None:
        raise not_found()
    require_can(user, "dashboard.province", slug)
    return jsonify(services.province_stats(user, slug))
