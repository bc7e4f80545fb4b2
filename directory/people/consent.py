"""Consent records and the evidence behind them.

A profile's consent (listed in the directory, contact by officials) changes only through a
dated record that names the privacy notice version and how it was given: by the member online,
by an official recording a refusal or a withdrawal, or by an official with evidence of consent
given outside the directory. The policy decides who may record what; this module checks and
writes it.
"""

from __future__ import annotations

import contextlib
import re
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _

from directory import policy
from directory.core.errors import ValidationError
from directory.core.models import new_id, utcnow
from directory.people.models import (
    CONSENT_PURPOSES,
    EVIDENCE_SOURCES,
    VISIBILITY_GROUPS,
    ConsentRecord,
    Person,
)
from directory.text import clean_text


def current_notice_version() -> str:
    return current_app.config["PRIVACY_NOTICE_VERSION"]


MISSING = object()
EVIDENCE_KEYS = frozenset({"source", "date", "reference"})


def latest_evidence_date() -> date:
    """The latest date consent may have been given: today somewhere on Earth (UTC+14)."""
    return (utcnow() + timedelta(hours=14)).date()


def normalize_consent_evidence(raw) -> dict:
    """``{"source", "date", "reference"}`` -> {"source", "date": date, "reference": str | None}.

    The source is how the person gave consent outside the directory (paper, email, in person,
    online form); the date is when (YYYY-MM-DD, not in the future); the reference (optional)
    points to the document. Raises ValidationError naming ``consent_evidence`` (and the part).
    """
    errors: dict[str, str] = {}
    if not isinstance(raw, dict):
        raise ValidationError(
            {
                "consent_evidence": _(
                    'Give the consent evidence as {"source": …, "date": "YYYY-MM-DD", '
                    '"reference": …}.'
                )
            },
            _("Some values are not valid."),
        )
    for key in raw:
        if key not in EVIDENCE_KEYS:
            errors[f"consent_evidence.{str(key)[:40]}"] = _("This field does not exist.")
    out: dict = {}
    source = raw.get("source")
    if source not in EVIDENCE_SOURCES:
        errors["consent_evidence.source"] = _("Choose paper, email, in person or online form.")
    else:
        out["source"] = source
    value = raw.get("date")
    given = None
    if isinstance(value, date) and not isinstance(value, datetime):
        given = value
    elif isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        with contextlib.suppress(ValueError):
            given = date.fromisoformat(value.strip())
    if given is None:
        errors["consent_evidence.date"] = _("Enter a date as YYYY-MM-DD.")
    elif given > latest_evidence_date():
        errors["consent_evidence.date"] = _("The date cannot be in the future.")
    elif given.year < 1900:
        errors["consent_evidence.date"] = _("Enter a date as YYYY-MM-DD.")
    else:
        out["date"] = given
    reference = raw.get("reference")
    if reference is not None and not isinstance(reference, str):
        errors["consent_evidence.reference"] = _("Enter text.")
    else:
        text = clean_text(reference or "")
        if len(text) > 200:
            errors["consent_evidence.reference"] = _("This is too long.")
        out["reference"] = text or None
    if errors:
        errors["consent_evidence"] = _("The consent evidence is not complete or not valid.")
        raise ValidationError(errors, _("Some values are not valid."))
    return out


def consent_source(decision: str, evidence: dict | None) -> str:
    """The record's source for a decision of ``policy.people.consent_decision``."""
    if decision == "evidence":
        return evidence["source"]
    return decision  # "member" or "official"


def consent_record_values(
    person_id: str,
    purpose: str,
    granted: bool,
    by,
    *,
    decision: str,
    evidence: dict | None = None,
    at: datetime | None = None,
) -> dict:
    """The columns of one consent record: the only place they are decided.

    The ORM writers below and the import's bulk insert both use it.
    """
    with_evidence = decision == "evidence" and evidence is not None
    return {
        "id": new_id(),
        "person_id": person_id,
        "purpose": purpose,
        "granted": bool(granted),
        "notice_version": current_notice_version(),
        "created_at": at or utcnow(),
        "user_id": getattr(by, "id", None),
        "source": consent_source(decision, evidence),
        "evidence_date": evidence["date"] if with_evidence else None,
        "evidence_reference": evidence.get("reference") if with_evidence else None,
    }


