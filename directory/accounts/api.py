"""/api/v1/me: who the caller is, so that integrations find the ids they act with."""

from __future__ import annotations

from flask import jsonify

from directory.accounts.models import ROLES
from directory.api.core import api_blueprint, operation, require_api_user
from directory.api.schemas import register_schema

bp = api_blueprint("accounts_api")

register_schema(
    "Me",
    {
        "type": "object",
        "required": ["id", "email", "role", "province", "mission", "approver", "person_id"],
        "properties": {
            "id": {"type": "string"},
            "email": {"type": "string", "format": "email"},
            "role": {"type": "string", "enum": list(ROLES)},
            "province": {"type": ["string", "null"], "description": "Province slug (officers)."},
            "mission": {"type": ["string", "null"], "description": "Mission code (embassies)."},
            "approver": {"type": "boolean"},
            "person_id": {"type": ["string", "null"], "description": "The member's profile."},
        },
    },
)


@bp.get("/me")
@operation(
    "The caller's account: role, province, mission, approver flag, profile",
    tags=("accounts",),
    response={"$ref": "#/components/schemas/Me"},
    auth=True,
)
def me():
    """Who the token (or the browser session) belongs to."""
    user = require_api_user()
    return jsonify(
        {
            "id": user.id,
            "email": user.email,
            "role": user.role,
            "province": user.province_slug,
            "mission": user.mission.code if user.mission is not None else None,
            "approver": bool(user.is_approver),
            "person_id": user.person_id,
        }
    )
