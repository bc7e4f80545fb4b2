"""Writing initiatives: submission, every step of the workflow, private notes, bulk steps.

```
received --triage--> triaged --assign--> assigned --review--> under_review --answer--> answered
answered --adopt--> adopted | --decline--> declined
withdraw (the submitter) and forward (to another province, back to received): before an answer
assign again: to another colleague, from triaged, assigned or under_review
```

Each step checks, in this order: the actor (``policy.can(actor, "initiative.<action>")``, else
403), the state (else 409 ``invalid_state``), the input the step needs (else 422). A refused step
changes nothing. The state change itself is a compare-and-set, ``UPDATE initiatives SET state,
version = version + 1 … WHERE id = :id AND state = :seen AND version = :seen_version``, and it is
the step's first write: of two concurrent steps on one initiative the second finds no row as
it read it and is refused (409 ``changed_meanwhile``) with nothing written, on SQLite (whose
first write waits for the other writer's commit) as on PostgreSQL (whose UPDATE waits for the
row lock and re-checks the condition). An accepted step records an :class:`InitiativeEvent` and
an audit event in the same transaction, commits, then tells the submitter when the step
answers them (:func:`_notify_member`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import DBAPIError

from directory import audit, policy
from directory.accounts.models import User
from directory.core.errors import ApiError, ValidationError
from directory.core.locks import lock_refused
from directory.core.models import new_id, utcnow
from directory.extensions import db
from directory.initiatives import notifications
from directory.initiatives.models import (
    MAX_ANSWER,
    MAX_FIELDS,
    MAX_LINK,
    MAX_LINKS,
    MAX_NOTE,
    MAX_TEXT,
    MAX_TITLE,
    OPEN_STATES,
    Initiative,
    InitiativeEvent,
    InitiativeNote,
)
from directory.notices import services as notices
from directory.reference.fields import field_index, resolve_field
from directory.reference.provinces import resolve_province

# action -> (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "triage": (("received",), "triaged"),
    "assign": (("triaged", "assigned", "under_review"), "assigned"),
    "review": (("assigned",), "under_review"),
    "answer": (("under_review",), "answered"),
    "adopt": (("answered",), "adopted"),
    "decline": (("answered",), "declined"),
    "withdraw": (OPEN_STATES, "withdrawn"),
    "forward": (OPEN_STATES, "received"),
}
# Every step a user can take by name (pages and API), the private note included.
ACTIONS = (
    "triage",
    "assign",
    "review",
    "answer",
    "adopt",
    "decline",
    "withdraw",
    "forward",
    "note",
)
# The input each step takes (API body keys).
ACTION_INPUTS = {
    "assign": ("assignee_id",),
    "answer": ("answer",),
    "decline": ("answer",),
    "forward": ("province",),
    "note": ("text",),
}
BULK_ACTIONS = ("triage", "assign")
# The states the submitter is told about (inbox notice and email).
MEMBER_NOTICES = ("answered", "adopted", "declined")
# Vietnam keeps UTC+7 all year: the due date is a day in Vietnam.
_VIETNAM = timedelta(hours=7)


class InitiativeError(ApiError):
    """A refused step (403 not this actor, 409 not in this state); nothing was changed."""


def state_label(state: str) -> str:
    """The fixed state code's name in the current language."""
    labels = {
        "received": _("Received"),
        "triaged": _("Triaged"),
        "assigned": _("Assigned"),
        "under_review": _("Under review"),
        "answered": _("Answered"),
        "adopted": _("Adopted"),
        "declined": _("Declined"),
        "withdrawn": _("Withdrawn"),
    }
    return labels.get(state, state)


def _forbidden() -> InitiativeError:
    return InitiativeError(
        403, "forbidden", _("You are not allowed to take this step on this initiative.")
    )


def _wrong_state(initiative: Initiative) -> InitiativeError:
    return InitiativeError(
        409,
        "invalid_state",
        _(
            "This step is not possible while the initiative is in the state “%(state)s”.",
            state=state_label(initiative.state),
        ),
    )


def _changed_meanwhile() -> InitiativeError:
    return InitiativeError(
        409,
        "changed_meanwhile",
        _(
            "This initiative was changed by someone else meanwhile; reload it to see its "
            "current state."
        ),
    )


