"""Emails for each step of a contact request, in the recipient's language.

They go out after the step has been committed, so nobody hears of a step that did not happen;
a mail failure is logged and never undoes the step (the inbox notice, written with the step,
still tells them).
"""

from __future__ import annotations

import logging

from flask import current_app

from directory.contacts.models import ContactRequest
from directory.core.mail import send_mail

log = logging.getLogger(__name__)


def link(endpoint: str, **values) -> str:
    """An absolute link (works in requests and in CLI commands alike)."""
    adapter = current_app.url_map.bind("localhost", url_scheme="http")
    return current_app.config["BASE_URL"].rstrip("/") + adapter.build(endpoint, values)


def _send(user, template: str, request: ContactRequest, **ctx) -> bool:
    if user is None or not user.email or not user.is_active:
        return False
    from directory.contacts.services import field_label, requester_line, state_label

    locale = user.locale if user.locale in ("vi", "en") else "vi"
    try:
        send_mail(
            user.email,
            f"contacts/email/{template}",
            locale,
            request=request,
            person=request.person,
            requester_line=requester_line,
            field_label=field_label,
            state_label=state_label,
            url=link("contacts.detail", request_id=request.id),
            **ctx,
        )
    except Exception:  # noqa: BLE001 - the step stands; the inbox still shows it
        log.exception("could not send %s for contact request %s", template, request.id)
        return False
    return True


def after_step(request: ContactRequest, action: str) -> None:
    """Tell the other side what happened (both sides when the request expired)."""
    member = request.person.user if request.person is not None else None
    if action == "create":
        _send(member, "received", request)
    elif action in ("accept", "decline"):
        _send(request.requester, "answered", request, action=action)
    elif action == "withdraw":
        _send(member, "withdrawn", request)
    elif action == "expire":
        _send(request.requester, "expired", request, to_member=False)
        _send(member, "expired", request, to_member=True)
