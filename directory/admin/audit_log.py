"""The audit log as people read it: labels instead of codes, names and links instead of ids,
details as "label: value" lines; and its CSV download.

The events themselves keep codes and ids only (``directory.audit``); everything here is looked
up when the page is shown, in the reader's language, so an event about a record deleted since
keeps its id.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import gettext as _

from directory import audit
from directory.admin.audit_labels import (
    FIELD_NAME_LABELS,
    action_label,
    detail_label,
    object_type_label,
)
from directory.audit import AuditEvent
from directory.core.templating import format_datetime_tz, province_name
from directory.extensions import db
from directory.i18n import current_locale
from directory.reference.countries import country_name

# Record type -> (model path, endpoint, URL argument); names come from ``_name_of``.
RECORDS = {
    "people": ("directory.people.models:Person", "people.detail", "person_id"),
    "users": ("directory.accounts.models:User", "admin.user_edit", "user_id"),
    "associations": (
        "directory.associations.models:Association",
        "associations.detail",
        "association_id",
    ),
    "missions": ("directory.missions.models:Mission", "admin.mission_edit", "mission_id"),
    "nominations": (
        "directory.representatives.models:Nomination",
        "representatives.detail",
        "nomination_id",
    ),
    "initiatives": (
        "directory.initiatives.models:Initiative",
        "initiatives.detail",
        "initiative_id",
    ),
    "needs": ("directory.needs.models:Need", "needs.detail", "need_id"),
    "contact_requests": (
        "directory.contacts.models:ContactRequest",
        "contacts.detail",
        "request_id",
    ),
    "import_batches": ("directory.imports.models:ImportBatch", "imports.status", "batch_id"),
}
# Detail keys holding the id of a record of one of those types.
ID_DETAILS = {
    "person_id": "people",
    "user_id": "users",
    "assignee_id": "users",
    "need_id": "needs",
    "batch": "import_batches",
    "mission": "missions",
}
STATE_DETAILS = ("from", "to")
PROVINCE_DETAILS = ("province", "from_province", "to_province")
COUNTRY_DETAILS = ("country", "countries", "added", "removed")
FIELD_DETAILS = ("fields", "changed", "shared")


@dataclass
class Ref:
    """A record named for the reader, with a link when it still exists and has a page."""

    text: str
    url: str | None = None


@dataclass
class Row:
    event: AuditEvent
    action: str
    actor: Ref | None
    actor_role: str
    record_type: str
    record: Ref | None
    details: list[tuple[str, Ref]] = field(default_factory=list)

    def details_text(self) -> str:
        return "; ".join(f"{label}: {value.text}" for label, value in self.details)


def _model(path: str):
    module, name = path.split(":")
    return getattr(__import__(module, fromlist=[name]), name)


def _name_of(object_type: str, obj) -> str:
    if object_type == "people":
        return obj.full_name or obj.id
    if object_type == "users":
        return obj.email
    if object_type == "associations":
        return (obj.name_en if current_locale() == "en" and obj.name_en else obj.name) or obj.id
    if object_type == "missions":
        return f"{obj.code} · {obj.name}"
    if object_type == "nominations":
        person = obj.person.full_name if obj.person is not None else obj.person_id
        return f"{person} · {province_name(obj.province_slug)} · {country_name(obj.country, current_locale())}"
    if object_type in ("initiatives", "needs"):
        return obj.title
    if object_type == "contact_requests":
        return obj.person.full_name if obj.person is not None else obj.id
    if object_type == "import_batches":
        return obj.file_name
    return str(obj.id)


def _url(object_type: str, object_id: str) -> str | None:
    _path, endpoint, arg = RECORDS[object_type]
    if endpoint not in current_app.view_functions:
        return None
    try:
        return url_for(endpoint, **{arg: object_id})
    except Exception:  # noqa: BLE001 - a URL rule with another argument name: no link
        return None


class Names:
    """Every record the events mention, looked up in one query per type."""

    def __init__(self, wanted: dict[str, set[str]]):
        self.found: dict[tuple[str, str], Ref] = {}
        for object_type, ids in wanted.items():
            ids = {i for i in ids if i}
            if not ids or object_type not in RECORDS:
                continue
            model = _model(RECORDS[object_type][0])
            for obj in db.session.scalars(sa.select(model).where(model.id.in_(ids))):
                self.found[(object_type, str(obj.id))] = Ref(
                    _name_of(object_type, obj), _url(object_type, str(obj.id))
                )

    def ref(self, object_type: str | None, object_id) -> Ref:
        object_id = "" if object_id is None else str(object_id)
        return self.found.get((object_type or "", object_id)) or Ref(object_id)


def _wanted(events: Iterable[AuditEvent]) -> dict[str, set[str]]:
    wanted: dict[str, set[str]] = defaultdict(set)
    for e in events:
        if e.actor_id:
            wanted["users"].add(e.actor_id)
        if e.object_type and e.object_id:
            wanted[e.object_type].add(e.object_id)
        for key, object_type in ID_DETAILS.items():
            value = (e.details or {}).get(key)
            if isinstance(value, str):
                wanted[object_type].add(value)
    return wanted


def _state_label(action: str, state) -> str:
    if not isinstance(state, str):
        return _value_text(state)
    domain = action.split(".", 1)[0]
    if domain == "nomination":
        from directory.representatives.states import state_label
    elif domain == "initiative":
        from directory.initiatives.services import state_label
    elif domain == "contact_request":
        from directory.contacts.services import state_label
    else:
        return state
    return state_label(state)


def _value_text(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(_value_text(v) for v in value) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{detail_label(k)}: {_value_text(v)}" for k, v in value.items())
    return str(value)


def _field_name(name) -> str:
    label = FIELD_NAME_LABELS.get(name) if isinstance(name, str) else None
    return str(label) if label is not None else _value_text(name)


def _detail(event: AuditEvent, key: str, value, names: Names) -> Ref:
    locale = current_locale()
    if key in ID_DETAILS and isinstance(value, str):
        return names.ref(ID_DETAILS[key], value)
    if key in STATE_DETAILS:
        return Ref(_state_label(event.action, value))
    if key in PROVINCE_DETAILS and isinstance(value, str):
        return Ref(province_name(value))
    if key in COUNTRY_DETAILS:
        codes = value if isinstance(value, list) else [value]
        return Ref(", ".join(country_name(c, locale) for c in codes if c) or "—")
    if key in FIELD_DETAILS and isinstance(value, list):
        return Ref(", ".join(_field_name(v) for v in value) or "—")
    if key == "role" and isinstance(value, str):
        from directory.admin.forms import ROLE_LABELS

        return Ref(str(ROLE_LABELS.get(value, value)))
    return Ref(_value_text(value))


def describe(events: list[AuditEvent]) -> list[Row]:
    """The events as the log shows them, in the reader's language."""
    from directory.admin.forms import ROLE_LABELS

    names = Names(_wanted(events))
    rows = []
    for e in events:
        rows.append(
            Row(
                event=e,
                action=action_label(e.action),
                actor=names.ref("users", e.actor_id) if e.actor_id else None,
                actor_role=str(ROLE_LABELS.get(e.actor_role, e.actor_role or "")),
                record_type=object_type_label(e.object_type),
                record=names.ref(e.object_type, e.object_id) if e.object_id else None,
                details=[
                    (detail_label(k), _detail(e, k, v, names)) for k, v in (e.details or {}).items()
                ],
            )
        )
    return rows


