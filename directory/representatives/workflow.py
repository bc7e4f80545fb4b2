"""The nomination workflow: creation and every transition of PRODUCT.md "Representative workflow".

```
draft --submit--> embassy_review --endorse--> awaiting_consent --accept--> awaiting_approval --approve--> active
                        +--object--> objected       +--decline--> declined     +--reject--> rejected
active --expire/revoke/resign--> expired/revoked/resigned;  withdraw: by the province, before active
```

Each transition checks, in this order: the actor (``policy.can(actor, "nomination.<action>")``,
else 403), the state (else 409), the comment when a reason is required (else 422) and the
step's own rule (else 409). A refused step changes nothing. An accepted step records a
:class:`NominationEvent` and an audit event in one transaction, commits, then notifies the next
actor. The HTML views, the JSON API and the CLI all call these functions.
"""

from __future__ import annotations

import logging
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import lazyload

from directory import audit, policy
from directory.core.errors import ApiError, ValidationError
from directory.core.models import utcnow
from directory.extensions import db
from directory.people.models import Person
from directory.reference.countries import resolve_country
from directory.reference.provinces import resolve_province
from directory.representatives.models import OPEN_STATES, Nomination, NominationEvent

log = logging.getLogger(__name__)

# action -> (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "submit": (("draft",), "embassy_review"),
    "withdraw": (OPEN_STATES, "withdrawn"),
    "endorse": (("embassy_review",), "awaiting_consent"),
    "object": (("embassy_review",), "objected"),
    "accept": (("awaiting_consent",), "awaiting_approval"),
    "decline": (("awaiting_consent",), "declined"),
    "approve": (("awaiting_approval",), "active"),
    "reject": (("awaiting_approval",), "rejected"),
    "revoke": (("active",), "revoked"),
    "resign": (("active",), "resigned"),
    "expire": (("active",), "expired"),
}
# The steps a user can take (``expire`` belongs to the scheduled command).
USER_ACTIONS = (
    "submit",
    "endorse",
    "object",
    "accept",
    "decline",
    "approve",
    "reject",
    "withdraw",
    "revoke",
    "resign",
)
REASON_REQUIRED = ("object", "revoke")
TERM_YEARS = 3
MAX_RATIONALE = 5000
MAX_COMMENT = 2000
MAX_REGION = 120


class WorkflowError(ApiError):
    """A refused step (403 not this actor, 409 not in this state); nothing was changed."""


def _forbidden(action: str) -> WorkflowError:
    return WorkflowError(
        403, "forbidden", _("You are not allowed to take this step on this nomination.")
    )


def _wrong_state(nomination: Nomination, action: str) -> WorkflowError:
    return WorkflowError(
        409,
        "invalid_state",
        _(
            "This step is not possible while the nomination is %(state)s.",
            state=state_label(nomination.state),
        ),
    )


def state_label(state: str) -> str:
    """The state's name in the current language."""
    labels = {
        "draft": _("a draft"),
        "embassy_review": _("in review by the mission"),
        "objected": _("objected to by the mission"),
        "awaiting_consent": _("awaiting the nominee's consent"),
        "declined": _("declined by the nominee"),
        "awaiting_approval": _("awaiting approval"),
        "rejected": _("rejected"),
        "active": _("active"),
        "expired": _("expired"),
        "revoked": _("revoked"),
        "resigned": _("ended by resignation"),
        "withdrawn": _("withdrawn"),
    }
    return labels.get(state, state)


# --- creation ---------------------------------------------------------------------------------


def _parse_date(value, field: str, errors: dict) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    errors[field] = _("Use a date like 2026-01-31.")
    return None


