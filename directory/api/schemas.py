"""JSON Schemas of the API's resources, published as ``components.schemas`` in the OpenAPI document.

A domain adds its own with :func:`register_schema` (at import time of its ``api.py``) and refers
to it with ``directory.api.core.ref(name)``.
"""

from __future__ import annotations

from flask_babel import gettext as _

from directory.associations.models import ASSOCIATION_KINDS, MEMBERSHIP_ROLES, MEMBERSHIP_STATUSES
from directory.people.models import EVIDENCE_SOURCES, KINDS, VISIBILITY_LEVELS

_SCHEMAS: dict[str, dict] = {}


def register_schema(name: str, schema: dict) -> dict:
    """Publish ``schema`` as ``#/components/schemas/<name>`` (the same name twice must agree)."""
    if name in _SCHEMAS and _SCHEMAS[name] != schema:
        raise RuntimeError(f"API schema {name!r} registered twice with different content")
    _SCHEMAS[name] = schema
    return schema


def schemas() -> dict[str, dict]:
    """Every registered component schema, by name."""
    return dict(sorted(_SCHEMAS.items()))


def _json_type(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _type_message(expected: set[str], item: dict | None) -> str:
    if "array" in expected:
        if item and item.get("type") == "string":
            return _("Enter a list of texts.")
        return _("Enter a list.")
    if "string" in expected:
        return _("Enter text.")
    if "integer" in expected:
        return _("Enter a whole number.")
    if "boolean" in expected:
        return _("Enter true or false.")
    if "object" in expected:
        return _("Enter an object.")
    return _("This value has the wrong type.")


def _resolve(schema: dict) -> dict:
    target = schema.get("$ref", "")
    if target.startswith("#/components/schemas/"):
        return _SCHEMAS.get(target.rsplit("/", 1)[1], {})
    return schema


def _check(value, schema: dict, path: str, errors: dict) -> None:
    schema = _resolve(schema)
    declared = schema.get("type")
    if declared is None:
        return
    expected = {declared} if isinstance(declared, str) else set(declared)
    actual = _json_type(value)
    if actual not in expected and not (actual == "integer" and "number" in expected):
        errors[path] = _type_message(expected, schema.get("items"))
        return
    if actual == "array" and "items" in schema:
        for item in value:
            item_errors: dict = {}
            _check(item, schema["items"], path, item_errors)
            if item_errors:
                errors[path] = _type_message(expected, _resolve(schema["items"]))
                return
    elif actual == "object" and "properties" in schema:
        for key, item in value.items():
            if key in schema["properties"]:
                _check(item, schema["properties"][key], f"{path}.{key}", errors)


def type_errors(data: dict, name: str) -> dict[str, str]:
    """{key: message} for each given key whose JSON type differs from schema ``name``.

    Unknown and read-only keys are left to the service, which refuses them with its own words.
    """
    properties = _SCHEMAS[name]["properties"]
    errors: dict[str, str] = {}
    for key, value in data.items():
        prop = properties.get(key)
        if prop is not None and not prop.get("readOnly"):
            _check(value, prop, key, errors)
    return errors


def _string(max_length: int | None = None, nullable: bool = True, **extra) -> dict:
    schema: dict = {"type": ["string", "null"] if nullable else "string", **extra}
    if max_length:
        schema["maxLength"] = max_length
    return schema


def _strings(max_items: int = 50) -> dict:
    return {"type": "array", "items": {"type": "string"}, "maxItems": max_items}


def _read_only(schema: dict) -> dict:
    return {**schema, "readOnly": True}


register_schema(
    "Error",
    {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message", "fields"],
                "properties": {
                    "code": {"type": "string", "examples": ["invalid"]},
                    "message": {
                        "type": "string",
                        "description": "In the caller's language (Accept-Language; vi default).",
                    },
                    "fields": {
                        "type": "object",
                        "additionalProperties": {"type": "string"},
                        "description": "Per-field messages, for validation errors.",
                    },
                },
            }
        },
    },
)

register_schema(
    "Collection",
    {
        "type": "object",
        "required": ["items", "total", "page", "per_page"],
        "properties": {
            "items": {"type": "array", "items": {}},
            "total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1},
        },
    },
)

register_schema(
    "Field",
    {
        "type": "object",
        "required": ["code", "label_vi", "label_en", "synonyms"],
        "properties": {
            "code": {"type": "string", "examples": ["semiconductors"]},
            "label_vi": {"type": "string", "examples": ["Bán dẫn"]},
            "label_en": {"type": "string", "examples": ["Semiconductors"]},
            "synonyms": _strings(200),
        },
    },
)

