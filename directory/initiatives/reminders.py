"""Overdue initiatives: their handlers are told once, the day after the answer was due.

``flask initiatives remind-overdue`` (hourly in the worker) finds the open initiatives past
their due date not reminded yet; it tells the assignee, or when nobody is assigned every
official who handles the receiving body (the province's officers, the admin for the central
body), by an inbox notice and an email in their language, and records an audit event.
"""

from __future__ import annotations

import logging
from datetime import date

import sqlalchemy as sa
from flask import current_app

from directory import audit, policy
from directory.accounts.models import User
from directory.core.models import utcnow
from directory.extensions import db
from directory.initiatives.models import Initiative
from directory.initiatives.notifications import link
from directory.initiatives.queries import overdue_condition
from directory.notices import services as notices
from directory.policy.initiatives import handles
from directory.reference.provinces import province_by_slug

log = logging.getLogger(__name__)


def handlers(initiative: Initiative) -> list[User]:
    """Who is told: the assignee while they still handle it, otherwise every handler."""
    assignee = initiative.assignee
    if assignee is not None and handles(assignee, initiative.province_slug):
        return [assignee]
    if initiative.province_slug is None:
        query = sa.select(User).where(User.role == "admin")
    else:
        query = sa.select(User).where(
            User.role == "province", User.province_slug == initiative.province_slug
        )
    users = db.session.scalars(query.where(User.is_active_flag.is_(True)).order_by(User.email))
    return [user for user in users if handles(user, initiative.province_slug)]


def _claim(initiative: Initiative) -> bool:
    """Mark it reminded; False when another run did first."""
    done = db.session.execute(
        sa.update(Initiative)
        .where(Initiative.id == initiative.id, Initiative.overdue_reminded_at.is_(None))
        .values(overdue_reminded_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return done.rowcount == 1


def _email(user: User, initiative: Initiative) -> None:
    from directory.core.mail import send_mail

    if not user.email:
        return
    locale = user.locale if user.locale in ("vi", "en") else "vi"
    province = province_by_slug(initiative.province_slug)
    body = None
    if province is not None:
        body = province.name_en if locale == "en" else province.name_vi
    try:
        send_mail(
            user.email,
            "initiatives/email/overdue",
            locale,
            initiative=initiative,
            body_name=body,
            url=link("initiatives.detail", initiative_id=initiative.id),
        )
    except Exception:  # noqa: BLE001 - the notice is in the inbox; the next one goes on
        log.exception("could not email the overdue reminder of initiative %s", initiative.id)


def remind_overdue(on: date | None = None) -> list[Initiative]:
    """Tell the handlers of each overdue initiative not reminded yet; returns those reminded."""
    due = db.session.scalars(
        sa.select(Initiative)
        .where(overdue_condition(on), Initiative.overdue_reminded_at.is_(None))
        .order_by(Initiative.due_on, Initiative.id)
    ).all()
    done = []
    for initiative in due:
        if not _claim(initiative):
            db.session.rollback()
            continue
        users = handlers(initiative)
        for user in users:
            notices.notify(user, "initiative.overdue", initiative_id=initiative.id)
        audit.record(
            "initiative.remind_overdue",
            initiative,
            details={"due_on": initiative.due_on.isoformat(), "recipients": len(users)},
        )
        db.session.commit()
        for user in users:
            if policy.can(user, "initiative.view", initiative):
                _email(user, initiative)
        done.append(initiative)
    if done:
        current_app.logger.info("reminded the handlers of %s overdue initiative(s)", len(done))
    return done
