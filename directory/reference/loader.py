"""Load the shipped reference data (provinces, field taxonomy) into the database, idempotently."""

from __future__ import annotations

import sqlalchemy as sa

from directory.extensions import db
from directory.reference.fields import shipped_fields
from directory.reference.models import Field, Province
from directory.reference.provinces import all_provinces


def sync_reference_data(session=None) -> None:
    """Insert or update provinces and fields from the package data; never deletes.

    Provinces follow the shipped file. Fields are only added: a field already in the database
    keeps its labels, synonyms and active flag, because the admin may have edited them.
    """
    session = session or db.session
    existing = {p.slug: p for p in session.scalars(sa.select(Province))}
    for info in all_provinces():
        p = existing.get(info.slug) or Province(slug=info.slug)
        p.name_vi, p.name_en, p.kind = info.name_vi, info.name_en, info.kind
        p.legacy_names = list(info.legacy_names)
        p.legacy_iso_codes = list(info.legacy_iso_codes)
        session.add(p)
    fields = {f.code: f for f in session.scalars(sa.select(Field))}
    for item in shipped_fields():
        if item["code"] in fields:
            continue
        session.add(
            Field(
                code=item["code"],
                group=item["group"],
                label_vi=item["label_vi"],
                label_en=item["label_en"],
                synonyms=list(item.get("synonyms", [])),
                active=True,
            )
        )
    session.commit()
