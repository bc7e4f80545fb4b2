"""Reading contact requests for other pages: may an official ask these people, and what became
of the requests they already sent them (the buttons of a need's matches and shortlist)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from directory import policy
from directory.contacts.models import ContactRequest
from directory.core.models import isoformat
from directory.extensions import db
from directory.people.data_protection import export_section
from directory.people.models import Person

# The states that stand for "already in touch, or about to be": no second request is offered.
OPEN_OR_ACCEPTED = ("pending", "accepted")


@dataclass(frozen=True)
class AskState:
    """What an official can do about one person: ``request`` (their pending or accepted request,
    newest first) or, without one, whether they may ask (``can_ask``) and, if not, ``why``
    (``contact_requests_off``, ``no_account``, ``not_contactable`` or ``forbidden``)."""

    request: ContactRequest | None
    can_ask: bool
    why: str | None = None


def ask_states(official, person_ids) -> dict[str, AskState]:
    """person id -> :class:`AskState` for ``official``; empty for those who send no requests.

    The daily limit is left to the request form, which says so; everything else that would refuse
    a request at once is decided here, with the same rule as the service (``contact_request.create``).
    """
    ids = sorted({i for i in person_ids if isinstance(i, str)})
    if not ids or not policy.is_official(official):
        return {}
    people = db.session.scalars(
        sa.select(Person).where(Person.id.in_(ids)).options(selectinload(Person.user))
    ).all()
    requests: dict[str, ContactRequest] = {}
    for found in db.session.scalars(
        sa.select(ContactRequest)
        .where(
            ContactRequest.requester_id == official.id,
            ContactRequest.person_id.in_(ids),
            ContactRequest.state.in_(OPEN_OR_ACCEPTED),
        )
        .order_by(ContactRequest.created_at.desc(), ContactRequest.id)
    ):
        current = requests.get(found.person_id)
        # The one pending request wins over older accepted ones.
        if current is None or (found.state == "pending" and current.state != "pending"):
            requests[found.person_id] = found
    states = {}
    for person in people:
        if person.id in requests:
            states[person.id] = AskState(requests[person.id], False)
        elif not policy.can(official, "contact_request.create", person):
            states[person.id] = AskState(None, False, "forbidden")
        elif not (person.consent_listed and person.consent_contact):
            states[person.id] = AskState(None, False, "not_contactable")
        elif not person.contact_requests_enabled:
            states[person.id] = AskState(None, False, "contact_requests_off")
        elif person.user is None:
            states[person.id] = AskState(None, False, "no_account")
        else:
            states[person.id] = AskState(None, True)
    return states


@export_section("contact_requests_received")
def export_received(person, _user) -> list[dict]:
    """The requests to be put in touch with the member, for their data download: who asked
    (as the member saw it when answering), about which need, the message, the answer and
    the contact details shared."""
    from directory.contacts.services import requester_line

    rows = db.session.scalars(
        sa.select(ContactRequest)
        .where(ContactRequest.person_id == person.id)
        .options(selectinload(ContactRequest.requester), selectinload(ContactRequest.need))
        .order_by(ContactRequest.created_at, ContactRequest.id)
    ).all()
    return [
        {
            "id": r.id,
            "from": requester_line(r.requester),
            "need_title": r.need.title if r.need is not None else None,
            "message": r.message,
            "state": r.state,
            "created_at": isoformat(r.created_at),
            "answered_at": isoformat(r.answered_at),
            "decline_reason": r.reason,
            "shared": list(r.shared or []),
        }
        for r in rows
    ]
