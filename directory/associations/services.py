"""Associations and memberships: the one place they change (HTML views and the API call it)."""

from __future__ import annotations

import logging
from datetime import date

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from directory import audit, policy
from directory.associations.models import (
    ASSOCIATION_KINDS,
    MEMBERSHIP_ROLES,
    MEMBERSHIP_STATUSES,
    Association,
    Membership,
)
from directory.core.errors import ValidationError
from directory.core.models import isoformat, new_id, utcnow
from directory.core.templating import nav_counter
from directory.extensions import db
from directory.people.normalise import normalize_url
from directory.reference.contact import InvalidValue, normalize_email, normalize_phone
from directory.reference.countries import resolve_country
from directory.reference.fields import field_index as load_field_index
from directory.reference.fields import resolve_field
from directory.reference.provinces import resolve_province
from directory.search import outbox
from directory.text import clean_long_text, clean_text, split_multi

log = logging.getLogger(__name__)

INPUT_KEYS = frozenset(
    {
        "name",
        "name_en",
        "kind",
        "province",
        "country",
        "city",
        "founded_year",
        "member_count",
        "fields",
        "email",
        "phone",
        "website",
        "description",
    }
)
READ_ONLY_KEYS = frozenset(
    {
        "id",
        "verified",
        "verified_at",
        "created_at",
        "updated_at",
        "members",
        "proposals",
        "provenance",
    }
)
TEXT_LIMITS = {"name": 250, "name_en": 250, "city": 120, "description": 5000}


def _int_in_range(raw, low: int, high: int) -> int | None:
    if isinstance(raw, bool):
        raise ValueError(raw)
    value = int(str(raw).strip())
    if not low <= value <= high:
        raise ValueError(value)
    return value


def normalize_association_input(
    data: dict, *, partial: bool = False, country_hint: str | None = None
) -> dict:
    """Association input -> model attributes; ValidationError lists every bad field.

    ``country_hint`` (the current country on update) reads national phone numbers.
    """
    if not isinstance(data, dict):
        raise ValidationError({"": _("Send an object with the association's fields.")})
    errors: dict[str, str] = {}
    out: dict = {}
    for key in data:
        if key in READ_ONLY_KEYS:
            errors[key] = _("This field cannot be changed.")
        elif key not in INPUT_KEYS:
            errors[str(key)[:60]] = _("This field does not exist.")

    def given(key):
        return key in data or (not partial and key in ("name", "kind", "country"))

    for key, limit in TEXT_LIMITS.items():
        if given(key):
            raw = data.get(key)
            text = clean_long_text(raw or "") if key == "description" else clean_text(raw or "")
            if key == "name" and not text:
                errors[key] = _("This field is required.")
            elif len(text) > limit:
                errors[key] = _("This is too long.")
            else:
                out[key] = text or None

    if given("kind"):
        kind = clean_text(data.get("kind") or "")
        if kind not in ASSOCIATION_KINDS:
            errors["kind"] = _("Choose hometown, professional or business.")
        else:
            out["kind"] = kind

    if given("country"):
        raw = clean_text(data.get("country") or "")
        code = resolve_country(raw) if raw else None
        if code is None:
            errors["country"] = (
                _("Unknown country: %(value)s.", value=raw[:60])
                if raw
                else _("This field is required.")
            )
        else:
            out["country"] = code

    if given("province"):
        raw = clean_text(data.get("province") or "")
        if not raw:
            out["province_slug"] = None
        else:
            slug = resolve_province(raw)
            if slug is None:
                errors["province"] = _("Unknown province: %(value)s.", value=raw[:60])
            else:
                out["province_slug"] = slug

    this_year = utcnow().year
    for key, low, high in (("founded_year", 1800, this_year), ("member_count", 0, 10_000_000)):
        if given(key):
            raw = data.get(key)
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                out[key] = None
                continue
            try:
                out[key] = _int_in_range(raw, low, high)
            except (TypeError, ValueError):
                errors[key] = _(
                    "Enter a number between %(start)s and %(end)s.", start=low, end=high
                )

    if given("fields"):
        index = load_field_index()
        codes, bad = [], []
        for item in split_multi(data.get("fields")):
            code = resolve_field(item, index)
            if code is None:
                bad.append(item)
            elif code not in codes:
                codes.append(code)
        if bad:
            errors["fields"] = _("Unknown field: %(value)s.", value=", ".join(bad))
        else:
            out["fields"] = codes

    if given("email"):
        try:
            out["email"] = normalize_email(clean_text(data.get("email") or ""))
        except (InvalidValue, TypeError):
            errors["email"] = _("This is not a valid email address.")
    if given("phone"):
        try:
            country = out.get("country") or (
                resolve_country(str(data.get("country") or "")) or None
            )
            out["phone"] = normalize_phone(clean_text(data.get("phone") or ""), country)
        except (InvalidValue, TypeError):
            errors["phone"] = _("This is not a valid phone number.")
    if given("website"):
        try:
            out["website"] = normalize_url(data.get("website"))
        except (ValueError, TypeError):
            errors["website"] = _("Enter a web address starting with http:// or https://.")

    if errors:
        raise ValidationError(errors, _("Some values are not valid."))
    return out


