"""The one place contact requests change: pages, the JSON API and the expiry command call it.

An official asks to be put in touch with a person (``create_request``); the member accepts,
choosing the contact details to share, or declines; the official may withdraw; a request left
unanswered expires (``expire_due``). Each step checks, in this order: who acts (403), the
input (422), the request's state or the person's (409), the daily limit (429); a refused step
writes nothing. An accepted step writes the change, its notices and its audit event in one
transaction, commits, then sends the emails (``notifications``).

One decision per request: a step's first write is a compare-and-set
(``UPDATE … WHERE id = :id AND state = 'pending'``), so of two concurrent steps (the member
accepts while the official withdraws) the second is refused with nothing written. One pending
request per official and person: a partial unique index, whose violation is the same 409 as
the check made before it.

Shared contact details are live: the official reads the current values of the fields the
member chose, from the person's record, each time (and each reading is audited); nothing is
copied into the request.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import selectinload

from directory import audit, policy
from directory.accounts.models import User
from directory.contacts.models import (
    MAX_MESSAGE,
    MAX_REASON,
    SHAREABLE,
    STATES,
    ContactRequest,
)
from directory.core.errors import ApiError, ValidationError
from directory.core.locks import lock_refused
from directory.core.models import utcnow
from directory.extensions import db
from directory.notices.services import notify
from directory.people.models import Person
from directory.policy.contacts import contact_request_view_clause
from directory.text import clean_long_text

ACTIONS = ("accept", "decline", "withdraw")


class ContactError(ApiError):
    """A refused step (403, 409, 429); nothing was changed."""


# --- refusals ---------------------------------------------------------------------------------


def _forbidden() -> ContactError:
    return ContactError(403, "forbidden", _("You are not allowed to do this."))


def _not_contactable() -> ContactError:
    return ContactError(
        409,
        "not_contactable",
        _(
            "This person has not agreed to be listed in the directory and contacted by "
            "officials, so they cannot be asked."
        ),
    )


def _requests_off() -> ContactError:
    return ContactError(
        409,
        "contact_requests_off",
        _("This person has turned contact requests off, so they cannot be asked."),
    )


def _no_account() -> ContactError:
    return ContactError(
        409,
        "no_account",
        _(
            "This person has no account in the directory to answer a request. Ask the mission "
            "that registered them to put you in touch, or to invite them to claim their profile."
        ),
    )


def _already_pending() -> ContactError:
    return ContactError(
        409,
        "already_pending",
        _(
            "You already have a pending request to this person. Wait for their answer, or "
            "withdraw it first."
        ),
    )


def _changed_meanwhile() -> ContactError:
    return ContactError(
        409,
        "changed_meanwhile",
        _("This request was changed meanwhile; reload it to see its current state."),
    )


def _wrong_state(request: ContactRequest) -> ContactError:
    return ContactError(
        409,
        "invalid_state",
        _(
            "This request is %(state)s: it can no longer be changed.",
            state=state_label(request.state),
        ),
    )


def _expired() -> ContactError:
    return ContactError(
        409, "expired", _("This request expired without an answer; it can no longer be changed.")
    )


def _busy() -> ContactError:
    return ContactError(
        409, "busy", _("Someone else is changing this request right now; try again.")
    )


def _rate_limited(limit: int) -> ContactError:
    return ContactError(
        429,
        "rate_limited",
        _(
            "You have sent %(limit)s contact requests in the last 24 hours, the most allowed. "
            "Try again tomorrow.",
            limit=limit,
        ),
    )


def _refuse(error: Exception):
    db.session.rollback()
    raise error


# --- labels -----------------------------------------------------------------------------------


def state_label(state: str) -> str:
    """The state's name in the current language."""
    labels = {
        "pending": _("waiting for an answer"),
        "accepted": _("accepted"),
        "declined": _("declined"),
        "withdrawn": _("withdrawn"),
        "expired": pgettext("contact request", "expired"),
    }
    return labels.get(state, state)


def field_label(field: str) -> str:
    labels = {"email": _("Email"), "phone": _("Phone"), "website": _("Website")}
    return labels.get(field, field)


