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
    (``contact_requests_off``, ``no_account``, ``not_contactable`` or ``forbidden``; for a
    business also ``no_contact_person``)."""

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


def business_ask_states(official, businesses) -> dict[str, AskState]:
    """business id -> :class:`AskState` of its contact person for ``official`` (the request they
    may send about it goes to that person), or ``no_contact_person`` when it has none; empty for
    those who send no requests. ``businesses``: records, or ids."""
    from directory.businesses.queries import contact_people, contact_person

    if not policy.is_official(official):
        return {}
    if all(isinstance(b, str) for b in businesses):  # ids: load them with their links
        people = contact_people(businesses)
    else:
        people = {b.id: contact_person(b) for b in businesses}
    states = ask_states(official, [p.id for p in people.values() if p is not None])
    out = {}
    for business_id, person in people.items():
        if person is None:
            out[business_id] = AskState(None, False, "no_contact_person")
        else:
            out[business_id] = states.get(person.id, AskState(None, False, "forbidden"))
    return out


def business_reachable(official, businesses) -> set[str]:
    """The ids of ``businesses`` whose contact person ``official`` may ask now, or already
    asked (pending or accepted): the businesses marked contactable among a need's matches."""
    return {
        business_id
        for business_id, state in business_ask_states(official, businesses).items()
        if state.can_ask or state.request is not None
    }


@export_section("contact_requests_received")
def export_received(person, _user) -> list[dict]:
    """The requests to be put in touch with the member, for their data download: who asked
    (as the member saw it when answering), about which need and, when asked as a business's
    contact person, which business, the message, the answer and the contact details shared."""
    from directory.contacts.services import requester_line

    rows = db.session.scalars(
        sa.select(ContactRequest)
        .where(ContactRequest.person_id == person.id)
        .options(
            selectinload(ContactRequest.requester),
            selectinload(ContactRequest.need),
            selectinload(ContactRequest.business),
        )
        .order_by(ContactRequest.created_at, ContactRequest.id)
    ).all()
    return [
        {
            "id": r.id,
            "from": requester_line(r.requester),
            "need_title": r.need.title if r.need is not None else None,
            "business_name": r.business.name if r.business is not None else None,
            "message": r.message,
            "state": r.state,
            "created_at": isoformat(r.created_at),
            "answered_at": isoformat(r.answered_at),
            "decline_reason": r.reason,
            "shared": list(r.shared or []),
        }
        for r in rows
    ]
