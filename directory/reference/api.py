"""Reference data API: the field taxonomy and the provinces."""

from __future__ import annotations

import sqlalchemy as sa
from flask import jsonify
from sqlalchemy.orm import selectinload

from directory.api.core import api_blueprint, list_of, operation
from directory.extensions import db
from directory.reference.models import Field, Province

bp = api_blueprint("reference_api")


@bp.get("/fields")
@operation(
    "The field taxonomy, with labels in Vietnamese and English and their synonyms",
    tags=("reference",),
    response=list_of("Field"),
)
def fields():
    """The active fields of the taxonomy, by code."""
    rows = db.session.scalars(sa.select(Field).where(Field.active.is_(True)).order_by(Field.code))
    return jsonify([f.to_dict() for f in rows])


@bp.get("/provinces")
@operation(
    "Vietnam's 34 provinces, their dated names and the legacy names they absorbed",
    tags=("reference",),
    response=list_of("Province"),
)
def provinces():
    """Every province, by slug: its name and kind today, every name it has had, with dates."""
    rows = db.session.scalars(
        sa.select(Province).options(selectinload(Province.names)).order_by(Province.slug)
    )
    return jsonify([p.to_dict() for p in rows])
