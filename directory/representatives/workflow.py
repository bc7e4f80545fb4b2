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

The seat (province, country, region) has one holder and one nomination on its way at a time:
see ``docs/product-rules.md`` ("Representative nominations").
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date

import sqlalchemy as sa
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import lazyload

from directory import audit, policy
from directory.core.errors import ApiError, ValidationError
from directory.core.models import utcnow
from directory.extensions import db
from directory.i18n import current_locale
from directory.people.models import Person
from directory.reference.countries import country_name, resolve_country
from directory.reference.provinces import province_by_slug, resolve_province
from directory.representatives.models import (
    OPEN_STATES,
    PENDING_STATES,
    Nomination,
    NominationEvent,
)
from search_index.normalize import fold_words

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
# The steps that check the seat (and so lock every nomination of it on PostgreSQL).
SEAT_ACTIONS = ("submit", "approve")
# A renewal reuses the data of an appointment whose term is over (see renewal_data).
RENEWABLE_STATES = ("expired",)
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


def _changed_meanwhile() -> WorkflowError:
    return WorkflowError(
        409,
        "changed_meanwhile",
        _(
            "This nomination was changed by someone else meanwhile; reload it to see its "
            "current state."
        ),
    )


def _busy() -> WorkflowError:
    return WorkflowError(
        409,
        "busy",
        _("Someone else is changing this nomination right now; reload it and try again."),
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


def _locale() -> str:
    return current_locale()


def _province_label(slug: str) -> str:
    province = province_by_slug(slug)
    if province is None:
        return slug
    return province.name_en if _locale() == "en" else province.name_vi


# --- seats ------------------------------------------------------------------------------------


def seat_key(region: str | None) -> str:
    """The region as seats compare it: case, accents, punctuation and spacing ignored."""
    return " ".join(fold_words(region))


def seat_label(nomination: Nomination) -> str:
    """ "Đà Nẵng · Pháp · Lyon": the seat in the current language (as the pages show it)."""
    parts = [_province_label(nomination.province_slug), country_name(nomination.country, _locale())]
    if nomination.region:
        parts.append(nomination.region)
    return " · ".join(parts)


def seat_nominations(
    province: str, country: str, region: str | None, states, exclude_id: str | None = None
) -> list[Nomination]:
    """The nominations of that seat in ``states`` (as committed now), oldest first."""
    key = seat_key(region)
    rows = db.session.scalars(
        sa.select(Nomination)
        .where(
            Nomination.province_slug == province,
            Nomination.country == country,
            Nomination.state.in_(states),
        )
        .order_by(Nomination.created_at, Nomination.id)
        .execution_options(populate_existing=True)
    ).all()
    return [n for n in rows if n.id != exclude_id and seat_key(n.region) == key]


def _stored_region(province: str, country: str, region: str) -> str:
    """``region`` as its seat already spells it (so that the unique index sees one seat)."""
    key = seat_key(region)
    if not key:
        return ""
    for existing in db.session.scalars(
        sa.select(Nomination.region)
        .where(Nomination.province_slug == province, Nomination.country == country)
        .distinct()
    ):
        if existing and seat_key(existing) == key:
            return existing
    return region


def _end_label(nomination: Nomination) -> str:
    return format_date(nomination.term_end, "medium") if nomination.term_end else "…"


def _holder_conflict(holder: Nomination, person_id: str | None) -> WorkflowError:
    """The seat is held: by this very person (no renewal before the end yet), or another.

    ``person_id`` None: whoever it is, the seat is taken (what an approval is told).
    """
    values = {
        "name": holder.person.full_name,
        "seat": seat_label(holder),
        "end": _end_label(holder),
    }
    if holder.person_id == person_id:
        message = _(
            "%(name)s already holds this seat (%(seat)s) until %(end)s. Renewing before the "
            "term ends is not offered yet: nominate them again once the term has ended.",
            **values,
        )
        return WorkflowError(409, "already_holder", message, {"person_id": message})
    message = _(
        "%(name)s already represents the province for this seat (%(seat)s) until %(end)s. "
        "Another representative can take the seat only once that appointment has ended.",
        **values,
    )
    return WorkflowError(409, "seat_taken", message, {"country": message})


def _rival_conflict(rival: Nomination, person_id: str) -> WorkflowError:
    """Another nomination of the seat is on its way (or is a draft of the province)."""
    values = {
        "name": rival.person.full_name,
        "seat": seat_label(rival),
        "state": state_label(rival.state),
    }
    if rival.person_id == person_id:
        message = _(
            "%(name)s is already nominated for this seat (%(seat)s); that nomination is %(state)s.",
            **values,
        )
        return WorkflowError(409, "duplicate", message, {"country": message})
    message = _(
        "%(name)s is already nominated for this seat (%(seat)s); that nomination is %(state)s. "
        "Withdraw it, or wait for its outcome, before nominating someone else.",
        **values,
    )
    return WorkflowError(409, "seat_pending", message, {"country": message})


def _seat_holder(province: str, country: str, region: str, exclude_id: str) -> Nomination | None:
    holders = seat_nominations(province, country, region, ("active",), exclude_id=exclude_id)
    return holders[0] if holders else None


def seat_conflict(nomination: Nomination, rival_states) -> WorkflowError | None:
    """Why ``nomination`` may not go on: the seat's active holder, else a rival in ``rival_states``."""
    seat = (nomination.province_slug, nomination.country, nomination.region)
    holder = _seat_holder(*seat, exclude_id=nomination.id)
    if holder is not None:
        return _holder_conflict(holder, nomination.person_id)
    rivals = seat_nominations(*seat, rival_states, exclude_id=nomination.id)
    if rivals:
        return _rival_conflict(rivals[0], nomination.person_id)
    return None


def _guard_seat(province: str, country: str, region: str) -> None:
    """PostgreSQL: one creation per seat at a time (a transaction-scoped advisory lock).

    SQLite needs nothing: the new row's insert takes the database's write lock, and the
    checks made after it see every nomination committed before.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return
    digest = hashlib.blake2b(f"{province}|{country}|{seat_key(region)}".encode(), digest_size=8)
    key = int.from_bytes(digest.digest(), "big", signed=True)
    db.session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


# --- residence --------------------------------------------------------------------------------


def lives_elsewhere(person: Person, country: str) -> bool:
    """The person's country of residence is not ``country`` (or their profile does not say)."""
    return person.country != country


def residence_note(person: Person, country: str) -> str:
    """ "X lives in Germany, not in France." in the current language."""
    locale = _locale()
    if not person.country:
        return _(
            "The profile of %(name)s does not say which country they live in, so it cannot "
            "show that they live in %(country)s.",
            name=person.full_name,
            country=country_name(country, locale),
        )
    return _(
        "%(name)s lives in %(lives)s, not in %(country)s.",
        name=person.full_name,
        lives=country_name(person.country, locale),
        country=country_name(country, locale),
    )


def _flag(value, field: str, errors: dict) -> bool:
    if value in (None, False, ""):
        return False
    if value is True:
        return True
    errors[field] = _("Must be true or false.")
    return False


def needs_residence_acknowledgement(nomination: Nomination) -> bool:
    """The mission must acknowledge that the nominee lives outside the host country.

    As the profile says now: whether the province confirmed it, or the nominee moved since.
    """
    return lives_elsewhere(nomination.person, nomination.country)


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
    """Create a draft nomination from ``data`` (CONTRACT "Nomination JSON") by a province officer.

    Refused (409, nothing written) when the seat has an active holder (the nominee included:
    no renewal before the term ends) or another open nomination, drafts included. A nominee
    living outside the host country needs ``residence_exception: true`` (else 422 on
    ``country``); the nomination then records it.
    """
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
    exception = _flag(data.get("residence_exception"), "residence_exception", errors)
    elsewhere = person is not None and country is not None and lives_elsewhere(person, country)
    if elsewhere and not exception and "country" not in errors:
        errors["country"] = " ".join(
            (
                residence_note(person, country),
                _(
                    "To nominate them for this country anyway, explain why in the rationale "
                    "and confirm the exception."
                ),
            )
        )

    previous = None
    previous_id = data.get("previous_nomination_id")
    if previous_id:
        previous = db.session.get(Nomination, previous_id) if isinstance(previous_id, str) else None
        if (
            previous is None
            or not policy.can(by, "nomination.renew", previous)
            or (person is not None and previous.person_id != person.id)
        ):
            errors["previous_nomination_id"] = _("Unknown nomination.")
            previous = None
        elif previous.state not in RENEWABLE_STATES:
            errors["previous_nomination_id"] = _(
                "Only an appointment whose term has ended can be renewed."
            )
            previous = None
    if errors:
        raise ValidationError(errors, _("Some values are not valid."))

    try:
        _guard_seat(province, country, region)
        nomination = Nomination(
            province_slug=province,
            person_id=person.id,
            person=person,
            country=country,
            region=_stored_region(province, country, region),
            rationale=rationale,
            term_start=term_start,
            term_end=term_end,
            state="draft",
            created_by_id=by.id,
            previous_nomination_id=previous.id if previous else None,
            residence_exception=elsewhere,
            residence_country=person.country if elsewhere else None,
        )
        db.session.add(nomination)
        db.session.flush()  # the first write: from here on, the checks see every commit
        conflict = seat_conflict(nomination, OPEN_STATES)
        if conflict is not None:
            _refuse(conflict)
        _record(nomination, "create", by, "", None, "draft", residence_exception=elsewhere)
        db.session.commit()
    except DBAPIError as exc:
        if _lock_refused(exc):
            _refuse(_busy())
        raise
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


def _record(
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
        _refuse(_changed_meanwhile())


def _lock_refused(exc: DBAPIError) -> bool:
    """The database gave up waiting for a lock (SQLite busy, PostgreSQL deadlock/serialisation)."""
    orig = getattr(exc, "orig", None)
    name = getattr(orig, "sqlite_errorname", "") or ""
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "database is locked" in str(orig):
        return True
    return getattr(orig, "sqlstate", None) in ("40001", "40P01", "55P03")


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
            _refuse(
                _changed_meanwhile()
                if seen_state in from_states
                else _wrong_state(nomination, action)
            )
        if action in REASON_REQUIRED and not comment:
            _refuse(
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
                _refuse(
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
                _refuse(conflict)
            nomination.submitted_at = now
        elif action == "endorse":
            if nomination.person.verified_at is None:
                _refuse(
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
            holder = _seat_holder(*seat, exclude_id=nomination.id)
            if holder is not None:
                _refuse(_holder_conflict(holder, None))
            nomination.term_start, nomination.term_end = term
            nomination.decided_at = now
        elif action in ("revoke", "resign", "expire"):
            nomination.ended_at = now

        _record(
            nomination, action, actor, comment, from_state, to_state, residence_exception=residence
        )
        db.session.commit()
    except IntegrityError:
        if action != "approve":
            raise
        db.session.rollback()  # the unique index saw the seat's holder first: name them
        holder = _seat_holder(*seat, exclude_id=nomination_id)
        _refuse(_holder_conflict(holder, None) if holder is not None else _seat_taken())
    except DBAPIError as exc:
        if _lock_refused(exc):
            _refuse(_busy())
        raise

    from directory.representatives import notifications

    notifications.after_transition(nomination, action, actor)
    return nomination


def _term(nomination: Nomination, start, end) -> tuple[date, date]:
    """The approved term: the approver's dates, else the proposed ones, else today + 3 years."""
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
    return start, end


def _residence_acknowledged(nomination: Nomination, acknowledged) -> bool:
    """Whether this endorsement acknowledges a nominee living elsewhere (422 when it must)."""
    errors: dict[str, str] = {}
    acknowledged = _flag(acknowledged, "residence_acknowledged", errors)
    if errors:
        _refuse(ValidationError(errors, _("Some values are not valid.")))
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
        _refuse(ValidationError({"residence_acknowledged": message}, message))
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
