"""Telling people about initiatives: inbox notices to the receiving officials (new, forwarded,
assigned) and to the submitter (answered, adopted, declined), and the submitter's email.

The notices are added in the step's transaction; the email is sent after the commit and a
mail failure never undoes the step."""

from __future__ import annotations

import logging

from flask import current_app

from directory.initiatives.models import Initiative, InitiativeEvent
from directory.notices import services as notices
from directory.reference.provinces import province_by_slug

log = logging.getLogger(__name__)


def link(endpoint: str, **values) -> str:
    """An absolute link (in requests and in CLI commands alike)."""
    adapter = current_app.url_map.bind("localhost", url_scheme="http")
    return current_app.config["BASE_URL"].rstrip("/") + adapter.build(endpoint, values)


def notice_receivers(initiative: Initiative, kind: str, skip=None) -> None:
    """An inbox notice to every official who may handle the initiative where it now is (the
    province's officers, the admins for the central body), in the step's transaction: what
    waits for them also shows first on their dashboard."""
    from directory.initiatives.queries import colleagues

    for user in colleagues(initiative):
        if user.id != getattr(skip, "id", None):
            notices.notify(user, kind, initiative_id=initiative.id)


def notice_member(initiative: Initiative, to_state: str) -> None:
    """The submitter's inbox notice of an answer, adoption or decline (in the step's
    transaction; the email follows the commit)."""
    submitter = initiative.submitter
    if submitter is not None and submitter.is_active:
        notices.notify(submitter, f"initiative.{to_state}", initiative_id=initiative.id)


def notify_member(initiative: Initiative, event: InitiativeEvent) -> bool:
    """Tell the submitter, in their language, that their initiative was answered, adopted or
    declined. After the commit: a mail failure is logged and never undoes the step."""
    submitter = initiative.submitter
    if submitter is None or not submitter.is_active or not submitter.email:
        return False
    locale = submitter.locale if submitter.locale in ("vi", "en") else "vi"
    province = province_by_slug(initiative.province_slug)
    body = None
    if province is not None:
        body = province.name_en if locale == "en" else province.name_vi
    try:
        from directory.core.mail import send_mail

        send_mail(
            submitter.email,
            "initiatives/email/member_update",
            locale,
            initiative=initiative,
            event=event,
            body_name=body,
            url=link("initiatives.detail", initiative_id=initiative.id),
        )
    except Exception:  # noqa: BLE001 - the step stands; the page shows it
        log.exception("could not tell the submitter of initiative %s", initiative.id)
        return False
    return True
