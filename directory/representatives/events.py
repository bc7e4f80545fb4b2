"""The nomination's timeline: every step writes one event and one audit event."""

from __future__ import annotations

from directory import audit
from directory.core.models import utcnow
from directory.extensions import db
from directory.representatives.models import NominationEvent


def record(
    nomination, action, actor, comment, from_state, to_state, *, residence_exception=False
) -> NominationEvent:
    event = NominationEvent(
        nomination=nomination,
        seq=len(nomination.events),
        action=action,
        actor_id=getattr(actor, "id", None),
        at=utcnow(),
        comment=comment,
        from_state=from_state,
        to_state=to_state,
        residence_exception=residence_exception,
    )
    db.session.add(event)
    details = {
        "from": from_state,
        "to": to_state,
        "person_id": nomination.person_id,
        "province": nomination.province_slug,
        "country": nomination.country,
    }
    if residence_exception:
        details["residence_exception"] = True
    audit.record(f"nomination.{action}", nomination, actor=actor, details=details)
    return event
