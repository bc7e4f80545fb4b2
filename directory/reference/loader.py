"""Load the shipped reference data (provinces, field taxonomy) into the database, idempotently."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from directory.extensions import db
from directory.reference.fields import shipped_fields
from directory.reference.models import Field, Province, ProvinceName
from directory.reference.provinces import all_provinces


def sync_reference_data(session=None) -> list[str]:
    """Make the provinces follow the shipped files and add new fields; run twice, change nothing.

    Provinces and their legacy units follow ``provinces.csv``; each province's dated names
    follow ``province_names.csv`` exactly (rows are matched on their start date, updated,
    added or removed); no province is ever deleted (people and users point to them). When a
    unit already in the database gains or loses a wording, the search documents of the
    people and associations of that unit are queued for rebuilding (the search outbox), so
    that the new wording is searchable and the old one stays so.

    Fields are only added: a field already in the database keeps its labels, synonyms and
    active flag, because the admin may have edited them.

    Returns the slugs of the units whose wordings changed.
    """
    session = session or db.session
    existing = {
        p.slug: p
        for p in session.scalars(sa.select(Province).options(selectinload(Province.names)))
    }
    renamed: list[str] = []
    for info in all_provinces():
        p = existing.get(info.slug)
        if p is None:
            p = Province(slug=info.slug)
            session.add(p)
        elif _wordings(p.names) != {(n.name_vi, n.name_en) for n in info.names}:
            renamed.append(info.slug)
        if list(p.legacy_names or []) != list(info.legacy_names):
            p.legacy_names = list(info.legacy_names)
        if list(p.legacy_iso_codes or []) != list(info.legacy_iso_codes):
            p.legacy_iso_codes = list(info.legacy_iso_codes)
        _sync_names(p, info.names)
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
    if renamed:
        _queue_documents(session, renamed)
    session.commit()
    return renamed


def _wordings(rows) -> set[tuple[str, str]]:
    return {(n.name_vi, n.name_en) for n in rows}


def _sync_names(province: Province, shipped) -> None:
    """The province's name rows become exactly the shipped ones (matched on valid_from)."""
    rows = {n.valid_from: n for n in province.names}
    for name in shipped:
        row = rows.pop(name.valid_from, None)
        if row is None:
            row = ProvinceName(valid_from=name.valid_from)
            province.names.append(row)
        values = {
            "name_vi": name.name_vi,
            "name_en": name.name_en,
            "kind": name.kind,
            "valid_to": name.valid_to,
            "basis": name.basis or None,
        }
        for key, value in values.items():
            if getattr(row, key) != value:
                setattr(row, key, value)
    for row in rows.values():
        province.names.remove(row)


def _queue_documents(session, slugs: list[str]) -> None:
    """Queue the search documents of the people and associations of these units.

    Plain table expressions, not the models: a data migration runs this against the schema
    of its time.
    """
    from directory.search.outbox import enqueue_in

    people = sa.table("people", sa.column("id"), sa.column("hometown_province"))
    associations = sa.table("associations", sa.column("id"), sa.column("province_slug"))
    for entity_type, table, column in (
        ("person", people, people.c.hometown_province),
        ("association", associations, associations.c.province_slug),
    ):
        for entity_id in session.scalars(sa.select(table.c.id).where(column.in_(slugs))):
            enqueue_in(session, entity_type, entity_id)
