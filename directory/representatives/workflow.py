"""The nomination workflow: creation and every transition of docs/product.md "Representative workflow".

```
draft --submit--> embassy_review --endorse--> awaiting_consent --accept--> awaiting_approval --approve--> active
                        +--object--> objected       +--decline--> declined     +--reject--> rejected
active --expire/revoke/resign--> expired/revoked/resigned;  withdraw: by the province, before active
```

Each transition checks, in this order: the actor (``policy.can(actor, "nomination.<action>")``,
else 403), the state (else 409), the input the step needs (a reason, the approved term, the
mission's acknowledgement that the nominee lives elsewhere; else 422) and the step's own rule
(else 409). A refused step changes nothing. An accepted step records a :class:`NominationEvent`
and an audit event in one transaction, commits, then notifies the next actor. The HTML views,
the JSON API and the CLI all call these functions.

One decision per nomination, on every database. The state change itself is a compare-and-set,
``UPDATE nominations SET state = :to WHERE id = :id AND state = :from``, and it is the first
write of the step's transaction: of two concurrent steps on one nomination, the second finds
no row in the expected state and is refused (409 ``changed_meanwhile``) with nothing written.
On PostgreSQL the row lock taken before (``FOR UPDATE``) already makes the second wait and see
the first's result; on SQLite, where ``FOR UPDATE`` does nothing, that first write takes the
database's write lock, so the rules checked after it (a free seat, a verified profile) read
what every earlier step committed. SQLite writers wait for each other (the busy timeout set in
``directory/extensions.py``); a lock still refused at the end of it is a 409 ``busy``, never a
500.

The seat (province, country, region) has one holder and one nomination on its way at a time
(seats.py); creating a nomination is nominating.py.
"""

from __future__ import annotations

import logging
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import lazyload

from directory import policy
from directory.core.errors import ValidationError
from directory.core.locks import lock_refused
from directory.core.models import utcnow
from directory.extensions import db
from directory.representatives.events import record
from directory.representatives.inputs import check_term, flag, parse_date
from directory.representatives.models import PENDING_STATES, Nomination
from directory.representatives.refusals import (
    WorkflowError,
    busy,
    changed_meanwhile,
    forbidden,
    refuse,
    seat_taken,
    wrong_state,
)
from directory.representatives.residence import needs_residence_acknowledgement, residence_note
from directory.representatives.seats import holder_conflict, seat_conflict, seat_holder
from directory.representatives.states import REASON_REQUIRED, SEAT_ACTIONS, TRANSITIONS

log = logging.getLogger(__name__)

TERM_YEARS = 3
MAX_COMMENT = 2000


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
    """Lock every nomination of the province in that country (PostgreSQL), in id order.

    All regions, since regions compare folded. Competing steps on one seat then run one after
    the other; the loser sees the winner's result. The partial unique index is the last line
    of defence.
    """
    return list(
        db.session.scalars(
            sa.select(Nomination)
            .where(
                Nomination.province_slug == nomination.province_slug,
                Nomination.country == nomination.country,
            )
            .options(lazyload(Nomination.person))
            .order_by(Nomination.id)
            .with_for_update(of=Nomination)
            .execution_options(populate_existing=True)
        )
    )