def initial_consent_records(
    person_id: str,
    wanted: dict[str, bool],
    by,
    *,
    decisions: dict[str, str],
    evidence: dict | None = None,
    at: datetime | None = None,
) -> list[dict]:
    """The records of a new profile: one per purpose, granted or not (registration, import)."""
    return [
        consent_record_values(
            person_id,
            purpose,
            bool(wanted.get(purpose)),
            by,
            decision=decisions.get(purpose, "official"),
            evidence=evidence,
            at=at,
        )
        for purpose in CONSENT_PURPOSES
    ]


def record_consents(
    person: Person,
    wanted: dict[str, bool],
    by,
    *,
    decisions: dict[str, str] | None = None,
    evidence: dict | None = None,
    always: bool = False,
) -> list[str]:
    """One ConsentRecord per purpose whose answer changed (every purpose when ``always``).

    ``decisions`` maps a purpose to "member", "evidence" or "official" (see
    ``policy.people.consent_decision``); by default the actor's own decision is assumed
    ("member" for the profile's member, "official" otherwise). Returns the purposes recorded.
    """
    default = "member" if policy.owns_person(by, person) else "official"
    decisions = decisions or {}
    now = utcnow()
    recorded = []
    for purpose in CONSENT_PURPOSES:
        if purpose not in wanted:
            continue
        granted = bool(wanted[purpose])
        attr = f"consent_{purpose}"
        if always or bool(getattr(person, attr)) != granted:
            setattr(person, attr, granted)
            values = consent_record_values(
                person.id,
                purpose,
                granted,
                by,
                decision=decisions.get(purpose, default),
                evidence=evidence,
                at=now,
            )
            person.consents.append(ConsentRecord(**values))
            recorded.append(purpose)
    if recorded:
        person.consent_at = now
        person.consent_notice_version = current_notice_version()
    return recorded


def split_consent(values: dict) -> dict[str, bool]:
    return {
        purpose: values.pop(f"consent_{purpose}")
        for purpose in CONSENT_PURPOSES
        if f"consent_{purpose}" in values
    }


def split_visibility(values: dict) -> dict[str, str]:
    return {
        group: values[f"visibility_{group}"]
        for group in VISIBILITY_GROUPS
        if f"visibility_{group}" in values
    }


def check_privacy(
    person: Person,
    consent: dict[str, bool],
    visibility: dict[str, str],
    by,
    evidence_raw=MISSING,
) -> tuple[dict[str, str], dict | None]:
    """(decision per changed purpose, evidence) for a change of consent or visibility by ``by``.

    The policy decides who may change what; this raises ValidationError naming each refused
    field, and ``consent_evidence`` when an official records consent without valid evidence.
    """
    from directory.policy.people import consent_decision, visibility_allowed

    errors: dict[str, str] = {}
    decisions: dict[str, str] = {}
    for purpose, granted in consent.items():
        if bool(getattr(person, f"consent_{purpose}")) == bool(granted):
            continue
        decision = consent_decision(by, person, bool(granted))
        if decision is None:
            errors[f"consent_{purpose}"] = _("Only the member may change this.")
        else:
            decisions[purpose] = decision
    for group, level in visibility.items():
        if not visibility_allowed(by, person, level, getattr(person, f"visibility_{group}")):
            errors[f"visibility.{group}"] = (
                _("Only the member may make this public.")
                if level == "public"
                else _("Only the member may change this.")
            )
    evidence = None
    needs_evidence = "evidence" in decisions.values()
    given = evidence_raw is not MISSING and evidence_raw is not None
    if given:
        try:
            evidence = normalize_consent_evidence(evidence_raw)
        except ValidationError as exc:
            errors.update(exc.fields)
    elif needs_evidence:
        errors["consent_evidence"] = _(
            "Say how and when the person gave this consent: the source and the date."
        )
    if errors:
        raise ValidationError(errors, _("Some values are not valid."))
    return decisions, (evidence if needs_evidence else None)


def evidence_details(decisions: dict[str, str], evidence: dict | None) -> dict:
    """What the audit log shows of a consent recorded by an official: purposes and evidence."""
    details: dict = {
        "granted": sorted(p for p, d in decisions.items() if d == "evidence"),
        "withdrawn": sorted(p for p, d in decisions.items() if d == "official"),
    }
    if evidence is not None:
        details.update(
            source=evidence["source"],
            date=evidence["date"].isoformat(),
            reference=evidence.get("reference"),
        )
    return details


def take_evidence(data):
    """(the input without ``consent_evidence``, the evidence or MISSING)."""
    if isinstance(data, dict) and "consent_evidence" in data:
        data = dict(data)
        return data, data.pop("consent_evidence")
    return data, MISSING
