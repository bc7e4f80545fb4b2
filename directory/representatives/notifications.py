"""Telling the next actor: email in the recipient's language (the in-app inbox is computed).

Messages go out after the step has been committed, so nobody hears of a step that did not
happen; a mail failure is logged and never undoes the step.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app

from directory import audit
from directory.accounts.models import User
from directory.core.mail import send_mail
from directory.core.models import utcnow
from directory.extensions import db
from directory.missions.models import MissionCountry
from directory.reference.countries import country_name
from directory.reference.provinces import province_by_slug
from directory.representatives.models import Nomination

log = logging.getLogger(__name__)

REMINDER_DAYS = 30


# --- recipients -------------------------------------------------------------------------------


def province_officers(province_slug: str, *, approvers_only: bool = False) -> list[User]:
    """Active province officers (approvers included) of a province."""
    query = sa.select(User).where(
        User.role == "province",
        User.province_slug == province_slug,
        User.is_active_flag.is_(True),
    )
    if approvers_only:
        query = query.where(User.is_approver.is_(True))
    return list(db.session.scalars(query.order_by(User.email)))


def mission_officers(country: str) -> list[User]:
    """Active officers of every mission covering ``country``."""
    missions = sa.select(MissionCountry.mission_id).where(MissionCountry.country == country)
    return list(
        db.session.scalars(
            sa.select(User)
            .where(
                User.role == "embassy",
                User.mission_id.in_(missions),
                User.is_active_flag.is_(True),
            )
            .order_by(User.email)
        )
    )


def nominee_address(nomination: Nomination) -> tuple[str | None, str]:
    """(email, locale) for the nominee: their account's, else the profile's email."""
    person = nomination.person
    if person.user is not None:
        return person.user.email, person.user.locale or "vi"
    return person.email, "vi"


# --- sending ----------------------------------------------------------------------------------


def link(endpoint: str, **values) -> str:
    """An absolute link (works in requests and in CLI commands alike)."""
    adapter = current_app.url_map.bind("localhost", url_scheme="http")
    return current_app.config["BASE_URL"].rstrip("/") + adapter.build(endpoint, values)


def _names(nomination: Nomination, locale: str) -> dict:
    province = province_by_slug(nomination.province_slug)
    province_label = nomination.province_slug
    if province is not None:
        province_label = province.name_en if locale == "en" else province.name_vi
    return {
        "province_label": province_label,
        "country_label": country_name(nomination.country, locale),
    }


def _send(to: str | None, template: str, locale: str, nomination: Nomination, **ctx) -> bool:
    if not to:
        return False
    locale = locale if locale in ("vi", "en") else "vi"
    try:
        send_mail(
            to,
            f"representatives/email/{template}",
            locale,
            nomination=nomination,
            url=link("representatives.detail", nomination_id=nomination.id),
            inbox_url=link("notices.inbox"),
            **_names(nomination, locale),
            **ctx,
        )
    except Exception:  # noqa: BLE001 - the step stands; the inbox still shows it
        log.exception("could not send %s for nomination %s", template, nomination.id)
        return False
    return True


def _send_users(users, template: str, nomination: Nomination, actor, **ctx) -> int:
    sent = 0
    for user in users:
        if actor is not None and user.id == getattr(actor, "id", None):
            continue
        sent += _send(user.email, template, user.locale or "vi", nomination, recipient=user, **ctx)
    return sent


def _send_nominee(template: str, nomination: Nomination, actor, **ctx) -> bool:
    person = nomination.person
    if actor is not None and person.user is not None and person.user.id == actor.id:
        return False
    email, locale = nominee_address(nomination)
    return _send(email, template, locale, nomination, recipient=person.user, **ctx)


def _invite_to_claim(nomination: Nomination, actor) -> None:
    """A nominee without an account gets the claim invitation before the consent step."""
    person = nomination.person
    if person.user is not None or not person.email:
        return
    try:
        from directory.people.claims import send_claim_invitation

        send_claim_invitation(person, actor)
        nomination.invitation_sent_at = utcnow()
        db.session.commit()
    except Exception:  # noqa: BLE001 - the mission can still invite from the profile
        db.session.rollback()
        log.exception("could not send the claim invitation for nomination %s", nomination.id)


def after_transition(nomination: Nomination, action: str, actor) -> None:
    """Notify whoever acts next (and the nominee of outcomes) after ``action``."""
    province = nomination.province_slug
    officers = province_officers(province)
    if action == "submit":
        _send_users(mission_officers(nomination.country), "review_requested", nomination, actor)
    elif action == "endorse":
        claim_first = nomination.person.user is None
        if claim_first:
            _invite_to_claim(nomination, actor)
        _send_nominee("consent_requested", nomination, actor, claim_first=claim_first)
        _send_users(officers, "province_update", nomination, actor, action=action)
    elif action == "accept":
        approvers = [u for u in officers if u.is_approver]
        others = [u for u in officers if not u.is_approver]
        _send_users(approvers, "approval_requested", nomination, actor)
        _send_users(others, "province_update", nomination, actor, action=action)
    elif action in ("object", "decline", "resign"):
        _send_users(officers, "province_update", nomination, actor, action=action)
    elif action in ("approve", "reject", "revoke"):
        _send_nominee("nominee_update", nomination, actor, action=action)
        _send_users(officers, "province_update", nomination, actor, action=action)
    elif action == "withdraw":
        if nomination.consent_requested_at is not None:
            _send_nominee("nominee_update", nomination, actor, action=action)
    elif action == "expire":
        _send_nominee("nominee_update", nomination, None, action=action)
        _send_users(officers, "province_update", nomination, None, action=action)


def send_reminders(on: date | None = None, days: int = REMINDER_DAYS) -> list[Nomination]:
    """Remind the representative and the province, once, ``days`` before a term ends."""
    on = on or utcnow().date()
    due = db.session.scalars(
        sa.select(Nomination)
        .where(
            Nomination.state == "active",
            Nomination.reminder_sent_at.is_(None),
            Nomination.term_end.is_not(None),
            Nomination.term_end >= on,
            Nomination.term_end <= on + timedelta(days=days),
        )
        .order_by(Nomination.term_end)
    ).all()
    for nomination in due:
        _send_nominee("reminder", nomination, None, to_representative=True)
        _send_users(
            province_officers(nomination.province_slug),
            "reminder",
            nomination,
            None,
            to_representative=False,
        )
        nomination.reminder_sent_at = utcnow()
        audit.record(
            "nomination.remind",
            nomination,
            details={"term_end": nomination.term_end.isoformat(), "days": days},
        )
        db.session.commit()
    return list(due)