def _busy() -> InitiativeError:
    return InitiativeError(
        409,
        "busy",
        _("Someone else is changing this initiative right now; reload it and try again."),
    )


def _refuse(error: Exception):
    """Roll back and raise ``error``: nothing was changed."""
    db.session.rollback()
    raise error


# --- dates ------------------------------------------------------------------------------------


def vietnam_date(moment: datetime) -> date:
    """The day in Vietnam at ``moment``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment.astimezone(UTC) + _VIETNAM).date()


def today() -> date:
    return vietnam_date(utcnow())


def answer_days() -> int:
    return int(current_app.config.get("INITIATIVE_ANSWER_DAYS") or 30)


def due_date(received_at: datetime) -> date:
    """The day by which an answer is due: ``INITIATIVE_ANSWER_DAYS`` after the day of receipt."""
    return vietnam_date(received_at) + timedelta(days=answer_days())


def is_overdue(initiative: Initiative, on: date | None = None) -> bool:
    """Still unanswered after its due date."""
    return initiative.state in OPEN_STATES and initiative.due_on < (on or today())


# --- input ------------------------------------------------------------------------------------


def _text(data: dict, key: str, errors: dict, limit: int, *, required: str | None = None) -> str:
    value = data.get(key)
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[key] = _("Must be text.")
        return ""
    value = value.strip()
    if len(value) > limit:
        errors[key] = _("At most %(n)s characters.", n=limit)
    elif not value and required:
        errors[key] = required
    return value


def _province(value, errors: dict, key: str = "province") -> str | None:
    """A province slug from a slug or name; None (or "") is the central body."""
    if value in (None, ""):
        return None
    slug = resolve_province(value[:120]) if isinstance(value, str) else None
    if slug is None:
        errors[key] = _("Unknown province.")
    return slug


def _need(value, by, province: str | None, errors: dict):
    """The need an initiative answers (optional): one ``by`` may read, of the province it goes
    to (with no province named, it goes to the need's)."""
    from directory.needs.models import Need

    if value in (None, ""):
        return None
    need = db.session.get(Need, value) if isinstance(value, str) and len(value) <= 16 else None
    if need is None or not policy.can(by, "need.view", need):
        errors["need_id"] = _("Unknown need.")
    elif province is not None and need.province_slug != province:
        errors["need_id"] = _("This need is another province's: send the initiative to it.")
    else:
        return need
    return None


def _fields(value, errors: dict) -> list[str]:
    if value in (None, ""):
        value = []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors["fields"] = _("Enter a list of fields from the taxonomy.")
        return []
    index = field_index()
    codes: list[str] = []
    unknown = []
    for raw in value:
        code = resolve_field(raw[:200], index)
        if code is None:
            unknown.append(raw[:60])
        elif code not in codes:
            codes.append(code)
    if unknown:
        errors["fields"] = _("Unknown field: %(value)s", value=", ".join(unknown))
    elif not codes:
        errors["fields"] = _("Choose at least one field.")
    elif len(codes) > MAX_FIELDS:
        errors["fields"] = _("At most %(n)s fields.", n=MAX_FIELDS)
    return codes


def _links(value, errors: dict) -> list[str]:
    """Web addresses: http or https, with a host; at most :data:`MAX_LINKS`."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = value.split()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors["links"] = _("Enter a list of web addresses.")
        return []
    links: list[str] = []
    for raw in value:
        link = raw.strip()
        if not link:
            continue
        try:
            parts = urlsplit(link)
            valid = parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
        except ValueError:
            valid = False
        if not valid or len(link) > MAX_LINK or any(c.isspace() for c in link):
            errors["links"] = _(
                "Only web addresses starting with http:// or https:// are accepted: %(value)s",
                value=link[:80],
            )
            return []
        if link not in links:
            links.append(link)
    if len(links) > MAX_LINKS:
        errors["links"] = _("At most %(n)s links.", n=MAX_LINKS)
    return links


# --- submission -------------------------------------------------------------------------------


def submit_initiative(
    data: dict, by, *, at: datetime | None = None, notify: bool = True
) -> Initiative:
    """A member sends an initiative to a province (``province``: slug or name) or, when
    ``province`` is empty, to the central body, optionally answering a need (``need_id``: it
    then goes to the need's province). The answer is due :func:`due_date`."""
    if not policy.can(by, "initiative.submit", None):
        raise _forbidden()
    errors: dict[str, str] = {}
    province = _province(data.get("province"), errors)
    need = _need(data.get("need_id"), by, province, errors)
    if need is not None:
        province = need.province_slug
    title = " ".join(_text(data, "title", errors, MAX_TITLE, required=_("Give a title.")).split())
    fields = _fields(data.get("fields"), errors)
    text = _text(data, "text", errors, MAX_TEXT, required=_("Describe the initiative."))
    links = _links(data.get("links"), errors)
    if errors:
        raise ValidationError(errors, _("Some values are not valid."))
    received_at = at or utcnow()
    initiative = Initiative(
        id=new_id(),  # now: the audit event names it before the flush
        submitter_id=by.id,
        province_slug=province,
        need_id=need.id if need is not None else None,
        title=title,
        fields=fields,
        text=text,
        links=links,
        state="received",
        version=1,
        received_at=received_at,
        due_on=due_date(received_at),
    )
    db.session.add(initiative)
    _record(
        initiative,
        "submit",
        by,
        None,
        "received",
        at=received_at,
        province=province,
        need_id=need.id if need is not None else None,
    )
    if notify:
        notifications.notice_receivers(initiative, "initiative.received")
    db.session.commit()
    return initiative


# --- steps ------------------------------------------------------------------------------------


def allowed_actions(initiative: Initiative, user) -> list[str]:
    """The steps ``user`` may take on ``initiative`` now (actor and state both allow them)."""
    allowed = [
        action
        for action, (from_states, _to) in TRANSITIONS.items()
        if initiative.state in from_states and policy.can(user, f"initiative.{action}", initiative)
    ]
    if policy.can(user, "initiative.note", initiative):
        allowed.append("note")
    return allowed


def _record(initiative, action, actor, from_state, to_state, *, at, comment="", **details):
    details = {k: v for k, v in details.items() if v is not None or k == "province"}
    event = InitiativeEvent(
        initiative=initiative,
        seq=len(initiative.events),
        action=action,
        actor_id=getattr(actor, "id", None),
        at=at,
        from_state=from_state,
        to_state=to_state,
        comment=comment,
        details=details,
    )
    db.session.add(event)
    audit_details = {"from": from_state, "to": to_state, "province": initiative.province_slug}
    audit_details.update({k: v for k, v in details.items() if k != "province"})
    record = audit.record(f"initiative.{action}", initiative, actor=actor, details=audit_details)
    record.at = at
    return event


def _claim(initiative: Initiative, from_state: str, version: int, values: dict) -> None:
    """Compare-and-set: the step's first write (else 409 ``changed_meanwhile``)."""
    result = db.session.execute(
        sa.update(Initiative)
        .where(
            Initiative.id == initiative.id,
            Initiative.state == from_state,
            Initiative.version == version,
        )
        .values(version=version + 1, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        _refuse(_changed_meanwhile())


def _assignee(initiative: Initiative, raw, errors: dict) -> User | None:
    if not raw or not isinstance(raw, str):
        errors["assignee_id"] = _("Choose the colleague who will handle it.")
        return None
    user = db.session.get(User, raw[:64])
    if user is None or not policy.can(user, "initiative.assignee", initiative):
        errors["assignee_id"] = _(
            "Choose an active colleague who handles this province's initiatives."
        )
        return None
    if initiative.state == "assigned" and initiative.assignee_id == user.id:
        errors["assignee_id"] = _("The initiative is already assigned to this colleague.")
        return None
    return user


def take_action(
    initiative: Initiative,
    action: str,
    actor,
    data: dict | None = None,
    *,
    at: datetime | None = None,
    notify: bool = True,
) -> Initiative:
    """Take one step by name (pages, API, bulk and the demo seed); unknown names are a 404."""
    data = data or {}
    if action not in ACTIONS:
        raise InitiativeError(404, "unknown_action", _("Unknown action."))
    if action == "note":
        add_note(initiative, actor, data.get("text"), at=at)
        return initiative
    if not policy.can(actor, f"initiative.{action}", initiative):
        raise _forbidden()
    from_states, to_state = TRANSITIONS[action]
    from_state, version = initiative.state, initiative.version
    if from_state not in from_states:
        raise _wrong_state(initiative)

    errors: dict[str, str] = {}
    now = at or utcnow()
    values: dict = {"state": to_state, "updated_at": now}
    details: dict = {}
    comment = ""
    if action == "assign":
        assignee = _assignee(initiative, data.get("assignee_id"), errors)
        if assignee is not None:
            values["assignee_id"] = details["assignee_id"] = assignee.id
    elif action == "answer":
        comment = _text(data, "answer", errors, MAX_ANSWER, required=_("Write the answer."))
        values.update(answer=comment, answered_at=now, answered_by_id=actor.id)
    elif action == "decline":
        comment = _text(data, "answer", errors, MAX_ANSWER)
        if comment:
            values["answer"] = comment
    elif action == "forward":
        target = _province(data.get("province"), errors)
        if target is None and "province" not in errors:
            errors["province"] = _("Choose the province to forward it to.")
        elif target is not None and target == initiative.province_slug:
            errors["province"] = _("The initiative is already with this province.")
        if target is not None and "province" not in errors:
            values.update(province_slug=target, assignee_id=None)
            details.update(from_province=initiative.province_slug, to_province=target)
    if action in ("adopt", "decline"):
        values["decided_at"] = now
    if to_state in ("adopted", "declined", "withdrawn"):
        values["closed_at"] = now
    if errors:
        raise ValidationError(errors, _("Some values are not valid."))

    try:
        _claim(initiative, from_state, version, values)
        db.session.refresh(initiative)
        event = _record(
            initiative, action, actor, from_state, to_state, at=now, comment=comment, **details
        )
        if notify and to_state in MEMBER_NOTICES:
            notifications.notice_member(initiative, to_state)
        if notify and action == "forward":
            notifications.notice_receivers(initiative, "initiative.forwarded", skip=actor)
        if notify and action == "assign" and initiative.assignee_id != getattr(actor, "id", None):
            notices.notify(
                db.session.get(User, initiative.assignee_id),
                "initiative.assigned",
                initiative_id=initiative.id,
            )
        db.session.commit()
    except DBAPIError as exc:
        if lock_refused(exc):
            _refuse(_busy())
        raise
    if notify and to_state in MEMBER_NOTICES:
        notifications.notify_member(initiative, event)
    return initiative


def add_note(initiative: Initiative, actor, text, *, at: datetime | None = None) -> InitiativeNote:
    """A private note of the officials (never shown to the submitter, never exported to them)."""
    if not policy.can(actor, "initiative.note", initiative):
        raise _forbidden()
    errors: dict[str, str] = {}
    text = _text({"text": text}, "text", errors, MAX_NOTE, required=_("Write the note."))
    if errors:
        raise ValidationError(errors, _("Some values are not valid."))
    now = at or utcnow()
    note = InitiativeNote(initiative=initiative, author_id=actor.id, at=now, text=text)
    db.session.add(note)
    db.session.flush()
    state = initiative.state
    _record(initiative, "note", actor, state, state, at=now, note_id=note.id)
    db.session.commit()
    return note


# --- bulk -------------------------------------------------------------------------------------


@dataclass
class BulkResult:
    """What one selected initiative became: ``ok``, or the message saying why not."""

    initiative_id: str
    title: str
    ok: bool
    message: str


def bulk_action(ids: list[str], action: str, actor, data: dict | None = None) -> list[BulkResult]:
    """Triage or assign each selected initiative on its own; a result per item, in order."""
    if action not in BULK_ACTIONS:
        raise ValidationError({"action": _("Choose triage or assignment.")})
    results: list[BulkResult] = []
    for raw in dict.fromkeys(i for i in ids if isinstance(i, str)):
        initiative = db.session.get(Initiative, raw[:64])
        if initiative is None or not policy.can(actor, "initiative.view", initiative):
            message = _("This initiative does not exist, or you may not see it.")
            results.append(BulkResult(raw[:64], "", False, message))
            continue
        title = initiative.title
        try:
            take_action(initiative, action, actor, data)
        except (ApiError, ValidationError) as exc:
            db.session.rollback()
            message = exc.message or ""
            if isinstance(exc, ValidationError) and exc.fields:
                message = " ".join(exc.fields.values())
            results.append(BulkResult(raw, title, False, message))
        else:
            done = _("Triaged.") if action == "triage" else _("Assigned.")
            results.append(BulkResult(raw, title, True, done))
    return results
