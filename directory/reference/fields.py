"""The bilingual field taxonomy: loading, and resolving codes or labels to codes."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

import sqlalchemy as sa

from directory.extensions import db
from search_index.normalize import fold


@lru_cache(maxsize=1)
def shipped_fields() -> tuple[dict, ...]:
    """The taxonomy as shipped in ``reference/data/fields.json``."""
    text = resources.files("directory.reference").joinpath("data/fields.json").read_text("utf-8")
    return tuple(json.loads(text))


def field_index() -> dict[str, str]:
    """Folded code, label or synonym -> code, from the database (the admin may edit it)."""
    from directory.reference.models import Field

    index: dict[str, str] = {}
    for f in db.session.scalars(sa.select(Field).where(Field.active.is_(True))):
        for name in (f.code, f.label_vi, f.label_en, *(f.synonyms or [])):
            index.setdefault(fold(name), f.code)
    return index


def resolve_field(value: str | None, index: dict[str, str] | None = None) -> str | None:
    """The taxonomy code for a code, a label in either language or a synonym, or None."""
    if not value or not value.strip():
        return None
    return (index if index is not None else field_index()).get(fold(value))
