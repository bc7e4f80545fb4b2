"""The one place profiles change: HTML views, the JSON API and the spreadsheet import call it.

Every function validates everything first, then writes, then commits once; a change always
enqueues the person for the search index in the same transaction.
"""

from __future__ import annotations

import contextlib
import re
from datetime import date, datetime, timedelta
from urllib.parse import urlparse

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from directory import audit, policy
from directory.core.errors import ValidationError
from directory.core.models import isoformat, new_id, utcnow
from directory.extensions import db
from directory.people.models import (
    CONSENT_PURPOSES,
    CONTACT_FIELDS,
    EVIDENCE_SOURCES,
    KINDS,
    PROFILE_FIELDS,
    VISIBILITY_GROUPS,
    VISIBILITY_LEVELS,
    ConsentRecord,
    Person,
)
from directory.reference.contact import InvalidValue, normalize_email, normalize_phone
from directory.reference.countries import resolve_country, resolve_language
from directory.reference.fields import field_index as load_field_index
from directory.reference.fields import resolve_field
from directory.reference.provinces import resolve_province
from directory.text import clean_long_text, clean_text, parse_bool, split_multi
from search_index import outbox
from search_index.normalize import fold, name_key

DELETED_NAME = "Đã xóa / Deleted"

# Plain text attributes and their maximum length.
TEXT_LIMITS = {
    "title": 200,
    "organization": 200,
    "sector": 200,
    "education": 2000,
    "city": 120,
    "company": 200,
    "company_sector": 200,
    "company_size": 40,
    "bio": 5000,
}
URL_FIELDS = ("website", "company_website")
LIST_LIMITS = {"other_names": (10, 200), "skills": (50, 100)}
MAX_LINKS = 10
INPUT_KEYS = frozenset(
    {
        "full_name",
        "other_names",
        "kinds",
        "fields",
        "skills",
        "languages",
        "country",
        "hometown_province",
        "hometown",  # the import's column name
        "email",
        "phone",
        "links",
        "birth_year",
        "consent_listed",
        "consent_contact",
        "contact_requests_enabled",
        "visibility",
        *TEXT_LIMITS,
        *URL_FIELDS,
    }
)
READ_ONLY_KEYS = frozenset(
    {
        "id",
        "verified",
        "verified_at",
        "verified_by_mission_id",
        "created_at",
        "updated_at",
        "hometown_as_given",
        "name_key",
        "provenance",
        "provenance_mission_id",
        "registered_by_id",
        "anonymised_at",
        "consent_at",
        "consent_notice_version",
        "claimed",
    }
)
# Accepted spellings of the two kinds (folded), so imports may write them in Vietnamese.
KIND_ALIASES = {
    "expert": ("expert",),
    "chuyen gia": ("expert",),
    "entrepreneur": ("entrepreneur",),
    "doanh nhan": ("entrepreneur",),
    "business": ("entrepreneur",),
    "both": KINDS,
    "ca hai": KINDS,
}


# --- normalisation --------------------------------------------------------------------------


def normalize_url(value) -> str | None:
    """An http(s) URL; a bare domain gets ``https://``; other schemes raise ValueError."""
    text = clean_text(value) if value is not None else ""
    if not text:
        return None
    if "://" not in text and not text.lower().startswith(("javascript:", "data:", "mailto:")):
        text = "https://" + text
    parsed = urlparse(text)
    host = parsed.hostname or ""
    if parsed.scheme.lower() not in ("http", "https") or "." not in host or " " in text:
        raise ValueError(text)
    return text


def _error_messages() -> dict[str, str]:
    return {
        "required": _("This field is required."),
        "too_long": _("This is too long."),
        "invalid_phone": _("This is not a valid phone number."),
        "invalid_email": _("This is not a valid email address."),
        "invalid_url": _("Enter a web address starting with http:// or https://."),
        "invalid_bool": _("Answer yes or no."),
        "read_only": _("This field cannot be changed."),
        "unknown": _("This field does not exist."),
    }


class _LazyMessages(dict):
    """The error messages, translated on first use."""

    def __missing__(self, key: str) -> str:
        self.update(_error_messages())
        return dict.__getitem__(self, key)