def requester_description(user) -> dict:
    """Who is asking, in the current language: {"name", "role", "where"} (where may be None)."""
    from directory.core.templating import province_name

    if user is None:
        return {"name": _("A former official"), "role": "", "where": None}
    roles = {
        "embassy": _("officer of a Vietnamese mission abroad"),
        "province": _("provincial officer"),
        "admin": _("officer of the central body"),
    }
    where = None
    if user.role == "embassy" and user.mission is not None:
        where = user.mission.name
    elif user.role == "province" and user.province_slug:
        where = province_name(user.province_slug)
    return {"name": user.name, "role": roles.get(user.role, ""), "where": where}


def requester_line(user) -> str:
    """ "Name, provincial officer (Đà Nẵng)" in the current language."""
    who = requester_description(user)
    line = who["name"]
    if who["role"]:
        line = _("%(name)s, %(role)s", name=line, role=who["role"])
    if who["where"]:
        line = _("%(who)s (%(where)s)", who=line, where=who["where"])
    return line


# --- reading ----------------------------------------------------------------------------------


def requests_for(user, *, state: str | None = None) -> sa.Select:
    """The requests ``user`` may see (sent by them, sent to them; all for the admin), newest
    first, optionally in one state (to be paged)."""
    query = (
        sa.select(ContactRequest)
        .where(contact_request_view_clause(user))
        # The list shows each request's person, requester and need: one query each, not per row.
        .options(
            selectinload(ContactRequest.person),
            selectinload(ContactRequest.requester),
            selectinload(ContactRequest.need),
        )
    )
    if state:
        query = query.where(ContactRequest.state == state)
    return query.order_by(ContactRequest.created_at.desc(), ContactRequest.id)


def get_visible(request_id, user) -> ContactRequest | None:
    """The request if it exists and ``user`` may see it."""
    if not isinstance(request_id, str) or not request_id or len(request_id) > 16:
        return None
    request = db.session.get(ContactRequest, request_id)
    if request is None or not policy.can(user, "contact_request.view", request):
        return None
    return request


def pending_between(requester, person) -> ContactRequest | None:
    """The pending request of ``requester`` to ``person``, if any."""
    return db.session.scalar(
        sa.select(ContactRequest).where(
            ContactRequest.requester_id == requester.id,
            ContactRequest.person_id == person.id,
            ContactRequest.state == "pending",
        )
    )


def sent_today(requester) -> int:
    """How many requests ``requester`` sent in the last 24 hours (any state)."""
    since = utcnow() - timedelta(days=1)
    return (
        db.session.scalar(
            sa.select(sa.func.count(ContactRequest.id)).where(
                ContactRequest.requester_id == requester.id,
                ContactRequest.created_at >= since,
            )
        )
        or 0
    )


def daily_limit() -> int:
    return int(current_app.config["CONTACT_REQUESTS_PER_DAY"])


def why_not(person: Person, by) -> ContactError | None:
    """Why ``by`` may not ask ``person`` now (None when they may): for the form and the API."""
    if not policy.can(by, "contact_request.create", person):
        return _forbidden()
    if not (person.consent_listed and person.consent_contact):
        return _not_contactable()
    if not person.contact_requests_enabled:
        return _requests_off()
    if person.user is None:
        return _no_account()
    if pending_between(by, person) is not None:
        return _already_pending()
    limit = daily_limit()
    if sent_today(by) >= limit:
        return _rate_limited(limit)
    return None


def shareable_fields(person: Person) -> list[str]:
    """The contact details the member can share: those their profile holds."""
    return [f for f in SHAREABLE if getattr(person, f, None)]


def contact_details(request: ContactRequest, viewer, *, commit: bool = True) -> dict | None:
    """The shared contact details, as they are now, for the official who asked (audited).

    None unless ``viewer`` is the requester and the member accepted; an anonymised profile
    shares nothing.
    """
    if request.state != "accepted" or not policy.can(
        viewer, "contact_request.contact_view", request
    ):
        return None
    person = request.person
    if person is None or person.anonymised_at is not None:
        return None
    fields = [f for f in SHAREABLE if f in (request.shared or [])]
    details = {f: getattr(person, f) for f in fields}
    audit.record(
        "contact_request.contact_view",
        request,
        actor=viewer,
        details={"person_id": request.person_id, "fields": fields},
    )
    if commit:
        db.session.commit()
    return details


# --- writing ----------------------------------------------------------------------------------


def clean_message(raw) -> str:
    """The request's message, or a ValidationError naming ``message``."""
    if not isinstance(raw, str):
        raise ValidationError({"message": _("Write a message.")}, _("Some values are not valid."))
    text = clean_long_text(raw)
    if not text:
        raise ValidationError(
            {"message": _("Say who you are and why you would like to be put in touch.")},
            _("Some values are not valid."),
        )
    if len(text) > MAX_MESSAGE:
        raise ValidationError(
            {"message": _("At most %(n)s characters.", n=MAX_MESSAGE)},
            _("Some values are not valid."),
        )
    return text


