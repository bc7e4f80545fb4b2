"""Many new people at once (imports, scripts): the bulk writer of ``Person`` and its consents.

The rows are normalised by the caller with ``normalize_person_input``; this module decides the
defaults of a new profile written in bulk, its consent records and its search outbox row, and
sends them to the database in chunks (COPY on PostgreSQL) to keep large imports fast.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from directory.core.bulk import bulk_insert
from directory.core.models import new_id, utcnow
from directory.extensions import db
from directory.people.consent import initial_consent_records
from directory.people.models import ConsentRecord, Person
from directory.search.outbox import SearchOutbox, enqueued_in_bulk

CHUNK = 2000


def base_row(*, provenance: str, mission_id: str | None, source: str | None, by, now) -> dict:
    """The defaults of a profile written in bulk: for officials only, no consent, no contact."""
    return {
        "id": None,
        "full_name": "",
        "name_key": None,
        "other_names": [],
        "kinds": [],
        "fields": [],
        "skills": [],
        "title": None,
        "organization": None,
        "languages": [],
        "country": None,
        "city": None,
        "hometown_province": None,
        "hometown_as_given": None,
        "email": None,
        "phone": None,
        "website": None,
        "links": [],
        "bio": None,
        "birth_year": None,
        "visibility_profile": "officials",
        "visibility_contact": "private",
        "consent_listed": False,
        "consent_contact": False,
        "consent_at": now,
        "consent_notice_version": current_app.config["PRIVACY_NOTICE_VERSION"],
        "provenance": provenance,
        "provenance_mission_id": mission_id,
        "provenance_source": source[:255] if source else source,
        "registered_by_id": getattr(by, "id", None),
        "field_sources": {},
        "created_at": now,
        "updated_at": now,
    }


def person_row(values: dict, person_id: str, base: dict, *, listed: bool) -> dict:
    """One ``people`` insert row: the template of defaults, then the normalised values.

    Consent is never taken from the values: ``listed`` is what the caller's evidence says.
    """
    row = dict(base)
    for key, value in values.items():
        if key in row and not key.startswith("consent_"):
            row[key] = value
    row["id"] = person_id
    row["consent_listed"] = bool(listed)
    row["consent_contact"] = False
    return row


class NewPeople:
    """Collects new people and writes them, with consent and outbox rows, in bulk.

    Adds to the current transaction and never commits: the caller commits all or nothing.
    A person is listed only with ``evidence`` (the consent the caller attests); otherwise every
    purpose is recorded as not granted, decided by the official.
    """

    def __init__(
        self,
        by,
        *,
        provenance: str,
        mission_id: str | None,
        source: str | None,
        evidence: dict | None = None,
        at: datetime | None = None,
        chunk: int = CHUNK,
    ):
        self.by, self.evidence, self.chunk = by, evidence, chunk
        self.now = at or utcnow()
        self.base = base_row(
            provenance=provenance, mission_id=mission_id, source=source, by=by, now=self.now
        )
        self.people: list[dict] = []
        self.consents: list[dict] = []
        self.outbox: list[dict] = []
        # The consent records of a listed and of an unlisted person, decided once: every
        # person of the batch gets a copy with its own ids (see :meth:`_consents`).
        self._consent_templates: dict[bool, list[dict]] = {}

    def _consents(self, person_id: str, listed: bool) -> list[dict]:
        """``initial_consent_records`` of one person, from the template of its ``listed``."""
        template = self._consent_templates.get(listed)
        if template is None:
            template = self._consent_templates[listed] = initial_consent_records(
                "",
                {"listed": listed, "contact": False},
                self.by,
                decisions={"listed": "evidence" if listed else "official"},
                evidence=self.evidence,
                at=self.now,
            )
        return [{**record, "id": new_id(), "person_id": person_id} for record in template]

    def add(self, values: dict, person_id: str, *, listed: bool = False) -> bool:
        """Queue one person (flushing a full chunk); returns whether they are listed."""
        listed = bool(listed) and self.evidence is not None
        self.people.append(person_row(values, person_id, self.base, listed=listed))
        self.outbox.append(
            {"entity_type": "person", "entity_id": person_id, "created_at": self.now, "attempts": 0}
        )
        self.consents.extend(self._consents(person_id, listed))
        if len(self.people) >= self.chunk:
            self.flush()
        return listed

    def flush(self) -> None:
        """Send the queued rows to the database (people first: the others refer to them)."""
        bulk_insert(Person, self.people)
        bulk_insert(ConsentRecord, self.consents)
        bulk_insert(SearchOutbox, self.outbox)
        if self.outbox:
            enqueued_in_bulk(db.session)
        self.people.clear()
        self.consents.clear()
        self.outbox.clear()