def _claim(nomination: Nomination, from_state: str, to_state: str) -> None:
    """Compare-and-set the state: ``UPDATE … WHERE id = :id AND state = :from`` (else a 409).

    The step's first write. Another step that committed since this one read the nomination
    leaves no row in ``from_state``: this one is refused and writes nothing.
    """
    result = db.session.execute(
        sa.update(Nomination)
        .where(Nomination.id == nomination.id, Nomination.state == from_state)
        .values(state=to_state)
        .execution_options(synchronize_session="evaluate")
    )
    if result.rowcount != 1:
        refuse(changed_meanwhile())


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
        raise forbidden(action)
    if actor is None and action != "expire":
        raise forbidden(action)
    if comment is not None and not isinstance(comment, str):
        raise ValidationError({"comment": _("Must be text.")})
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise ValidationError({"comment": _("At most %(n)s characters.", n=MAX_COMMENT)})

    from_states, to_state = TRANSITIONS[action]
    seen_state = nomination.state  # what the caller saw when it chose this step
    nomination_id = nomination.id
    seat = (nomination.province_slug, nomination.country, nomination.region)
    try:
        if action in SEAT_ACTIONS:
            locked = _lock_seat(nomination)
            nomination = next(n for n in locked if n.id == nomination_id)
        else:
            nomination = _lock(nomination)
        from_state = nomination.state
        if from_state not in from_states:
            refuse(
                changed_meanwhile()
                if seen_state in from_states
                else wrong_state(nomination, action)
            )
        if action in REASON_REQUIRED and not comment:
            refuse(
                ValidationError(
                    {"comment": _("Give a reason.")}, _("This step needs a reason in the comment.")
                )
            )
        term = None
        if action == "approve":
            term = _term(nomination, extra.get("term_start"), extra.get("term_end"))
        residence = False
        if action == "endorse":
            residence = _residence_acknowledged(nomination, extra.get("residence_acknowledged"))

        _claim(nomination, from_state, to_state)

        now = utcnow()
        if action == "submit":
            if not _mission_covers(nomination.country):
                refuse(
                    WorkflowError(
                        409,
                        "no_mission",
                        _(
                            "No mission covers this country yet, so nobody could review the "
                            "nomination."
                        ),
                    )
                )
            conflict = seat_conflict(nomination, PENDING_STATES)
            if conflict is not None:
                refuse(conflict)
            nomination.submitted_at = now
        elif action == "endorse":
            if nomination.person.verified_at is None:
                refuse(
                    WorkflowError(
                        409,
                        "not_verified",
                        _(
                            "The nominee's profile must be verified by the mission before "
                            "endorsement."
                        ),
                    )
                )
            if residence:
                nomination.residence_exception = True
                nomination.residence_country = nomination.person.country
            nomination.consent_requested_at = now
        elif action in ("accept", "decline"):
            nomination.responded_at = now
        elif action == "reject":
            nomination.decided_at = now
        elif action == "approve":
            holder = seat_holder(*seat, exclude_id=nomination.id)
            if holder is not None:
                refuse(holder_conflict(holder, None))
            nomination.term_start, nomination.term_end = term
            nomination.decided_at = now
        elif action in ("revoke", "resign", "expire"):
            nomination.ended_at = now

        record(
            nomination, action, actor, comment, from_state, to_state, residence_exception=residence
        )
        db.session.commit()
    except IntegrityError:
        if action != "approve":
            raise
        db.session.rollback()  # the unique index saw the seat's holder first: name them
        holder = seat_holder(*seat, exclude_id=nomination_id)
        refuse(holder_conflict(holder, None) if holder is not None else seat_taken())
    except DBAPIError as exc:
        if lock_refused(exc):
            refuse(busy())
        raise

    from directory.representatives import notifications

    notifications.after_transition(nomination, action, actor)
    return nomination


def _term(nomination: Nomination, start, end) -> tuple[date, date]:
    """The approved term: the approver's dates, else the proposed ones, else today + 3 years."""
    errors: dict[str, str] = {}
    start = parse_date(start, "term_start", errors) or nomination.term_start or today()
    end = parse_date(end, "term_end", errors) or nomination.term_end
    if end is None:
        end = _add_years(start, TERM_YEARS)
    check_term(start, end, errors)
    if "term_end" not in errors and end < today():
        errors["term_end"] = _("The term must end in the future.")
    if errors:
        refuse(ValidationError(errors, _("Some values are not valid.")))
    return start, end


def _residence_acknowledged(nomination: Nomination, acknowledged) -> bool:
    """Whether this endorsement acknowledges a nominee living elsewhere (422 when it must)."""
    errors: dict[str, str] = {}
    acknowledged = flag(acknowledged, "residence_acknowledged", errors)
    if errors:
        refuse(ValidationError(errors, _("Some values are not valid.")))
    if not needs_residence_acknowledgement(nomination):
        return False
    if not acknowledged:
        message = " ".join(
            (
                residence_note(nomination.person, nomination.country),
                _(
                    "Read the province's rationale, then confirm that you endorse the "
                    "nomination anyway."
                ),
            )
        )
        refuse(ValidationError({"residence_acknowledged": message}, message))
    return True


def submit(nomination: Nomination, actor, comment: str = "") -> Nomination:
    """Send a draft to the mission covering the host country (the seat must be free)."""
    return _transition(nomination, actor, "submit", comment)


def withdraw(nomination: Nomination, actor, comment: str = "") -> Nomination:
    """The province withdraws its nomination, from any state before active."""
    return _transition(nomination, actor, "withdraw", comment)


def endorse(
    nomination: Nomination, actor, comment: str = "", residence_acknowledged: bool = False
) -> Nomination:
    """The mission endorses a verified nominee; the nominee is asked for consent.

    When the nominee lives outside the host country, ``residence_acknowledged`` must be true.
    """
    return _transition(
        nomination, actor, "endorse", comment, residence_acknowledged=residence_acknowledged
    )


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
# The extra input each step takes besides the comment.
ACTION_INPUTS = {
    "approve": ("term_start", "term_end"),
    "endorse": ("residence_acknowledged",),
}


def take_action(nomination: Nomination, action: str, actor, comment: str = "", **extra):
    """Dispatch a user's step by name (HTML form and API); unknown names are a 404."""
    func = ACTIONS.get(action)
    if func is None:
        raise WorkflowError(404, "unknown_action", _("Unknown action."))
    inputs = {k: v for k, v in extra.items() if k in ACTION_INPUTS.get(action, ())}
    return func(nomination, actor, comment, **inputs)


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