# --- the CSV download -------------------------------------------------------------------------

EXPORT_LIMIT = 50_000


def export_csv(user, stmt: sa.Select, filters: dict) -> bytes:
    """The filtered log as CSV in the reader's language (newest first, at most EXPORT_LIMIT
    events); the download is itself audited (``audit.export``: the filters and the count)."""
    from directory.imports.exports import neutralise, to_csv

    events = list(db.session.scalars(stmt.limit(EXPORT_LIMIT)))
    header = [
        _("When"),
        _("Who"),
        _("Role"),
        _("Action"),
        _("Action code"),
        _("Record type"),
        _("Record"),
        _("Record id"),
        _("IP address"),
        _("Details"),
    ]
    body = []
    for start in range(0, len(events), 500):
        for row in describe(events[start : start + 500]):
            e = row.event
            body.append(
                [
                    neutralise(c)
                    for c in (
                        format_datetime_tz(e.at, "yyyy-MM-dd HH:mm:ss"),
                        row.actor.text if row.actor else _("system"),
                        row.actor_role,
                        row.action,
                        e.action,
                        row.record_type,
                        row.record.text if row.record else "",
                        e.object_id or "",
                        e.ip or "",
                        row.details_text(),
                    )
                ]
            )
    audit.record(
        "audit.export",
        actor=user,
        object_type="audit",
        details={"filters": {k: v for k, v in filters.items() if v}, "count": len(events)},
    )
    db.session.commit()
    return to_csv(header, body)