register_schema(
    "Province",
    {
        "type": "object",
        "description": (
            "A provincial unit. `name_vi`, `name_en` and `kind` are those valid today; "
            "`legacy_names` lists every earlier wording (the units of the 63-unit list it "
            "covers, then its own former names); `names` is its dated history."
        ),
        "required": ["slug", "name_vi", "name_en", "legacy_names"],
        "properties": {
            "slug": {"type": "string", "examples": ["da-nang"]},
            "name_vi": {"type": "string", "examples": ["Đà Nẵng"]},
            "name_en": {"type": "string", "examples": ["Da Nang"]},
            "kind": {
                "type": "string",
                "enum": ["province", "city"],
                "description": "`city`: a centrally-run city (thành phố trực thuộc trung ương).",
            },
            "legacy_names": _strings(10),
            "names": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/ProvinceName"},
                "description": "Every name the unit has had, oldest first.",
            },
        },
    },
)

register_schema(
    "ProvinceName",
    {
        "type": "object",
        "description": (
            "One name of a unit and when it applied: from `valid_from` (included) until "
            "`valid_to` (excluded); null means open."
        ),
        "required": ["name_vi", "name_en", "kind", "valid_from", "valid_to"],
        "properties": {
            "name_vi": {"type": "string", "examples": ["Thừa Thiên Huế"]},
            "name_en": {"type": "string", "examples": ["Thua Thien Hue"]},
            "kind": {"type": "string", "enum": ["province", "city"]},
            "valid_from": {"type": ["string", "null"], "format": "date"},
            "valid_to": {"type": ["string", "null"], "format": "date", "examples": ["2025-01-01"]},
            "basis": {
                "type": ["string", "null"],
                "description": "The legal act, e.g. Nghị quyết 175/2024/QH15.",
            },
        },
    },
)

_VISIBILITY = {"type": "string", "enum": list(VISIBILITY_LEVELS)}

register_schema(
    "Person",
    {
        "type": "object",
        "description": (
            "A diaspora member's profile. Fields the caller may not see are absent. On input, "
            "`fields` also accepts taxonomy labels in either language and `hometown_province` "
            "any current or legacy province name, with or without diacritics."
        ),
        "required": ["full_name"],
        "properties": {
            "id": _read_only({"type": "string"}),
            "full_name": _string(200, nullable=False, minLength=1),
            "other_names": _strings(),
            "kinds": {
                "type": "array",
                "items": {"type": "string", "enum": list(KINDS)},
                "uniqueItems": True,
            },
            "fields": {**_strings(), "description": "Field taxonomy codes (GET /api/v1/fields)."},
            "skills": _strings(),
            "title": _string(200),
            "organization": _string(200),
            "sector": _string(200),
            "education": _string(2000),
            "company": _string(200),
            "company_sector": _string(200),
            "company_size": _string(40),
            "company_website": _string(300),
            "country": _string(2, pattern="^[A-Z]{2}$", description="ISO 3166-1 alpha-2."),
            "city": _string(120),
            "hometown_province": _string(120, description="Province slug (GET /api/v1/provinces)."),
            "hometown_as_given": _read_only(_string(120)),
            "languages": {**_strings(), "description": "ISO 639-1 codes."},
            "email": _string(254, format="email"),
            "phone": _string(40, description="E.164 on output."),
            "website": _string(300),
            "links": {**_strings(10), "description": "Professional links (http or https)."},
            "bio": _string(5000),
            "birth_year": {"type": ["integer", "null"], "minimum": 1900, "maximum": 2100},
            "consent_listed": {
                "type": "boolean",
                "description": (
                    "Listed in the directory (shown to the member and the admin). The member "
                    "gives it; an official recording it on an unclaimed profile must send "
                    "`consent_evidence`; officials never change it on a claimed profile."
                ),
            },
            "consent_contact": {
                "type": "boolean",
                "description": "Officials may contact them (the same rules as `consent_listed`).",
            },
            "contact_requests_enabled": {
                "type": "boolean",
                "description": (
                    "Officials may send the member contact requests (default true); the "
                    "member's choice alone. When false, a request is refused with 409 "
                    "`contact_requests_off`."
                ),
            },
            "consent_evidence": {
                "type": "object",
                "writeOnly": True,
                "description": (
                    "Required when an official sets `consent_listed` or `consent_contact` to "
                    "true on an unclaimed profile: how and when the person gave consent outside "
                    "the directory. Stored with the consent record and shown in the audit log."
                ),
                "required": ["source", "date"],
                "properties": {
                    "source": {"type": "string", "enum": list(EVIDENCE_SOURCES)},
                    "date": {
                        "type": "string",
                        "format": "date",
                        "description": "When consent was given (YYYY-MM-DD, not in the future).",
                    },
                    "reference": _string(200, description="The form, letter or message."),
                },
                "additionalProperties": False,
            },
            "confirm_duplicate": {
                "type": "boolean",
                "writeOnly": True,
                "description": (
                    "Input only, `POST /api/v1/people`: register although likely duplicates "
                    "exist (the import's matching: same email or phone; same name with the same "
                    "birth year or city). Without it, such a request is a 409 `duplicate` "
                    "listing the `candidates` the caller may see, and nothing is written."
                ),
            },
            "visibility": {
                "type": "object",
                "description": (
                    "Who sees each group of fields. Only the member may make a group public; "
                    "an official may narrow an unclaimed profile's groups to `officials` or "
                    "`private`."
                ),
                "properties": {"contact": _VISIBILITY, "profile": _VISIBILITY},
                "additionalProperties": False,
            },
            "verified": _read_only(
                {
                    "type": "boolean",
                    "description": (
                        "A mission verified the profile and no verified field (name, title, "
                        "organization, company, country, city) changed since."
                    ),
                }
            ),
            "verified_at": _read_only(
                {
                    "type": "string",
                    "format": "date-time",
                    "description": "When it was verified; for officials and the member.",
                }
            ),
            "changed_since_verification": _read_only(
                {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": (
                        "The verified fields changed since the verification; for officials "
                        "and the member, on a verified profile."
                    ),
                }
            ),
            "created_at": _read_only({"type": "string", "format": "date-time"}),
            "updated_at": _read_only({"type": "string", "format": "date-time"}),
        },
    },
)

