"""Creating a nomination (a draft of the province), and the data of a renewal."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy.exc import DBAPIError

from directory import policy
from directory.core.errors import ValidationError
from directory.core.locks import lock_refused
from directory.extensions import db
from directory.people.models import Person
from directory.reference.countries import resolve_country
from directory.reference.provinces import resolve_province
from directory.representatives.events import record
from directory.representatives.inputs import check_term, flag, parse_date, text
from directory.representatives.models import OPEN_STATES, Nomination
from directory.representatives.refusals import (
    WorkflowError,
    busy,
    forbidden,
    refuse,
)
from directory.representatives.residence import lives_elsewhere, residence_note
from directory.representatives.seats import guard_seat, seat_conflict, stored_region
from directory.representatives.states import RENEWABLE_STATES

MAX_RATIONALE = 5000
MAX_REGION = 120


def create_nomination(data: dict, by) -> Nomination:
    """Create a draft nomination from ``data`` (CONTRACT "Nomination JSON") by a province officer.

    Refused (409, nothing written) when the seat has an active holder (the nominee included:
    no renewal before the term ends) or another open nomination, drafts included. A nominee
    living outside the host country needs ``residence_exception: true`` (else 422 on
    ``country``); the nomination then records it.
    """
    if not policy.can(by, "nomination.create", None):
        raise forbidden("create")
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

    region = text(data.get("region"), "region", errors, MAX_REGION)
    rationale = text(data.get("rationale"), "rationale", errors, MAX_RATIONALE)
    if not rationale and "rationale" not in errors:
        errors["rationale"] = _("Explain why this person should represent the province.")
    term_start = parse_date(data.get("term_start"), "term_start", errors)
    term_end = parse_date(data.get("term_end"), "term_end", errors)
    check_term(term_start, term_end, errors)
    exception = flag(data.get("residence_exception"), "residence_exception", errors)
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
        guard_seat(province, country, region)
        nomination = Nomination(
            province_slug=province,
            person_id=person.id,
            person=person,
            country=country,
            region=stored_region(province, country, region),
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
            refuse(conflict)
        record(nomination, "create", by, "", None, "draft", residence_exception=elsewhere)
        db.session.commit()
    except DBAPIError as exc:
        if lock_refused(exc):
            refuse(busy())
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