def _lock_requester(by) -> None:
    """Serialise the requests of one official: lock their user row (PostgreSQL) or take the
    write lock (SQLite) with the request's first write, so that the daily count read next
    includes every request they committed meanwhile."""
    db.session.execute(
        # A write that changes nothing (the timestamp set to itself, so no "onupdate" either).
        sa.update(User)
        .where(User.id == by.id)
        .values(updated_at=User.updated_at)
        .execution_options(synchronize_session=False)
    )


def _check_quota(by) -> None:
    """Refuse a request over the daily limit, counted under :func:`_lock_requester`'s lock."""
    limit = daily_limit()
    if sent_today(by) >= limit:
        _refuse(_rate_limited(limit))


def _check_pending(by, person) -> None:
    """Refuse a second pending request (the partial unique index is the last line)."""
    if pending_between(by, person) is not None:
        _refuse(_already_pending())


def clean_need(raw, by):
    """The need a request is about (a need or its id; None for none), one ``by`` may read, or a
    ValidationError naming ``need_id``."""
    from directory.needs.models import Need

    if raw is None or raw == "":
        return None
    need = raw if isinstance(raw, Need) else None
    if need is None and isinstance(raw, str) and len(raw) <= 16:
        need = db.session.get(Need, raw)
    if need is None or not policy.can(by, "need.view", need):
        raise ValidationError({"need_id": _("Unknown need.")}, _("Some values are not valid."))
    return need


def create_request(by, person_id, message, need=None) -> ContactRequest:
    """``by`` asks to be put in touch with the person ``person_id``, with ``message``, about
    ``need`` (optional: a need ``by`` may read, or its id)."""
    person = None
    if isinstance(person_id, str) and 0 < len(person_id) <= 16:
        person = db.session.get(Person, person_id)
    if person is None or not policy.can(by, "person.view", person) or person.anonymised_at:
        raise ValidationError({"person_id": _("Unknown person.")}, _("Some values are not valid."))
    if policy.owns_person(by, person):
        raise ValidationError(
            {"person_id": _("You cannot ask to be put in touch with yourself.")},
            _("Some values are not valid."),
        )
    if not policy.can(by, "contact_request.create", person):
        raise _forbidden()
    text = clean_message(message)
    need = clean_need(need, by)
    return _create(by, person, text, need)


def _create(by, person, text, need, business=None) -> ContactRequest:
    """Store the request of ``by`` to ``person`` (about ``business``, if any: see
    :mod:`directory.contacts.business_requests`), after the people's checks."""
    problem = why_not(person, by)
    if problem is not None:
        _refuse(problem)

    now = utcnow()
    request = ContactRequest(
        person_id=person.id,
        person=person,
        requester_id=by.id,
        need_id=need.id if need is not None else None,
        business_id=business.id if business is not None else None,
        business=business,
        message=text,
        state="pending",
        created_at=now,
        updated_at=now,
        expires_at=now + timedelta(days=int(current_app.config["CONTACT_REQUEST_DAYS"])),
        shared=[],
    )
    try:
        _lock_requester(by)
        _check_quota(by)
        _check_pending(by, person)
        db.session.add(request)
        db.session.flush()
        details = {"person_id": person.id}
        if need is not None:
            details["need_id"] = need.id
        if business is not None:
            details["business_id"] = business.id
        audit.record("contact_request.create", request, actor=by, details=details)
        notify(person.user, "contact_request.received", request_id=request.id)
        db.session.commit()
    except IntegrityError:
        _refuse(_already_pending())
    except DBAPIError as exc:
        if lock_refused(exc):
            _refuse(_busy())
        raise

    from directory.contacts import notifications

    notifications.after_step(request, "create")
    return request


def clean_share(raw) -> list[str]:
    """The fields to share, in the canonical order, or a ValidationError naming ``share``."""
    if raw is None:
        return ["email"]
    if not isinstance(raw, list) or not all(isinstance(f, str) for f in raw):
        raise ValidationError(
            {"share": _("Enter a list of texts.")}, _("Some values are not valid.")
        )
    unknown = sorted({f for f in raw if f not in SHAREABLE})
    if unknown:
        raise ValidationError(
            {"share": _("Choose among: %(choices)s.", choices=", ".join(SHAREABLE))},
            _("Some values are not valid."),
        )
    return [f for f in SHAREABLE if f in raw]