def normalize_person_input(
    data: dict,
    *,
    partial: bool = False,
    field_index: dict[str, str] | None = None,
    country_hint: str | None = None,
) -> dict:
    """Contract Person input -> normalised model attributes; ValidationError lists every bad field.

    ``partial`` (an update) leaves out keys not given; ``field_index`` is a pre-loaded taxonomy
    index (imports); ``country_hint`` is the country used for national phone numbers when the
    input carries none (the person's current country on update).
    """
    if not isinstance(data, dict):
        raise ValidationError({"": _("Send an object with the profile's fields.")})
    # Translated only when an error occurs: gettext per call is costly in a 100,000-row import.
    msg = _LazyMessages()
    errors: dict[str, str] = {}
    out: dict = {}
    for key in data:
        if key in READ_ONLY_KEYS:
            errors[key] = msg["read_only"]
        elif key not in INPUT_KEYS:
            errors[str(key)[:60]] = msg["unknown"]

    def given(key: str) -> bool:
        return key in data

    # Name: required on creation; diacritics kept, spacing normalised.
    if given("full_name") or not partial:
        name = clean_text(data.get("full_name") or "")
        if not name:
            errors["full_name"] = msg["required"]
        elif len(name) > 200:
            errors["full_name"] = msg["too_long"]
        else:
            out["full_name"] = name
            out["name_key"] = name_key(name)[:200]

    for key, (max_items, max_len) in LIST_LIMITS.items():
        if given(key):
            items = split_multi(data[key])
            if len(items) > max_items or any(len(i) > max_len for i in items):
                errors[key] = msg["too_long"]
            else:
                out[key] = items

    if given("kinds"):
        kinds: list[str] = []
        bad = []
        for item in split_multi(data["kinds"]):
            found = KIND_ALIASES.get(fold(item))
            if found is None:
                bad.append(item)
            else:
                kinds.extend(k for k in found if k not in kinds)
        if bad:
            errors["kinds"] = _("Unknown kind: %(value)s.", value=", ".join(bad))
        else:
            out["kinds"] = [k for k in KINDS if k in kinds]

    if given("fields"):
        index = field_index if field_index is not None else load_field_index()
        codes, bad = [], []
        for item in split_multi(data["fields"]):
            code = resolve_field(item, index)
            if code is None:
                bad.append(item)
            elif code not in codes:
                codes.append(code)
        if bad:
            errors["fields"] = _("Unknown field: %(value)s.", value=", ".join(bad))
        else:
            out["fields"] = codes

    if given("languages"):
        codes, bad = [], []
        for item in split_multi(data["languages"]):
            code = resolve_language(item)
            if code is None:
                bad.append(item)
            elif code not in codes:
                codes.append(code)
        if bad:
            errors["languages"] = _("Unknown language: %(value)s.", value=", ".join(bad))
        else:
            out["languages"] = codes

    country = country_hint
    if given("country"):
        raw = clean_text(data["country"] or "")
        if not raw:
            out["country"] = None
            country = None
        else:
            code = resolve_country(raw)
            if code is None:
                errors["country"] = _("Unknown country: %(value)s.", value=raw[:60])
            else:
                out["country"] = country = code

    for key in ("hometown_province", "hometown"):
        if given(key):
            raw = clean_text(data[key] or "")
            if not raw:
                out["hometown_province"] = out["hometown_as_given"] = None
            elif len(raw) > 120:
                errors["hometown_province"] = msg["too_long"]
            else:
                slug = resolve_province(raw)
                if slug is None:
                    errors["hometown_province"] = _("Unknown province: %(value)s.", value=raw[:60])
                else:
                    out["hometown_province"] = slug
                    out["hometown_as_given"] = raw

    for key, limit in TEXT_LIMITS.items():
        if given(key):
            value = data[key]
            if isinstance(value, list | dict):
                errors[key] = _("Enter text.")
                continue
            text = (
                clean_long_text(value or "")
                if key in ("bio", "education")
                else clean_text(value or "")
            )
            if len(text) > limit:
                errors[key] = msg["too_long"]
            else:
                out[key] = text or None

    if given("email"):
        try:
            out["email"] = normalize_email(clean_text(data["email"] or ""))
        except (InvalidValue, TypeError):
            errors["email"] = msg["invalid_email"]

    if given("phone"):
        try:
            out["phone"] = normalize_phone(clean_text(data["phone"] or ""), country)
        except (InvalidValue, TypeError):
            errors["phone"] = msg["invalid_phone"]

    for key in URL_FIELDS:
        if given(key):
            try:
                url = normalize_url(data[key])
            except (ValueError, TypeError):
                errors[key] = msg["invalid_url"]
                continue
            if url and len(url) > 300:
                errors[key] = msg["too_long"]
            else:
                out[key] = url

    if given("links"):
        try:
            links = [normalize_url(item) for item in split_multi(data["links"])]
        except (ValueError, TypeError):
            errors["links"] = msg["invalid_url"]
        else:
            if len(links) > MAX_LINKS or any(len(link) > 300 for link in links):
                errors["links"] = msg["too_long"]
            else:
                out["links"] = links

    if given("birth_year"):
        raw = data["birth_year"]
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            out["birth_year"] = None
        else:
            this_year = utcnow().year
            try:
                if isinstance(raw, bool):
                    raise ValueError(raw)
                year = int(str(raw).strip())
            except (TypeError, ValueError):
                year = None
            if year is None or not 1900 <= year <= this_year - 10:
                errors["birth_year"] = _(
                    "Enter a year between %(start)s and %(end)s.", start=1900, end=this_year - 10
                )
            else:
                out["birth_year"] = year

    for key in ("consent_listed", "consent_contact", "contact_requests_enabled"):
        if given(key):
            try:
                out[key] = parse_bool(data[key])
            except ValueError:
                errors[key] = msg["invalid_bool"]

    if given("visibility"):
        visibility = data["visibility"]
        if not isinstance(visibility, dict) or set(visibility) - {"contact", "profile"}:
            errors["visibility"] = _('Give visibility as {"contact": …, "profile": …}.')
        else:
            for group, level in visibility.items():
                if level not in VISIBILITY_LEVELS:
                    errors[f"visibility.{group}"] = _("Choose public, officials or private.")
                else:
                    out[f"visibility_{group}"] = level

    if errors:
        raise ValidationError(errors, _("Some values are not valid."))
    return out