def _check_hometown(values: dict, association: Association | None = None) -> None:
    kind = values.get("kind", association.kind if association else None)
    province = values.get("province_slug", association.province_slug if association else None)
    if kind == "hometown" and not province:
        raise ValidationError({"province": _("A hometown association names its province.")})


def create_association(data: dict, by) -> Association:
    """An embassy (in its countries), the admin, or a member who then becomes its president."""
    values = normalize_association_input(data)
    _check_hometown(values)
    association = Association(id=new_id(), **values)
    policy.require(by, "association.create", association)
    association.created_by_id = by.id
    if policy.can(by, "association.create_as_leader"):
        association.provenance = "self"
        now = utcnow()
        # The member's own membership: accepted at once.
        association.memberships.append(
            Membership(
                person_id=by.person_id,
                role="president",
                start_date=date.today(),
                status="accepted",
                proposed_by_id=by.id,
                proposed_at=now,
                decided_by_id=by.id,
                decided_at=now,
            )
        )
    else:
        association.provenance = "mission"
        association.provenance_mission_id = getattr(by, "mission_id", None)
    db.session.add(association)
    audit.record("association.create", association, actor=by)
    outbox.enqueue("association", association.id)
    db.session.commit()
    return association


def update_association(association: Association, data: dict, by) -> Association:
    """Partial update by a leader, the covering mission or the admin (audited with field names)."""
    policy.require(by, "association.edit", association)
    values = normalize_association_input(data, partial=True, country_hint=association.country)
    _check_hometown(values, association)
    if (
        "country" in values
        and values["country"] != association.country
        and not policy.can(by, "country.set", values["country"])
    ):
        raise ValidationError({"country": _("This country is outside your mission's area.")})
    changed = sorted(k for k, v in values.items() if getattr(association, k) != v)
    for key in changed:
        setattr(association, key, values[key])
    if changed:
        audit.record("association.update", association, actor=by, details={"fields": changed})
        outbox.enqueue("association", association.id)
        db.session.commit()
    return association


def verify_association(association: Association, by) -> Association:
    """An officer of the mission covering the association's country verifies it."""
    policy.require(by, "association.verify", association)
    association.verified_by_mission_id = getattr(by, "mission_id", None)
    association.verified_at = utcnow()
    audit.record("association.verify", association, actor=by)
    outbox.enqueue("association", association.id)
    db.session.commit()
    return association


def _check_dates(start_date, end_date) -> dict[str, str]:
    errors = {}
    for key, value in (("start_date", start_date), ("end_date", end_date)):
        if value is not None and not isinstance(value, date):
            errors[key] = _("Enter a date as YYYY-MM-DD.")
    if not errors and start_date and end_date and end_date < start_date:
        errors["end_date"] = _("The end date is before the start date.")
    return errors