def clean_reason(raw) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise ValidationError({"reason": _("Enter text.")}, _("Some values are not valid."))
    text = clean_long_text(raw)
    if len(text) > MAX_REASON:
        raise ValidationError(
            {"reason": _("At most %(n)s characters.", n=MAX_REASON)},
            _("Some values are not valid."),
        )
    return text or None


def _claim(request: ContactRequest, to_state: str, **values) -> None:
    """Compare-and-set: ``UPDATE … SET state = :to WHERE id = :id AND state = 'pending'``."""
    result = db.session.execute(
        sa.update(ContactRequest)
        .where(ContactRequest.id == request.id, ContactRequest.state == "pending")
        .values(state=to_state, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        _refuse(_changed_meanwhile())
    db.session.refresh(request)


def _expire_if_due(request: ContactRequest) -> None:
    """A pending request past its date is expired now (the command may not have run yet)."""
    if request.state == "pending" and request.expires_at <= utcnow():
        expire(request)
        raise _expired()


def take_action(request: ContactRequest, action: str, by, data: dict | None = None):
    """One step on ``request``: ``accept`` {share}, ``decline`` {reason}, ``withdraw``."""
    data = data or {}
    rule = "contact_request.withdraw" if action == "withdraw" else "contact_request.answer"
    if action not in ACTIONS or not policy.can(by, rule, request):
        raise _forbidden()
    if request.state != "pending":
        raise _wrong_state(request)
    if action == "accept":
        share = clean_share(data.get("share"))
        if not share:
            raise ValidationError(
                {"share": _("Choose at least one contact detail to share, or decline instead.")},
                _("Some values are not valid."),
            )
        missing = [f for f in share if not getattr(request.person, f, None)]
        if missing:
            raise ValidationError(
                {
                    "share": _(
                        "Your profile has no %(fields)s to share.",
                        fields=", ".join(field_label(f) for f in missing),
                    )
                },
                _("Some values are not valid."),
            )
        values = {"shared": share, "answered_at": utcnow()}
        to_state = "accepted"
    elif action == "decline":
        values = {"reason": clean_reason(data.get("reason")), "answered_at": utcnow()}
        to_state = "declined"
    else:
        values = {"closed_at": utcnow()}
        to_state = "withdrawn"
    _expire_if_due(request)

    try:
        _claim(request, to_state, **values)
        details = {"person_id": request.person_id}
        if action == "accept":
            details["shared"] = list(values["shared"])
        audit.record(f"contact_request.{action}", request, actor=by, details=details)
        if action in ("accept", "decline"):
            notify(request.requester, f"contact_request.{to_state}", request_id=request.id)
        else:
            notify(request.person.user, "contact_request.withdrawn", request_id=request.id)
        db.session.commit()
    except DBAPIError as exc:
        if lock_refused(exc):
            _refuse(_busy())
        raise

    from directory.contacts import notifications

    notifications.after_step(request, action)
    return request


def expire(request: ContactRequest) -> bool:
    """Expire one pending request (both sides are told); False when it was no longer pending."""
    result = db.session.execute(
        sa.update(ContactRequest)
        .where(ContactRequest.id == request.id, ContactRequest.state == "pending")
        .values(state="expired", closed_at=utcnow(), updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        return False
    db.session.refresh(request)
    audit.record(
        "contact_request.expire", request, actor=None, details={"person_id": request.person_id}
    )
    notify(request.requester, "contact_request.expired", request_id=request.id, to="requester")
    if request.person.user is not None:
        notify(request.person.user, "contact_request.expired", request_id=request.id, to="member")
    db.session.commit()

    from directory.contacts import notifications

    notifications.after_step(request, "expire")
    return True


def expire_due(now=None) -> list[ContactRequest]:
    """Expire every pending request whose date has passed; returns those expired."""
    now = now or utcnow()
    due = db.session.scalars(
        sa.select(ContactRequest)
        .where(ContactRequest.state == "pending", ContactRequest.expires_at <= now)
        .order_by(ContactRequest.expires_at, ContactRequest.id)
    ).all()
    return [request for request in due if expire(request)]


def check_state(state) -> str | None:
    """A state filter, or None for any."""
    return state if state in STATES else None