# --- consent -------------------------------------------------------------------------------


def _notice_version() -> str:
    return current_app.config["PRIVACY_NOTICE_VERSION"]


_MISSING = object()
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
        "notice_version": _notice_version(),
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
    person.consent_notice_version = notice_version or _notice_version()


def _record_consents(
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
        person.consent_notice_version = _notice_version()
    return recorded


def _split_consent(values: dict) -> dict[str, bool]:
    return {
        purpose: values.pop(f"consent_{purpose}")
        for purpose in CONSENT_PURPOSES
        if f"consent_{purpose}" in values
    }


def _split_visibility(values: dict) -> dict[str, str]:
    return {
        group: values[f"visibility_{group}"]
        for group in VISIBILITY_GROUPS
        if f"visibility_{group}" in values
    }


def _check_privacy(
    person: Person,
    consent: dict[str, bool],
    visibility: dict[str, str],
    by,
    evidence_raw=_MISSING,
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
    given = evidence_raw is not _MISSING and evidence_raw is not None
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


def _evidence_details(decisions: dict[str, str], evidence: dict | None) -> dict:
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


def _take_evidence(data):
    """(the input without ``consent_evidence``, the evidence or _MISSING)."""
    if isinstance(data, dict) and "consent_evidence" in data:
        data = dict(data)
        return data, data.pop("consent_evidence")
    return data, _MISSING


# --- writing --------------------------------------------------------------------------------


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
) -> Person:
    """An embassy officer (or admin) registers an unclaimed profile in the mission's countries.

    Consent the person gave the mission is recorded only with ``consent_evidence`` (source and
    date); visibility may be set up to "officials". ``provenance``/``source`` let a caller record
    another origin; ``commit=False`` lets a caller write many people in one transaction.
    """
    data, evidence_raw = _take_evidence(data)
    values = normalize_person_input(data, field_index=field_index)
    if not values.get("country"):
        raise ValidationError({"country": _("Choose the country of residence.")})
    consent = _split_consent(values)
    visibility = _split_visibility(values)
    for group in visibility:
        del values[f"visibility_{group}"]
    person = Person(id=new_id(), **values)
    # The defaults of a new profile, from which any consent or visibility is a change.
    person.consent_listed = person.consent_contact = False
    person.visibility_profile, person.visibility_contact = "officials", "private"
    policy.require(by, "person.register", person)
    decisions, evidence = _check_privacy(person, consent, visibility, by, evidence_raw)
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
        details["consent"] = _evidence_details(decisions, evidence)
    audit.record("person.register", person, actor=by, details=details)
    outbox.enqueue("person", person.id)
    if commit:
        db.session.commit()
    return person


def create_own_profile(user, data: dict) -> Person:
    """A verified member without a profile creates it (provenance: self-registered).

    Their consent is their own, given online: ``consent_evidence`` plays no part and is ignored.
    """
    policy.require(user, "person.create_own")
    data, _evidence = _take_evidence(data)
    values = normalize_person_input(data)
    consent = _split_consent(values)
    person = Person(id=new_id(), provenance="self", **values)
    person.consent_listed = person.consent_contact = False
    _record_consents(
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
    data, evidence_raw = _take_evidence(data)
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
        and policy.role(by) == "embassy"
        and not policy.mission_covers(by, values["country"])
    ):
        raise ValidationError({"country": _("This country is outside your mission's area.")})
    consent = _split_consent(values)
    decisions, evidence = _check_privacy(
        person, consent, _split_visibility(values), by, evidence_raw
    )
    changed = [k for k, v in values.items() if getattr(person, k) != v and k != "name_key"]
    changed += [f"consent_{p}" for p, v in consent.items() if getattr(person, f"consent_{p}") != v]
    for key, value in values.items():
        if getattr(person, key) != value:
            setattr(person, key, value)
    recorded = _record_consents(person, consent, by, decisions=decisions, evidence=evidence)
    official = policy.is_official(by) and not policy.owns_person(by, person)
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
            details=_evidence_details({p: decisions[p] for p in recorded}, evidence),
        )
    if commit:
        db.session.commit()
    return person