register_schema(
    "Membership",
    {
        "type": "object",
        "description": (
            "A person's role in an association. It is proposed, then accepted or declined by "
            "the person (or, for an unclaimed profile, by the mission that registered it); "
            "only accepted memberships are shown."
        ),
        "required": ["person_id", "role"],
        "properties": {
            "id": _read_only({"type": "string"}),
            "association_id": _read_only({"type": "string"}),
            "association_name": _read_only({"type": ["string", "null"]}),
            "person_id": {"type": "string"},
            "full_name": _read_only({"type": "string"}),
            "role": {"type": "string", "enum": list(MEMBERSHIP_ROLES)},
            "start_date": {"type": ["string", "null"], "format": "date"},
            "end_date": {"type": ["string", "null"], "format": "date"},
            "status": _read_only({"type": "string", "enum": list(MEMBERSHIP_STATUSES)}),
            "proposed_at": _read_only({"type": ["string", "null"], "format": "date-time"}),
            "decided_at": _read_only({"type": ["string", "null"], "format": "date-time"}),
        },
    },
)

register_schema(
    "Association",
    {
        "type": "object",
        "description": "A hometown, professional or business association of the diaspora.",
        "required": ["name", "kind", "country"],
        "properties": {
            "id": _read_only({"type": "string"}),
            "name": _string(250, nullable=False, minLength=1),
            "name_en": _string(250),
            "kind": {"type": "string", "enum": list(ASSOCIATION_KINDS)},
            "province": _string(
                120,
                description=(
                    "Province slug (input: any current or legacy name); required for hometown "
                    "associations."
                ),
            ),
            "country": _string(2, nullable=False, pattern="^[A-Z]{2}$"),
            "city": _string(120),
            "founded_year": {"type": ["integer", "null"], "minimum": 1800, "maximum": 2100},
            "member_count": {"type": ["integer", "null"], "minimum": 0},
            "fields": _strings(),
            "email": _string(254, format="email"),
            "phone": _string(40),
            "website": _string(300),
            "description": _string(5000),
            "members": _read_only(
                {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/Membership"},
                    "description": "Accepted memberships of people the caller may see.",
                }
            ),
            "proposals": _read_only(
                {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/Membership"},
                    "description": (
                        "Proposed and declined memberships; only for those who manage the members."
                    ),
                }
            ),
            "business_members": _read_only(
                {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "business_id": {"type": "string"},
                            "name": {"type": "string"},
                            "country": {"type": "string"},
                            "since": {"type": ["string", "null"], "format": "date"},
                        },
                    },
                    "description": (
                        "Businesses listed as members (business associations), those the "
                        "caller may see."
                    ),
                }
            ),
            "verified": _read_only({"type": "boolean"}),
            "created_at": _read_only({"type": "string", "format": "date-time"}),
            "updated_at": _read_only({"type": "string", "format": "date-time"}),
        },
    },
)
