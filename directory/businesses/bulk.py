"""Businesses from an import: the business domain writes them, the import decides which.

The values were checked by :func:`directory.businesses.inputs.normalize_business_input` when
the file was read; these functions add to the caller's transaction (the import commits every
row or none) and write each business's audit event. The search outbox row follows the model
change (``businesses/search.py``).
"""

from __future__ import annotations

from directory import audit
from directory.businesses.models import Business
from directory.extensions import db

# Keys an import writes (the values of a checked row); the rest keep a new business's defaults.
IMPORTED = (
    "name",
    "name_key",
    "other_names",
    "legal_form",
    "country",
    "operates_in",
    "cities",
    "sectors",
    "size_band",
    "founded_year",
    "website",
    "website_domain",
    "email",
    "phone",
    "description",
    "presence_in_vietnam",
    "interests",
)
LIST_KEYS = (
    "other_names",
    "operates_in",
    "cities",
    "sectors",
    "presence_in_vietnam",
    "interests",
)
# Never taken from a file into an existing business: what it is called and where it is
# registered (the duplicate match) stay as they are.
KEPT = ("name", "name_key", "country")


def add_imported(
    values: dict, business_id: str, by, *, mission_id: str, batch_id: str, row: int
) -> Business:
    """A new business from an import row: unverified, unlisted, both groups for officials."""
    defaults = dict.fromkeys(LIST_KEYS, [])
    business = Business(
        id=business_id,
        registered_by_id=getattr(by, "id", None),
        provenance_mission_id=mission_id,
        consent_listed=False,
        **{**defaults, **{k: values[k] for k in IMPORTED if k in values}},
    )
    db.session.add(business)
    audit.record(
        "business.create",
        business,
        actor=by,
        details={"country": business.country, "import": batch_id, "row": row},
    )
    return business


def _merged_list(key: str, current: list, new: list) -> list:
    out = list(current or [])
    for item in new or []:
        if item not in out:
            out.append(item)
    if key == "presence_in_vietnam" and len(out) > 1:
        # "No presence" stands alone: an actual presence replaces it.
        out = [p for p in out if p.get("kind") != "none"]
    return out


def merge_imported(business: Business, values: dict, by, *, batch_id: str, row: int) -> list:
    """Complete an existing business from an import row: its empty values are filled and its
    lists gain the file's new items; nothing it has is overwritten. Returns the changed keys."""
    changed = []
    for key in IMPORTED:
        if key in KEPT or key not in values or values[key] in (None, "", []):
            continue
        current = getattr(business, key)
        if key in LIST_KEYS:
            new = _merged_list(key, current, values[key])
        elif current in (None, ""):
            new = values[key]
        else:
            continue
        if new != current:
            setattr(business, key, new)
            changed.append(key)
    if changed:
        audit.record(
            "business.update",
            business,
            actor=by,
            details={
                "changed": [k for k in changed if k != "website_domain"],
                "import": batch_id,
                "row": row,
            },
        )
    return changed