def verify_person(person: Person, by) -> Person:
    """An officer of the mission covering the person's country (or admin) verifies the profile."""
    policy.require(by, "person.verify", person)
    person.verified_by_mission_id = getattr(by, "mission_id", None)
    person.verified_at = utcnow()
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
    _check_privacy(person, {}, {"profile": profile, "contact": contact}, by)
    person.visibility_profile, person.visibility_contact = profile, contact
    if policy.is_official(by) and not policy.owns_person(by, person):
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
    decisions, evidence = _check_privacy(
        person, wanted, {}, by, _MISSING if evidence is None else evidence
    )
    recorded = _record_consents(person, wanted, by, decisions=decisions, evidence=evidence)
    if recorded:
        if policy.is_official(by) and not policy.owns_person(by, person):
            audit.record(
                "person.consent",
                person,
                actor=by,
                details=_evidence_details({p: decisions[p] for p in recorded}, evidence),
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


# --- data protection ------------------------------------------------------------------------


PERSON_EXPORT_COLUMNS = (
    "id",
    "full_name",
    "other_names",
    "kinds",
    "fields",
    "skills",
    "title",
    "organization",
    "sector",
    "education",
    "languages",
    "country",
    "city",
    "hometown_province",
    "hometown_as_given",
    *CONTACT_FIELDS,
    *(f for f in PROFILE_FIELDS if f not in ("other_names", "title", "organization")),
    "visibility_profile",
    "visibility_contact",
    "consent_listed",
    "consent_contact",
    "contact_requests_enabled",
    "consent_at",
    "consent_notice_version",
    "provenance",
    "provenance_mission_id",
    "provenance_source",
    "field_sources",
    "verified_by_mission_id",
    "verified_at",
    "created_at",
    "updated_at",
)


def export_person_data(person: Person, by=None) -> dict:
    """Everything held about a person: profile, consents, memberships and account (audited)."""
    from directory.associations.models import Membership

    profile = {}
    for column in dict.fromkeys(PERSON_EXPORT_COLUMNS):
        value = getattr(person, column)
        profile[column] = isoformat(value) if isinstance(value, datetime) else value
    memberships = db.session.scalars(
        sa.select(Membership).where(Membership.person_id == person.id)
    ).all()
    account = None
    user = person.user
    if user is not None:
        from directory.accounts.models import ApiToken

        tokens = db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user.id)).all()
        account = {
            "id": user.id,
            "email": user.email,
            "role": user.role,
            "locale": user.locale,
            "display_name": user.display_name,
            "email_verified_at": isoformat(user.email_verified_at),
            "two_factor_enabled": bool(user.totp_secret),
            "last_login_at": isoformat(user.last_login_at),
            "created_at": isoformat(user.created_at),
            "api_tokens": [
                {
                    "name": t.name,
                    "prefix": t.prefix,
                    "created_at": isoformat(t.created_at),
                    "last_used_at": isoformat(t.last_used_at),
                    "revoked_at": isoformat(t.revoked_at),
                }
                for t in tokens
            ],
        }
    events = db.session.scalars(
        sa.select(audit.AuditEvent)
        .where(audit.AuditEvent.object_type == "people", audit.AuditEvent.object_id == person.id)
        .order_by(audit.AuditEvent.at)
    ).all()
    data = {
        "exported_at": isoformat(utcnow()),
        "privacy_notice_version": _notice_version(),
        "profile": profile,
        "consent_history": [
            {
                "purpose": c.purpose,
                "granted": c.granted,
                "notice_version": c.notice_version,
                "at": isoformat(c.created_at),
                "source": c.source,
                "evidence_date": isoformat(c.evidence_date),
                "evidence_reference": c.evidence_reference,
            }
            for c in person.consents
        ],
        "memberships": [
            {
                "association_id": m.association_id,
                "association_name": m.association.name,
                "role": m.role,
                "start_date": isoformat(m.start_date),
                "end_date": isoformat(m.end_date),
                "status": m.status,
                "decided_at": isoformat(m.decided_at),
            }
            for m in memberships
        ],
        "account": account,
        "activity_on_profile": [
            {"action": e.action, "at": isoformat(e.at), "actor_role": e.actor_role} for e in events
        ],
    }
    audit.record("person.export", person, actor=by)
    db.session.commit()
    return data