def _text(value, field: str, errors: dict, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        errors[field] = _("Must be text.")
        return ""
    value = " ".join(value.split()) if field == "region" else value.strip()
    if len(value) > limit:
        errors[field] = _("At most %(n)s characters.", n=limit)
    return value


def _check_term(start: date | None, end: date | None, errors: dict) -> None:
    if start and end and end <= start:
        errors["term_end"] = _("The term must end after it starts.")


def create_nomination(data: dict, by) -> Nomination:
    """Create a draft nomination from ``data`` (CONTRACT "Nomination JSON") by a province officer."""
    if not policy.can(by, "nomination.create", None):
        raise _forbidden("create")
    errors: dict[str, str] = {}
    person = None
    person_id = data.get("person_id")
    if not person_id or not isinstance(person_id, str):
        errors["person_id"] = _("Choose the person to nominate.")
    else:
        person = db.session.get(Person, person_id)
        if person is None or not policy.can(by, "person.view", person):
            errors["person_id"] = _("This person does not exist, or you may not see them.")
            person = None
        elif not policy.can(by, "nomination.create", person):
            errors["person_id"] = _("This person cannot be nominated.")
            person = None
        elif not person.consent_contact:
            errors["person_id"] = _(
                "This person has not agreed to be contacted by officials, so they cannot be "
                "nominated."
            )

    raw_province = data.get("province")
    province = by.province_slug
    if raw_province not in (None, ""):
        province = resolve_province(raw_province) if isinstance(raw_province, str) else None
        if province is None:
            errors["province"] = _("Unknown province.")
        elif province != by.province_slug:
            raise WorkflowError(
                403, "forbidden", _("You may nominate representatives only for your own province.")
            )

    raw_country = data.get("country")
    country = resolve_country(raw_country) if isinstance(raw_country, str) else None
    if not raw_country:
        errors["country"] = _("Choose the host country.")
    elif country is None:
        errors["country"] = _("Unknown country.")

    region = _text(data.get("region"), "region", errors, MAX_REGION)
    rationale = _text(data.get("rationale"), "rationale", errors, MAX_RATIONALE)
    if not rationale and "rationale" not in errors:
        errors["rationale"] = _("Explain why this person should represent the province.")
    term_start = _parse_date(data.get("term_start"), "term_start", errors)
    term_end = _parse_date(data.get("term_end"), "term_end", errors)
    _check_term(term_start, term_end, errors)

    previous = None
    previous_id = data.get("previous_nomination_id")
    if previous_id:
        previous = db.session.get(Nomination, previous_id) if isinstance(previous_id, str) else None
        if previous is None or not policy.can(by, "nomination.renew", previous):
            errors["previous_nomination_id"] = _("Unknown nomination.")
            previous = None
    if errors:
        raise ValidationError(errors, _("Some values are not valid."))

    duplicate = db.session.scalar(
        sa.select(Nomination.id).where(
            Nomination.person_id == person.id,
            Nomination.province_slug == province,
            Nomination.country == country,
            Nomination.region == region,
            Nomination.state.in_(OPEN_STATES),
        )
    )
    if duplicate:
        raise WorkflowError(
            409,
            "duplicate",
            _("This person already has an open nomination for this province and country."),
        )

    nomination = Nomination(
        province_slug=province,
        person_id=person.id,
        country=country,
        region=region,
        rationale=rationale,
        term_start=term_start,
        term_end=term_end,
        state="draft",
        created_by_id=by.id,
        previous_nomination_id=previous.id if previous else None,
    )
    db.session.add(nomination)
    db.session.flush()
    _record(nomination, "create", by, "", None, "draft")
    db.session.commit()
    return nomination


def renewal_data(previous: Nomination) -> dict:
    """Form data for a renewal: the previous nomination's seat and rationale."""
    return {
        "person_id": previous.person_id,
        "country": previous.country,
        "region": previous.region,
        "rationale": previous.rationale,
        "previous_nomination_id": previous.id,
    }


# --- transitions ------------------------------------------------------------------------------


def allowed_actions(nomination: Nomination, user) -> list[str]:
    """The steps ``user`` may take on ``nomination`` now (actor and state both allow them)."""
    return [
        action
        for action in USER_ACTIONS
        if nomination.state in TRANSITIONS[action][0]
        and policy.can(user, f"nomination.{action}", nomination)
    ]


def _record(nomination, action, actor, comment, from_state, to_state) -> NominationEvent:
    event = NominationEvent(
        nomination=nomination,
        seq=len(nomination.events),
        action=action,
        actor_id=getattr(actor, "id", None),
        at=utcnow(),
        comment=comment,
        from_state=from_state,
        to_state=to_state,
    )
    db.session.add(event)
    audit.record(
        f"nomination.{action}",
        nomination,
        actor=actor,
        details={
            "from": from_state,
            "to": to_state,
            "person_id": nomination.person_id,
            "province": nomination.province_slug,
            "country": nomination.country,
        },
    )
    return event


def _lock(nomination: Nomination) -> Nomination:
    """Re-read the nomination with a row lock (PostgreSQL) so concurrent steps serialise."""
    return db.session.scalars(
        sa.select(Nomination)
        .where(Nomination.id == nomination.id)
        .options(lazyload(Nomination.person))
        .with_for_update(of=Nomination)
        .execution_options(populate_existing=True)
    ).one()


def _lock_seat(nomination: Nomination) -> list[Nomination]:
    """Lock every nomination for the same (province, country, region), in id order.

    Competing approvals of the same seat then run one after the other; the loser sees the
    winner's active appointment. The partial unique index is the last line of defence.
    """
    return list(
        db.session.scalars(
            sa.select(Nomination)
            .where(
                Nomination.province_slug == nomination.province_slug,
                Nomination.country == nomination.country,
                Nomination.region == nomination.region,
            )
            .options(lazyload(Nomination.person))
            .order_by(Nomination.id)
            .with_for_update(of=Nomination)
            .execution_options(populate_existing=True)
        )
    )


def _seat_taken() -> WorkflowError:
    return WorkflowError(
        409,
        "seat_taken",
        _(
            "This province already has an active representative for this country and region. "
            "The current appointment must end before another is approved."
        ),
    )


def _refuse(error: Exception):
    """Roll back (releasing any row lock) and raise ``error``: nothing was changed."""
    db.session.rollback()
    raise error


def _mission_covers(country: str) -> bool:
    from directory.missions.models import MissionCountry

    return (
        db.session.scalar(
            sa.select(MissionCountry.mission_id).where(MissionCountry.country == country).limit(1)
        )
        is not None
    )


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def today() -> date:
    return utcnow().date()


def _transition(nomination: Nomination, actor, action: str, comment: str | None = "", **extra):
    """Check, apply, record, commit and notify one step (see the module docstring)."""
    if actor is not None and not policy.can(actor, f"nomination.{action}", nomination):
        raise _forbidden(action)
    if actor is None and action != "expire":
        raise _forbidden(action)
    if comment is not None and not isinstance(comment, str):
        raise ValidationError({"comment": _("Must be text.")})
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise ValidationError({"comment": _("At most %(n)s characters.", n=MAX_COMMENT)})

    if action == "approve":
        seat = _lock_seat(nomination)
        nomination = next(n for n in seat if n.id == nomination.id)
    else:
        nomination = _lock(nomination)
    from_states, to_state = TRANSITIONS[action]
    if nomination.state not in from_states:
        _refuse(_wrong_state(nomination, action))
    if action in REASON_REQUIRED and not comment:
        _refuse(
            ValidationError(
                {"comment": _("Give a reason.")}, _("This step needs a reason in the comment.")
            )
        )

    now = utcnow()
    from_state = nomination.state
    if action == "submit":
        if not _mission_covers(nomination.country):
            _refuse(
                WorkflowError(
                    409,
                    "no_mission",
                    _("No mission covers this country yet, so nobody could review the nomination."),
                )
            )
        nomination.submitted_at = now
    elif action == "endorse":
        if nomination.person.verified_at is None:
            _refuse(
                WorkflowError(
                    409,
                    "not_verified",
                    _("The nominee's profile must be verified by the mission before endorsement."),
                )
            )
        nomination.consent_requested_at = now
    elif action in ("accept", "decline"):
        nomination.responded_at = now
    elif action == "reject":
        nomination.decided_at = now
    elif action == "approve":
        if any(n.state == "active" for n in seat if n.id != nomination.id):
            _refuse(_seat_taken())
        _set_term(nomination, extra.get("term_start"), extra.get("term_end"))
        nomination.decided_at = now
    elif action in ("revoke", "resign", "expire"):
        nomination.ended_at = now

    try:
        nomination.state = to_state
        _record(nomination, action, actor, comment, from_state, to_state)
        db.session.commit()
    except IntegrityError:
        if action == "approve":
            _refuse(_seat_taken())
        raise

    from directory.representatives import notifications

    notifications.after_transition(nomination, action, actor)
    return nomination


def _set_term(nomination: Nomination, start, end) -> None:
    errors: dict[str, str] = {}
    start = _parse_date(start, "term_start", errors) or nomination.term_start or today()
    end = _parse_date(end, "term_end", errors) or nomination.term_end
    if end is None:
        end = _add_years(start, TERM_YEARS)
    _check_term(start, end, errors)
    if "term_end" not in errors and end < today():
        errors["term_end"] = _("The term must end in the future.")
    if errors:
        _refuse(ValidationError(errors, _("Some values are not valid.")))
    nomination.term_start, nomination.term_end = start, end


def submit(nomination: Nomination, actor, comment: str = "") -> Nomination:
    """Send a draft to the mission covering the host country."""
    return _transition(nomination, actor, "submit", comment)


def withdraw(nomination: Nomination, actor, comment: str = "") -> Nomination:
    """The province withdraws its nomination, from any state before active."""
    return _transition(nomination, actor, "withdraw", comment)


def endorse(nomination: Nomination, actor, comment: str = "") -> Nomination:
    """The mission endorses a verified nominee; the nominee is asked for consent."""
    return _transition(nomination, actor, "endorse", comment)


def object_(nomination: Nomination, actor, comment: str = "") -> Nomination:
    """The mission objects, with a reason (terminal)."""
    return _transition(nomination, actor, "object", comment)


def accept(nomination: Nomination, actor, comment: str = "") -> Nomination:
    """The nominee accepts; the province approvers decide."""
    return _transition(nomination, actor, "accept", comment)


def decline(nomination: Nomination, actor, comment: str = "") -> Nomination:
    """The nominee declines (terminal)."""
    return _transition(nomination, actor, "decline", comment)


def approve(
    nomination: Nomination, actor, comment: str = "", term_start=None, term_end=None
) -> Nomination:
    """A province approver appoints: active from term_start (today) to term_end (+3 years)."""
    return _transition(
        nomination, actor, "approve", comment, term_start=term_start, term_end=term_end
    )


def reject(nomination: Nomination, actor, comment: str = "") -> Nomination:
    """A province approver rejects (terminal)."""
    return _transition(nomination, actor, "reject", comment)


def revoke(nomination: Nomination, actor, comment: str = "") -> Nomination:
    """The province ends an active appointment, with a reason."""
    return _transition(nomination, actor, "revoke", comment)


def resign(nomination: Nomination, actor, comment: str = "") -> Nomination:
    """The representative ends their own appointment."""
    return _transition(nomination, actor, "resign", comment)


def expire(nomination: Nomination, on: date | None = None) -> Nomination:
    """End an active appointment whose term is over (the scheduled command, no actor)."""
    on = on or today()
    if nomination.term_end is None or nomination.term_end >= on:
        raise WorkflowError(409, "invalid_state", _("This term is not over yet."))
    return _transition(nomination, None, "expire", "")


ACTIONS = {
    "submit": submit,
    "withdraw": withdraw,
    "endorse": endorse,
    "object": object_,
    "accept": accept,
    "decline": decline,
    "approve": approve,
    "reject": reject,
    "revoke": revoke,
    "resign": resign,
}


def take_action(nomination: Nomination, action: str, actor, comment: str = "", **extra):
    """Dispatch a user's step by name (HTML form and API); unknown names are a 404."""
    func = ACTIONS.get(action)
    if func is None:
        raise WorkflowError(404, "unknown_action", _("Unknown action."))
    if action == "approve":
        return func(nomination, actor, comment, **extra)
    return func(nomination, actor, comment)


def expire_due(on: date | None = None) -> list[Nomination]:
    """Expire every active appointment whose term ended before ``on`` (today)."""
    on = on or today()
    due = db.session.scalars(
        sa.select(Nomination)
        .where(Nomination.state == "active", Nomination.term_end < on)
        .order_by(Nomination.term_end)
    ).all()
    done = []
    for nomination in due:
        try:
            done.append(expire(nomination, on))
        except WorkflowError:
            log.info("nomination %s changed before it could expire", nomination.id)
    return done
