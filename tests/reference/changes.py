"""Ship an administrative change the way a release does: one more dated row in the data file.

``ship_name(monkeypatch, slug, ...)`` closes the unit's current name on ``valid_from`` and adds
the new one, exactly as an edit of ``directory/reference/data/province_names.csv`` would;
``run_data_migration()`` then runs what the change's data migration runs
(:func:`migrations.reference_data.load_reference_data`, inside an Alembic operations
context, on its own connection). Caches built from the shipped files are cleared on both
sides, as a restart after a release would.
"""

from __future__ import annotations

import csv
import io
from datetime import date

from alembic.migration import MigrationContext
from alembic.operations import Operations

from directory.extensions import db
from directory.reference import provinces


def clear_reference_caches() -> None:
    from directory.search import documents
    from directory.search import services as search_services

    provinces.clear_caches()
    documents._province_text.cache_clear()
    search_services._reference_words.cache_clear()


def ship_name(
    monkeypatch,
    slug: str,
    name_vi: str,
    name_en: str,
    kind: str,
    valid_from: date,
    basis: str = "",
) -> None:
    """From ``valid_from``, the unit ``slug`` is named ``name_vi`` / ``name_en`` of ``kind``."""
    shipped = provinces._data_text

    def data_text(name: str) -> str:
        text = shipped(name)
        if name != "province_names.csv":
            return text
        rows = list(csv.DictReader(io.StringIO(text)))
        for row in rows:
            if row["slug"] == slug and not row["valid_to"]:
                row["valid_to"] = valid_from.isoformat()
        rows.append(
            {
                "slug": slug,
                "name_vi": name_vi,
                "name_en": name_en,
                "kind": kind,
                "valid_from": valid_from.isoformat(),
                "valid_to": "",
                "basis": basis,
            }
        )
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue()

    monkeypatch.setattr(provinces, "_data_text", data_text)
    clear_reference_caches()


def run_data_migration() -> None:
    """What a data migration's ``upgrade()`` runs, on a connection of its own."""
    from migrations.reference_data import load_reference_data

    db.session.remove()
    with db.engine.connect() as conn:
        with Operations.context(MigrationContext.configure(conn)):
            load_reference_data()
        conn.commit()
