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
    """Folded code, label or synonym -> code, from the database (the admin may edit it).

    The active fields are read on every call (one small query, so an edit counts at once);
    folding their thousand-odd names is done once per distinct taxonomy: a search with a
    field filter resolved it in 11 ms, most of a search's own time.
    """
    from directory.reference.models import Field

    columns = (Field.code, Field.label_vi, Field.label_en, Field.synonyms)
    rows = db.session.execute(sa.select(*columns).where(Field.active.is_(True))).all()
    taxonomy = tuple((c, vi, en, tuple(synonyms or ())) for c, vi, en, synonyms in rows)
    return dict(_folded_index(taxonomy))


@lru_cache(maxsize=4)
def _folded_index(taxonomy: tuple) -> dict[str, str]:
    index: dict[str, str] = {}
    for code, label_vi, label_en, synonyms in taxonomy:
        for name in (code, label_vi, label_en, *synonyms):
            index.setdefault(fold(name), code)
    return index


def resolve_field(value: str | None, index: dict[str, str] | None = None) -> str | None:
    """The taxonomy code for a code, a label in either language or a synonym, or None."""
    if not value or not value.strip():
        return None
    return (index if index is not None else field_index()).get(fold(value))