def add_membership(
    association: Association,
    person,
    role: str = "member",
    start_date: date | None = None,
    end_date: date | None = None,
    by=None,
) -> Membership:
    """Propose a person the actor may see as a member, with a role and dates.

    A membership is only a proposal until the person accepts it (for an unclaimed profile, the
    mission that registered it); a member adding themself is accepted at once. The person is
    told by email when they have an account.
    """
    policy.require(by, "association.manage_members", association)
    errors = _check_dates(start_date, end_date)
    if role not in MEMBERSHIP_ROLES:
        errors["role"] = _("Unknown role.")
    if person is None or not policy.can(by, "person.view", person):
        errors["person"] = _("No such person.")
    else:
        same = [
            m
            for m in association.memberships
            if m.person_id == person.id and m.role == role and m.end_date is None
        ]
        if any(m.status == "accepted" for m in same):
            errors["person"] = _("This person already has this role.")
        elif any(m.status == "proposed" for m in same):
            errors["person"] = _("This person has already been proposed for this role.")
        elif any(m.status == "declined" for m in same) and not policy.owns_person(by, person):
            errors["person"] = _("This person declined this role.")
    if errors:
        raise ValidationError(errors, _("Some values are not valid."))
    now = utcnow()
    own = policy.owns_person(by, person)
    membership = Membership(
        id=new_id(),
        person_id=person.id,
        role=role,
        start_date=start_date,
        end_date=end_date,
        status="accepted" if own else "proposed",
        proposed_by_id=getattr(by, "id", None),
        proposed_at=now,
        decided_by_id=getattr(by, "id", None) if own else None,
        decided_at=now if own else None,
    )
    association.memberships.append(membership)
    audit.record(
        "association.member_add" if own else "association.member_propose",
        association,
        actor=by,
        details={"person_id": person.id, "role": role, "membership_id": membership.id},
    )
    if own:
        outbox.enqueue("association", association.id)
        outbox.enqueue("person", person.id)
    db.session.commit()
    if not own:
        notify_proposal(membership)
    return membership


def _decide(membership: Membership, status: str, by) -> Membership:
    policy.require(by, "membership.decide", membership)
    if membership.status != "proposed":
        raise ValidationError(
            {"status": _("This proposal has already been answered.")},
            _("This proposal has already been answered."),
        )
    person = membership.person
    membership.status = status
    membership.decided_by_id = getattr(by, "id", None)
    membership.decided_at = utcnow()
    association = membership.association
    audit.record(
        f"association.member_{'accept' if status == 'accepted' else 'decline'}",
        association,
        actor=by,
        details={
            "person_id": membership.person_id,
            "membership_id": membership.id,
            "role": membership.role,
            "on_behalf": not policy.owns_person(by, person),
        },
    )
    if status == "accepted":
        outbox.enqueue("association", association.id)
        outbox.enqueue("person", membership.person_id)
    db.session.commit()
    return membership


def accept_membership(membership: Membership, by) -> Membership:
    """The person (or the registering mission of an unclaimed profile) accepts a proposal."""
    return _decide(membership, "accepted", by)


def decline_membership(membership: Membership, by) -> Membership:
    """The person (or the registering mission of an unclaimed profile) declines a proposal."""
    return _decide(membership, "declined", by)


def list_associations(
    *, kind: str | None = None, country: str | None = None, province: str | None = None
) -> sa.Select:
    """Associations by name, filtered by kind, country and hometown province (parsed values)."""
    query = sa.select(Association)
    if kind:
        query = query.where(Association.kind == kind)
    if country:
        query = query.where(Association.country == country)
    if province:
        query = query.where(Association.province_slug == province)
    return query.order_by(Association.name, Association.id)


def memberships_of(person, status: str | None = None) -> list[Membership]:
    """The person's memberships shown on profiles (accepted), or those in ``status``.

    Ended ones come after current ones, then by start date.
    """
    from directory.policy.associations import membership_shown_clause

    which = membership_shown_clause() if status is None else Membership.status == status
    return list(
        db.session.scalars(
            sa.select(Membership)
            .where(Membership.person_id == person.id, which)
            .order_by(Membership.end_date.is_not(None), Membership.start_date, Membership.id)
        )
    )


def decider_memberships(user, status: str = "proposed") -> sa.Select:
    """The memberships in ``status`` that ``user`` decides upon, newest proposal first."""
    from directory.policy.associations import membership_decider_clause

    return (
        sa.select(Membership)
        .where(Membership.status == status, membership_decider_clause(user))
        .order_by(Membership.proposed_at.desc(), Membership.id)
    )


def pending_proposals(user, *, status: str = "proposed") -> list[Membership]:
    """The memberships waiting for ``user``'s decision (their own, or their mission's people)."""
    if status not in MEMBERSHIP_STATUSES:
        return []
    return list(db.session.scalars(decider_memberships(user, status)))


@nav_counter("memberships")
def proposals_count(user) -> int:
    """How many membership proposals wait for ``user`` (the navigation badge)."""
    from directory.policy.associations import membership_decider_clause

    return (
        db.session.scalar(
            sa.select(sa.func.count(Membership.id)).where(
                Membership.status == "proposed", membership_decider_clause(user)
            )
        )
        or 0
    )


