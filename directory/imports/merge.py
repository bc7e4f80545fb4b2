"""Officer decisions on staged rows and merges into existing people."""

from __future__ import annotations

from directory import audit, policy
from directory.core.errors import ValidationError
from directory.extensions import db
from directory.imports.models import ImportBatch, ImportRow
from directory.people.fields import PERSON_FIELDS, field_names
from directory.people.models import Person
from directory.search.outbox import SearchOutbox

# Fields a merge may take from the file (consent stays the member's own decision).
MERGE_FIELDS = field_names(merged=True)
LIST_FIELDS = tuple(f.name for f in PERSON_FIELDS if f.merged and f.is_list)


def set_decision(row: ImportRow, decision: str, by, *, person_id: str | None = None) -> None:
    """Record the officer's choice for one row (create anyway, merge or skip)."""
    if decision not in ("create", "skip", "merge"):
        raise ValidationError({"decision": "invalid"})
    if row.has_errors and decision != "skip":
        from flask_babel import gettext as _

        raise ValidationError({"decision": _("A row with errors cannot be imported.")})
    if decision == "merge":
        target = merge_target(row, person_id)
        if target is None:
            raise ValidationError({"decision": "merge"})
        row.merge_target_id = target.id
    else:
        row.merge_target_id = None
        row.merge_choices = {}
    row.decision = decision


def merge_target(row: ImportRow, person_id: str | None, by=None) -> Person | None:
    """The existing profile this row may merge into: one of its matches (first by default)."""
    candidates = [m["person_id"] for m in row.matches if m.get("person_id")]
    if person_id is None:
        person_id = row.merge_target_id or (candidates[0] if candidates else None)
    if person_id not in candidates:
        return None
    person = db.session.get(Person, person_id)
    if person is None or person.anonymised_at is not None:
        return None
    if by is not None and not policy.can(by, "person.edit", person):
        return None
    return person


def merge_fields(row: ImportRow, person: Person) -> list[dict]:
    """The merge screen: each field with the existing and imported values and the default choice.

    Only fields the file gives are listed; by default the existing value is kept unless empty.
    """
    out = []
    for name in MERGE_FIELDS:
        if name not in row.values:
            continue
        imported = row.values.get(name)
        existing = getattr(person, name)
        if imported in (None, "", []):
            continue
        same = imported == existing
        choice = row.merge_choices.get(name)
        if choice is None:
            choice = "existing" if existing not in (None, "", []) else "import"
        out.append(
            {
                "name": name,
                "existing": existing,
                "imported": imported,
                "same": same,
                "is_list": name in LIST_FIELDS,
                "choice": choice,
            }
        )
    return out


def set_merge_choices(row: ImportRow, person: Person, choices: dict[str, str], by) -> None:
    """Save the field-by-field choices of a merge and mark the row for merging."""
    allowed = {"existing", "import", "both"}
    clean = {}
    for item in merge_fields(row, person):
        choice = choices.get(item["name"], item["choice"])
        if choice not in allowed or (choice == "both" and not item["is_list"]):
            choice = item["choice"]
        clean[item["name"]] = choice
    row.decision = "merge"
    row.merge_target_id = person.id
    row.merge_choices = clean


def apply_merge(batch: ImportBatch, row: dict, person: Person, by, now) -> list[str]:
    """Write the chosen imported values into ``person``; each remembers where it came from."""
    values, choices = row["values"], row["merge_choices"] or {}
    sources = dict(person.field_sources or {})
    changed = []
    for name in MERGE_FIELDS:
        choice = choices.get(name)
        if choice not in ("import", "both") or name not in values:
            continue
        new = values[name]
        if choice == "both" and name in LIST_FIELDS:
            new = list(dict.fromkeys([*(getattr(person, name) or []), *(new or [])]))
        if new == getattr(person, name):
            continue
        setattr(person, name, new)
        if name == "hometown_province":
            person.hometown_as_given = values.get("hometown_as_given")
        if name == "full_name":
            person.name_key = values.get("name_key")
        sources[name] = {
            "source": f"import:{batch.file_name}",
            "batch": batch.id,
            "at": now.isoformat(),
        }
        changed.append(name)
    if changed:
        person.field_sources = sources
        person.updated_at = now
        audit.record(
            "person.merge",
            person,
            actor=by,
            details={"batch": batch.id, "row": row["row_number"], "fields": changed},
        )
        db.session.add(SearchOutbox(entity_type="person", entity_id=person.id))
    return changed


class MergeTargetGone(Exception):
    def __init__(self, row_number: int):
        super().__init__(row_number)
        self.row_number = row_number