# Kept on an anonymised profile: ids, dates and the consent trail; no personal data.
ANONYMISE_KEEP = frozenset(
    {
        "id",
        "created_at",
        "updated_at",
        "provenance",
        "provenance_mission_id",
        "consent_at",
        "consent_notice_version",
        "full_name",
        "visibility_profile",
        "visibility_contact",
    }
)


def _anonymise_profile(person: Person, by) -> None:
    """Scrub every personal attribute of ``person`` (id kept), its memberships and invitations."""
    from directory.accounts.models import EmailToken
    from directory.associations.models import Membership

    _record_consents(person, {"listed": False, "contact": False}, by)
    for column in Person.__table__.columns:
        if column.key in ANONYMISE_KEEP:
            continue
        if isinstance(column.type, sa.JSON):
            value = {} if column.key == "field_sources" else []
        elif isinstance(column.type, sa.Boolean):
            value = False
        else:
            value = None
        setattr(person, column.key, value)
    person.full_name = DELETED_NAME
    person.name_key = None
    person.visibility_profile = person.visibility_contact = "private"
    person.consent_listed = person.consent_contact = False
    person.anonymised_at = utcnow()
    db.session.execute(sa.delete(Membership).where(Membership.person_id == person.id))
    db.session.execute(sa.delete(EmailToken).where(EmailToken.person_id == person.id))
    outbox.enqueue("person", person.id)


def _close_account(user, by) -> None:
    """Scrub and deactivate an account; the row stays for the foreign keys of audit and history."""
    from directory.accounts.models import ApiToken, EmailToken

    db.session.execute(sa.delete(ApiToken).where(ApiToken.user_id == user.id))
    db.session.execute(sa.delete(EmailToken).where(EmailToken.user_id == user.id))
    db.session.execute(
        sa.update(audit.AuditEvent).where(audit.AuditEvent.actor_id == user.id).values(ip=None)
    )
    user.email = f"deleted-{user.id}@deleted.invalid"
    user.password_hash = None
    user.display_name = None
    user.totp_secret = None
    user.person = None
    user.is_active_flag = False
    # The deleting request's address is personal data too: the event keeps only ids.
    audit.record("account.delete", user, actor=by).ip = None


def delete_account(user) -> None:
    """Delete a member's account: the profile is anonymised (id kept) and leaves the index."""
    person = user.person
    if person is not None:
        policy.require(user, "person.delete", person)
        _anonymise_profile(person, user)
        audit.record("person.delete", person, actor=user).ip = None
    _close_account(user, user)
    db.session.commit()


def anonymise_person(person: Person, by) -> None:
    """The admin erases a profile (e.g. on request): anonymised like a deletion, account closed."""
    policy.require(by, "person.delete", person)
    owner = person.user
    _anonymise_profile(person, by)
    audit.record("person.delete", person, actor=by)
    if owner is not None and owner.id != getattr(by, "id", None):
        _close_account(owner, by)
    db.session.commit()