def _link(endpoint: str, **values) -> str:
    """An absolute link for emails (works in requests and CLI commands alike)."""
    adapter = current_app.url_map.bind("localhost", url_scheme="http")
    return current_app.config["BASE_URL"].rstrip("/") + adapter.build(endpoint, values)


def notify_proposal(membership: Membership) -> bool:
    """Email the person about a proposal, in their language (members with an account only).

    Sent after the commit; a mail failure is logged and never undoes the proposal, which the
    person also finds on their profile page.
    """
    from directory.core.mail import send_mail

    person = membership.person
    user = person.user if person is not None else None
    if user is None or not user.email or not user.is_active:
        return False
    try:
        send_mail(
            user.email,
            "associations/email/membership_proposed",
            user.locale or "vi",
            membership=membership,
            association=membership.association,
            person=person,
            url=_link("associations.proposals"),
        )
    except Exception:  # noqa: BLE001 - the proposal stands; the profile page shows it
        log.exception("could not send the proposal of membership %s", membership.id)
        return False
    return True


def end_membership(membership: Membership, end_date: date | None = None, by=None) -> Membership:
    """Close a membership on ``end_date`` (today by default)."""
    association = membership.association
    policy.require(by, "association.manage_members", association)
    end_date = end_date or date.today()
    errors = _check_dates(membership.start_date, end_date)
    if errors:
        raise ValidationError(errors)
    membership.end_date = end_date
    audit.record(
        "association.member_end",
        association,
        actor=by,
        details={"person_id": membership.person_id, "membership_id": membership.id},
    )
    outbox.enqueue("association", association.id)
    outbox.enqueue("person", membership.person_id)
    db.session.commit()
    return membership


def visible_memberships(
    association: Association, viewer, *, proposals: bool = False
) -> list[Membership]:
    """The memberships whose person the viewer may see (leaders first, current before past).

    The accepted ones: a proposal shows nowhere until it is accepted. With ``proposals``, the
    proposed and declined ones instead, for those who manage the members.
    """
    from directory.policy.associations import membership_shown

    if proposals and not policy.can(viewer, "association.manage_members", association):
        return []
    rows = [
        m
        for m in association.memberships
        if membership_shown(m) is not proposals
        and m.person is not None
        and policy.can(viewer, "person.view", m.person)
    ]
    return sorted(
        rows, key=lambda m: (m.end_date is not None, not m.is_leader, m.start_date or date.min)
    )


def membership_to_dict(m: Membership) -> dict:
    """One membership as JSON (the person is one the caller may see)."""
    return {
        "id": m.id,
        "association_id": m.association_id,
        "association_name": m.association.name if m.association is not None else None,
        "person_id": m.person_id,
        "full_name": m.person.full_name,
        "role": m.role,
        "start_date": isoformat(m.start_date),
        "end_date": isoformat(m.end_date),
        "status": m.status,
        "proposed_at": isoformat(m.proposed_at),
        "decided_at": isoformat(m.decided_at),
    }


def association_to_dict(association: Association, viewer) -> dict:
    """The association as JSON; members are the accepted ones the viewer may see, business
    members the businesses the viewer may see."""
    from directory.associations.business_members import (
        business_member_to_dict,
        visible_business_members,
    )

    data = {
        "id": association.id,
        "name": association.name,
        "name_en": association.name_en,
        "kind": association.kind,
        "province": association.province_slug,
        "country": association.country,
        "city": association.city,
        "founded_year": association.founded_year,
        "member_count": association.member_count,
        "fields": list(association.fields or []),
        "email": association.email,
        "phone": association.phone,
        "website": association.website,
        "description": association.description,
        "verified": association.verified,
        "created_at": isoformat(association.created_at),
        "updated_at": isoformat(association.updated_at),
        "members": [membership_to_dict(m) for m in visible_memberships(association, viewer)],
        "business_members": [
            business_member_to_dict(m) for m in visible_business_members(association, viewer)
        ],
    }
    if policy.can(viewer, "association.manage_members", association):
        # Those who manage the members follow their proposals (not yet shown as members).
        data["proposals"] = [
            membership_to_dict(m) for m in visible_memberships(association, viewer, proposals=True)
        ]
    return data


def membership_or_none(association: Association, membership_id: str) -> Membership | None:
    """One membership of this association."""
    return db.session.scalar(
        sa.select(Membership).where(
            Membership.id == membership_id, Membership.association_id == association.id
        )
    )
