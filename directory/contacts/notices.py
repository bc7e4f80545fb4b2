"""The inbox notices of contact requests: their text, written in the reader's language."""

from __future__ import annotations

from flask_babel import gettext as _

from directory.extensions import db
from directory.notices.services import notice_kind


def _link(params: dict):
    return "contacts.detail", {"request_id": params["request_id"]}


def _request(params: dict):
    from directory.contacts.models import ContactRequest

    request_id = params.get("request_id")
    return db.session.get(ContactRequest, request_id) if isinstance(request_id, str) else None


def _person_name(request) -> str:
    return request.person.full_name if request is not None and request.person else _("a member")


@notice_kind("contact_request.received", link=_link)
def _received(params: dict) -> str:
    from directory.contacts.services import requester_line

    request = _request(params)
    if request is None:
        return _("An official asked to be put in touch with you.")
    if request.business is not None:
        return _(
            "%(who)s asks to be put in touch with you as the contact person of %(business)s.",
            who=requester_line(request.requester),
            business=request.business.name,
        )
    return _("%(who)s asks to be put in touch with you.", who=requester_line(request.requester))


@notice_kind("contact_request.accepted", link=_link)
def _accepted(params: dict) -> str:
    return _(
        "%(name)s accepted your contact request: the contact details they share are on the "
        "request.",
        name=_person_name(_request(params)),
    )


@notice_kind("contact_request.declined", link=_link)
def _declined(params: dict) -> str:
    return _("%(name)s declined your contact request.", name=_person_name(_request(params)))


@notice_kind("contact_request.withdrawn", link=_link)
def _withdrawn(params: dict) -> str:
    from directory.contacts.services import requester_line

    request = _request(params)
    if request is None:
        return _("An official withdrew their request to be put in touch with you.")
    return _(
        "%(who)s withdrew their request to be put in touch with you.",
        who=requester_line(request.requester),
    )


@notice_kind("contact_request.expired", link=_link)
def _expired(params: dict) -> str:
    request = _request(params)
    if params.get("to") == "member":
        from directory.contacts.services import requester_line

        who = requester_line(request.requester) if request is not None else _("an official")
        return _("The request of %(who)s expired without an answer.", who=who)
    return _(
        "Your contact request to %(name)s expired without an answer.",
        name=_person_name(request),
    )
