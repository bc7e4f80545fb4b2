"""The one place profiles change: HTML views, the JSON API and the spreadsheet import call it.

Every function validates everything first, then writes, then commits once; a change always
enqueues the person for the search index in the same transaction. Input is normalised by
``directory.people.normalise``; consent is checked and recorded by ``directory.people.consent``.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext

from directory import audit, policy
from directory.core.errors import ApiError, ValidationError
from directory.core.models import new_id, utcnow
from directory.extensions import db
from directory.people.consent import (
    MISSING,
    check_privacy,
    current_notice_version,
    evidence_details,
    initial_consent_records,
    record_consents,
    split_consent,
    split_visibility,
    take_evidence,
)
from directory.people.models import CONSENT_PURPOSES, VISIBILITY_LEVELS, ConsentRecord, Person
from directory.people.normalise import normalize_person_input
from directory.policy.people import acts_as_official
from directory.search import outbox


def add_consent_records(
    person: Person,
    wanted: dict[str, bool],
    by,
    *,
    decisions: dict[str, str],
    evidence: dict | None = None,
    at: datetime | None = None,
    notice_version: str | None = None,
) -> None:
    """Give a profile its first answer for every purpose: records and the person's flags.

    The one writer of a new profile's consent (registration, a claim, the demo seed);
    ``notice_version`` lets the seed date the records to the notice of its story.
    """
    now = at or utcnow()
    wanted = {purpose: bool(wanted.get(purpose)) for purpose in CONSENT_PURPOSES}
    for values in initial_consent_records(
        person.id, wanted, by, decisions=decisions, evidence=evidence, at=now
    ):
        if notice_version is not None:
            values["notice_version"] = notice_version
        person.consents.append(ConsentRecord(**values))
    person.consent_listed = wanted["listed"]
    person.consent_contact = wanted["contact"]
    person.consent_at = now
    person.consent_notice_version = notice_version or current_notice_version()


class DuplicatePerson(ApiError):
    """A new profile likely exists already (the import's matching); nothing was written.

    A 409 ``duplicate`` listing the ``candidates`` the caller may see (the others are only
    counted in ``hidden_candidates``); the caller confirms with ``confirm_duplicate: true``.
    """

    def __init__(self, matches: list[dict]):
        shown = [m for m in matches if m["person"] is not None]
        candidates = [
            {
                "id": m["person"].id,
                "full_name": m["person"].full_name,
                "kind": m["kind"],
                "reason": m["reason"],
                "strength": m["strength"],
            }
            for m in shown
        ]
        hidden = len(matches) - len(shown)
        names = ", ".join(f"{c['full_name']} ({c['id']})" for c in candidates)
        parts = [_("Likely duplicates: %(names)s", names=names)] if names else []
        if hidden:
            parts.append(
                ngettext(
                    "%(num)d profile you may not see matches.",
                    "%(num)d profiles you may not see match.",
                    hidden,
                )
            )
        super().__init__(
            409,
            "duplicate",
            _(
                "This person looks already registered. Open the existing profile, or send "
                "confirm_duplicate: true to register them anyway."
            ),
            {"confirm_duplicate": " ".join(parts)},
            {"candidates": candidates, "hidden_candidates": hidden},
        )
        self.matches = matches


def refuse_duplicates(values: dict, by) -> None:
    """Raise :class:`DuplicatePerson` when normalised ``values`` match existing profiles."""
    from directory.people.queries import duplicates_of

    matches = duplicates_of(values, by)
    if matches:
        raise DuplicatePerson(matches)


def build_person(**columns) -> Person:
    """An unsaved profile from column values, for a writer that tells a story (the demo seed).

    It sets provenance and dates itself and gives consent with :func:`add_consent_records`.
    """
    return Person(**columns)


def register_person(
    data: dict,
    by,
    *,
    provenance: str = "mission",
    source: str | None = None,
    field_index: dict[str, str] | None = None,
    commit: bool = True,
    duplicates_confirmed: bool = True,
) -> Person:
    """An embassy officer (or admin) registers an unclaimed profile in the mission's countries.

    Consent the person gave the mission is recorded only with ``consent_evidence`` (source and
    date); visibility may be set up to "officials". ``provenance``/``source`` let a caller record
    another origin; ``commit=False`` lets a caller write many people in one transaction.
    ``duplicates_confirmed=False`` refuses likely duplicates (:class:`DuplicatePerson`) once
    the input and the permission are checked (the API; the forms ask before calling).
    """
    data, evidence_raw = take_evidence(data)
    values = normalize_person_input(data, field_index=field_index)
    if not values.get("country"):
        raise ValidationError({"country": _("Choose the country of residence.")})
    consent = split_consent(values)
    visibility = split_visibility(values)
    for group in visibility:
        del values[f"visibility_{group}"]
    person = Person(id=new_id(), **values)
    # The defaults of a new profile, from which any consent or visibility is a change.
    person.consent_listed = person.consent_contact = False
    person.visibility_profile, person.visibility_contact = "officials", "private"
    policy.require(by, "person.register", person)
    decisions, evidence = check_privacy(person, consent, visibility, by, evidence_raw)
    if not duplicates_confirmed:
        refuse_duplicates(values, by)
    for group, level in visibility.items():
        setattr(person, f"visibility_{group}", level)
    person.provenance = provenance
    person.provenance_mission_id = getattr(by, "mission_id", None)
    person.provenance_source = source
    person.registered_by_id = by.id
    add_consent_records(person, consent, by, decisions=decisions, evidence=evidence)
    db.session.add(person)
    details: dict = {"provenance": provenance}
    if evidence is not None:
        details["consent"] = evidence_details(decisions, evidence)
    audit.record("person.register", person, actor=by, details=details)
    outbox.enqueue("person", person.id)
    if commit:
        db.session.commit()
    return person


def create_own_profile(user, data: dict, *, duplicates_confirmed: bool = True) -> Person:
    """A verified member without a profile creates it (provenance: self-registered).

    Their consent is their own, given online: ``consent_evidence`` plays no part and is ignored.
    ``duplicates_confirmed=False``: as for :func:`register_person`.
    """
    policy.require(user, "person.create_own")
    data, _evidence = take_evidence(data)
    values = normalize_person_input(data)
    if not duplicates_confirmed:
        refuse_duplicates(values, user)
    consent = split_consent(values)
    person = Person(id=new_id(), provenance="self", **values)
    person.consent_listed = person.consent_contact = False
    record_consents(
        person,
        {"listed": False, "contact": False, **consent},
        user,
        decisions=dict.fromkeys(CONSENT_PURPOSES, "member"),
        always=True,
    )
    db.session.add(person)
    user.person_id = person.id
    user.person = person
    audit.record("person.create", person, actor=user)
    outbox.enqueue("person", person.id)
    db.session.commit()
    return person


def may_manage_privacy(by, person: Person) -> bool:
    """The member; before a claim, an official who may edit the profile (within the rules)."""
    return policy.can(by, "person.consent_give", person) or policy.can(
        by, "person.visibility_limit", person
    )


def update_person(person: Person, data: dict, by, *, field_index=None, commit=True) -> Person:
    """Partial update of a profile; officials' changes are audited with the field names only.

    Consent and visibility follow the policy: an official records consent on an unclaimed
    profile only with ``consent_evidence`` and never makes a group of fields public.
    """
    policy.require(by, "person.edit", person)
    data, evidence_raw = take_evidence(data)
    values = normalize_person_input(
        data, partial=True, field_index=field_index, country_hint=person.country
    )
    if "contact_requests_enabled" in values and not policy.can(by, "person.manage_own", person):
        raise ValidationError({"contact_requests_enabled": _("Only the member may change this.")})
    privacy_keys = {k for k in values if k.startswith(("consent_", "visibility_"))}
    if privacy_keys and not may_manage_privacy(by, person):
        raise ValidationError(
            {
                k.replace("visibility_", "visibility."): _("Only the member may change this.")
                for k in sorted(privacy_keys)
            }
        )
    if (
        "country" in values
        and values["country"] != person.country
        and not policy.can(by, "country.set", values["country"])
    ):
        raise ValidationError({"country": _("This country is outside your mission's area.")})
    consent = split_consent(values)
    decisions, evidence = check_privacy(person, consent, split_visibility(values), by, evidence_raw)
    changed = [k for k, v in values.items() if getattr(person, k) != v and k != "name_key"]
    changed += [f"consent_{p}" for p, v in consent.items() if getattr(person, f"consent_{p}") != v]
    for key, value in values.items():
        if getattr(person, key) != value:
            setattr(person, key, value)
    recorded = record_consents(person, consent, by, decisions=decisions, evidence=evidence)
    official = acts_as_official(by, person)
    if changed:
        person.updated_at = utcnow()
        if official:
            audit.record("person.update", person, actor=by, details={"fields": sorted(changed)})
        outbox.enqueue("person", person.id)
    if recorded and official:
        audit.record(
            "person.consent",
            person,
            actor=by,
            details=evidence_details({p: decisions[p] for p in recorded}, evidence),
        )
    if commit:
        db.session.commit()
    return person


def verify_person(person: Person, by) -> Person:
    """An officer of the mission covering the person's country (or admin) verifies the profile."""
    policy.require(by, "person.verify", person)
    person.record_verification(getattr(by, "mission_id", None), utcnow())
    audit.record("person.verify", person, actor=by)
    outbox.enqueue("person", person.id)
    db.session.commit()
    return person


def set_visibility(person: Person, *, profile: str, contact: str, by, commit=True) -> Person:
    """Who sees the profile and contact groups: public, officials or private.

    The member chooses; before a claim, an official who may edit the profile may narrow it
    (never make it public).
    """
    errors = {
        f"visibility.{group}": _("Choose public, officials or private.")
        for group, level in (("profile", profile), ("contact", contact))
        if level not in VISIBILITY_LEVELS
    }
    if errors:
        raise ValidationError(errors)
    if not may_manage_privacy(by, person):
        policy.require(by, "person.manage_own", person)
    if (person.visibility_profile, person.visibility_contact) == (profile, contact):
        return person
    check_privacy(person, {}, {"profile": profile, "contact": contact}, by)
    person.visibility_profile, person.visibility_contact = profile, contact
    if acts_as_official(by, person):
        audit.record(
            "person.visibility", person, actor=by, details={"profile": profile, "contact": contact}
        )
    outbox.enqueue("person", person.id)
    if commit:
        db.session.commit()
    return person


def set_consent(
    person: Person, *, listed: bool, contact: bool, by, evidence=None, commit=True
) -> Person:
    """Give or withdraw consent; each changed purpose gets a dated record with the notice version.

    The member gives consent online; an official records consent given elsewhere on an
    unclaimed profile only with ``evidence`` (source, date, reference).
    """
    if not may_manage_privacy(by, person):
        policy.require(by, "person.manage_own", person)
    wanted = {"listed": bool(listed), "contact": bool(contact)}
    decisions, evidence = check_privacy(
        person, wanted, {}, by, MISSING if evidence is None else evidence
    )
    recorded = record_consents(person, wanted, by, decisions=decisions, evidence=evidence)
    if recorded:
        if acts_as_official(by, person):
            audit.record(
                "person.consent",
                person,
                actor=by,
                details=evidence_details({p: decisions[p] for p in recorded}, evidence),
            )
        outbox.enqueue("person", person.id)
        if commit:
            db.session.commit()
    return person


def set_contact_requests(person: Person, enabled: bool, by, commit=True) -> Person:
    """Whether officials may send the member contact requests: the member's choice alone."""
    policy.require(by, "person.manage_own", person)
    person.contact_requests_enabled = bool(enabled)
    if commit:
        db.session.commit()
    return person
