"""/api/v1/stats: the dashboards' figures as JSON (the same read functions as the pages)."""

from __future__ import annotations

from flask import current_app

from directory.api.core import api_blueprint, api_user, not_found, operation, ref, require_can
from directory.api.schemas import register_schema
from directory.dashboards import overview, services
from directory.initiatives.models import STATES as INITIATIVE_STATES
from directory.reference.provinces import province_by_slug

bp = api_blueprint("dashboards_api")


def _figures(data: dict):
    """``data`` as JSON in its own key order (largest first), not sorted by key."""
    body = current_app.json.dumps(data, sort_keys=False)
    return current_app.response_class(body + "\n", mimetype="application/json")


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
            "businesses_by_country",
            "businesses_by_sector",
            "businesses_interested",
            "businesses_present",
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
            "businesses_by_country": {
                **_COUNTS,
                "description": (
                    "ISO country code -> the businesses the caller may see registered or "
                    "operating there (one business may count in several), largest first."
                ),
            },
            "businesses_by_sector": {
                **_COUNTS,
                "description": (
                    "Sector code -> the businesses the caller may see working in it (one "
                    "business may count in several), largest first."
                ),
            },
            "businesses_interested": {
                **_COUNT,
                "description": (
                    "Businesses the caller may see with an interest (of any kind) naming the "
                    "province: the search's kind=business&interest_province=<slug>."
                ),
            },
            "businesses_present": {
                **_COUNT,
                "description": (
                    "Businesses the caller may see with a presence in the province "
                    "(representative office, subsidiary, joint venture, invested project): the "
                    "search's kind=business&presence_province=<slug>."
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
    return _figures(services.province_stats(user, slug))


register_schema(
    "OverviewStats",
    {
        "type": "object",
        "description": (
            "The central overview's figures (the admin). People: the experts and entrepreneurs "
            "(profiles with at least one kind), not anonymised."
        ),
        "required": [
            "people_by_country",
            "people_by_field",
            "people_by_province",
            "provinces_without_representatives",
            "fields_without_matches",
            "initiatives_by_province",
            "businesses_by_country",
            "businesses_by_sector",
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
            "people_by_province": {
                **_COUNTS,
                "description": (
                    "Province slug -> people whose hometown it is (former names included), "
                    "largest first."
                ),
            },
            "provinces_without_representatives": {
                "type": "array",
                "items": {"type": "string"},
                "description": (
                    f"Slugs of the provinces with no active representative in at least one of "
                    f"the {overview.MAIN_COUNTRIES} countries abroad where most of their people live; "
                    "the provinces with most people first."
                ),
            },
            "fields_without_matches": {
                "type": "array",
                "items": {"type": "string"},
                "description": (
                    f"Codes of the fields named by open needs with fewer than "
                    f"{overview.FEW_MATCHES} contactable people tagged with them (consented to "
                    "be contacted by officials, accept contact requests), fewest first."
                ),
            },
            "initiatives_by_province": {
                "type": "object",
                "additionalProperties": {
                    "type": "object",
                    "properties": {state: _COUNT for state in INITIATIVE_STATES},
                    "additionalProperties": False,
                },
                "description": (
                    "Receiving body -> its initiatives per state (every state, zero included), "
                    f'for each body with at least one; the central body is "{overview.CENTRAL}".'
                ),
            },
            "businesses_by_country": {
                **_COUNTS,
                "description": (
                    "ISO country code -> the businesses the caller may see registered or "
                    "operating there (one business may count in several), largest first."
                ),
            },
            "businesses_by_sector": {
                **_COUNTS,
                "description": (
                    "Sector code -> the businesses the caller may see working in it (one "
                    "business may count in several), largest first."
                ),
            },
        },
    },
)


@bp.get("/stats/overview")
@operation(
    "The central overview's figures",
    tags=("stats",),
    response=ref("OverviewStats"),
    errors=(403,),
    auth=True,
    description="For the admin.",
)
def overview_stats():
    user = api_user()
    require_can(user, "dashboard.overview")
    return _figures(overview.overview_stats(user))
