"""The one place businesses and their links to people change: pages and the API call it.

Every function checks the caller, validates everything, then writes with its audit event and
commits once; a refused change writes nothing.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from directory import audit, policy
from directory.businesses import queries
from directory.businesses.inputs import (
    MANAGED,
    business_name_key,
    checked_link,
    normalize_business_input,
    website_domain,
)
from directory.businesses.models import Business, BusinessPerson
from directory.core.errors import ApiError, ValidationError
from directory.core.models import utcnow
from directory.extensions import db
from directory.people.models import Person
from directory.policy.businesses import covers_business


class BusinessError(ApiError):
    """A refused change (403 not this user's, 409 duplicate or state); nothing written."""


def _forbidden() -> BusinessError:
    return BusinessError(403, "forbidden", _("You are not allowed to do this."))


class DuplicateBusiness(BusinessError):
    """Likely duplicates exist; the caller confirms with ``confirm_duplicate: true``."""

    def __init__(self, duplicates: list[Business]):
        names = ", ".join(f"{b.name} ({b.id})" for b in duplicates)
        super().__init__(
            409,
            "duplicate",
            _("This business looks already registered. Open it, or confirm to register it."),
            {"confirm_duplicate": _("Likely duplicates: %(names)s", names=names)},
        )
        self.duplicates = duplicates


def _check_managed_keys(values: dict, business: Business | None, by) -> None:
    """Visibility and listing: the managers' choice; others may only narrow them."""
    if business is not None and policy.can(by, "business.manage", business):
        return
    if policy.is_admin(by):
        return
    errors = {}
    if values.get("consent_listed") is True and not (business and business.consent_listed):
        errors["consent_listed"] = _(
            "Only the business's owners and executives give its consent to be listed."
        )
    for group in ("profile", "contact"):
        level = values.get(f"visibility_{group}")
        current = getattr(business, f"visibility_{group}", None) if business else None
        if level == "public" and current != "public":
            errors["visibility"] = _(
                "Only the business's owners and executives make its details public."
            )
    if errors:
        raise ValidationError(errors, _("Some values are not valid."))


def _check_duplicates(values: dict, business: Business | None, confirm: bool) -> None:
    if confirm:
        return
    name = values.get("name", business.name if business else None)
    country = values.get("country", business.country if business else None)
    renamed = business is None or "name" in values or "country" in values
    domain = values.get("website_domain") if "website_domain" in values else None
    if business is not None and domain == business.website_domain:
        domain = None
    found = queries.likely_duplicates(
        name if renamed else None,
        country if renamed else None,
        domain,
        exclude_id=business.id if business else None,
    )
    if found:
        raise DuplicateBusiness(found)


def create_business(data: dict, by) -> Business:
    """Register a business (an embassy officer in the mission's countries, or the admin)."""
    if not policy.can(by, "business.register"):
        raise _forbidden()
    values = normalize_business_input(data, business=None)
    confirm = values.pop("confirm_duplicate", False)
    _check_managed_keys(values, None, by)
    defaults = {
        "other_names": [],
        "operates_in": [],
        "cities": [],
        "presence_in_vietnam": [],
        "interests": [],
        "consent_listed": False,
    }
    business = Business(
        registered_by_id=by.id,
        provenance_mission_id=by.mission_id if policy.role(by) == "embassy" else None,
        **{**defaults, **values},
    )
    if not policy.can(by, "business.register", business):
        raise ValidationError(
            {"country": _("Your mission registers businesses operating in its countries only.")},
            _("Some values are not valid."),
        )
    _check_duplicates(values, None, confirm)
    db.session.add(business)
    db.session.flush()
    audit.record(
        "business.create",
        business,
        actor=by,
        details={"country": business.country, "duplicate_confirmed": bool(confirm)},
    )
    db.session.commit()
    return business


def update_business(business: Business, data: dict, by) -> Business:
    """Change the keys given (editors); visibility and listing (managers, the admin)."""
    only_managed = bool(data) and set(data) <= set(MANAGED)
    allowed = policy.can(by, "business.edit", business) or (
        only_managed and policy.can(by, "business.manage", business)
    )
    if not allowed:
        raise _forbidden()
    values = normalize_business_input(data, business=business)
    confirm = values.pop("confirm_duplicate", False)
    _check_managed_keys(values, business, by)
    if policy.role(by) == "embassy" and not policy.is_admin(by):
        probe = Business(
            country=values.get("country", business.country),
            operates_in=values.get("operates_in", business.operates_in),
        )
        if not covers_business(by, probe):
            raise ValidationError(
                {
                    "country": _(
                        "Your mission registers businesses operating in its countries only."
                    )
                },
                _("Some values are not valid."),
            )
    changed = sorted(k for k, v in values.items() if getattr(business, k) != v)
    if not changed:
        return business
    _check_duplicates({k: values[k] for k in changed}, business, confirm)
    for key in changed:
        setattr(business, key, values[key])
    audit.record(
        "business.update",
        business,
        actor=by,
        details={"changed": [k for k in changed if k not in ("name_key", "website_domain")]},
    )
    db.session.commit()
    return business


def delete_business(business: Business, by) -> None:
    if not policy.can(by, "business.delete", business):
        raise _forbidden()
    audit.record("business.delete", business, actor=by, details={"country": business.country})
    db.session.delete(business)
    db.session.commit()


def verify_business(business: Business, by) -> Business:
    """A covering mission (or the admin) vouches for the record, dated."""
    if not policy.can(by, "business.verify", business):
        raise _forbidden()
    business.verified_at = utcnow()
    business.verified_by_id = by.id
    business.verified_by_mission_id = by.mission_id if policy.role(by) == "embassy" else None
    audit.record("business.verify", business, actor=by)
    db.session.commit()
    return business


# --- people linked to a business -------------------------------------------------------------


def link_person(business: Business, data: dict, by) -> tuple[BusinessPerson, bool]:
    """Link a person in a role. Accepted at once when the caller is who accepts it (the person,
    or the mission that registered an unclaimed profile); otherwise it waits for them.
    Returns (link, created)."""
    if not policy.can(by, "business.link", business):
        raise _forbidden()
    person_id, role, since = checked_link(data)
    person = db.session.get(Person, person_id)
    if person is None or not policy.can(by, "person.view", person):
        raise ValidationError(
            {"person_id": _("This person does not exist, or you may not see them.")},
            _("Some values are not valid."),
        )
    existing = db.session.scalar(
        sa.select(BusinessPerson).where(
            BusinessPerson.business_id == business.id,
            BusinessPerson.person_id == person.id,
            BusinessPerson.role == role,
        )
    )
    if existing is not None:
        if existing.since == since:
            return existing, False
        existing.since = since
        audit.record(
            "business.link_update",
            business,
            actor=by,
            details={"person_id": person.id, "role": role},
        )
        db.session.commit()
        return existing, False
    link = BusinessPerson(
        business_id=business.id, person_id=person.id, role=role, since=since, proposed_by_id=by.id
    )
    link.person = person
    if policy.can(by, "business_link.decide", link):
        link.accepted_at, link.accepted_by_id = utcnow(), by.id
    db.session.add(link)
    try:
        db.session.flush()
    except sa.exc.IntegrityError:  # the same link, twice at once
        db.session.rollback()
        raise BusinessError(409, "conflict", _("This link was added meanwhile; reload.")) from None
    audit.record(
        "business.link",
        business,
        actor=by,
        details={"person_id": person.id, "role": role, "accepted": link.accepted},
    )
    db.session.commit()
    return link, True


def unlink_person(business: Business, data: dict, by) -> None:
    """Remove a person's link (in ``role``, or in every role when none is given)."""
    if not policy.can(by, "business.link", business):
        raise _forbidden()
    person_id, role = data.get("person_id"), data.get("role")
    unknown = set(data) - {"person_id", "role"}
    if unknown:
        raise ValidationError(
            dict.fromkeys(sorted(str(k)[:100] for k in unknown), _("Unknown field.")),
            _("Some values are not valid."),
        )
    links = [
        link
        for link in business.links
        if link.person_id == person_id and (role in (None, "") or link.role == role)
    ]
    if not links:
        raise BusinessError(404, "not_found", _("This person is not linked to the business."))
    for link in links:
        db.session.delete(link)
    audit.record(
        "business.unlink",
        business,
        actor=by,
        details={"person_id": person_id, "roles": sorted(link.role for link in links)},
    )
    db.session.commit()


def get_link(link_id) -> BusinessPerson | None:
    ok = isinstance(link_id, str) and 0 < len(link_id) <= 16
    return db.session.get(BusinessPerson, link_id) if ok else None


def decide_link(link: BusinessPerson, accept: bool, by) -> None:
    """The person (or the mission for an unclaimed profile) accepts a link, or declines it
    (the link is then removed)."""
    if not policy.can(by, "business_link.decide", link):
        raise _forbidden()
    business = link.business
    details = {"person_id": link.person_id, "role": link.role}
    if accept:
        if link.accepted:
            return
        link.accepted_at, link.accepted_by_id = utcnow(), by.id
        audit.record("business.link_accept", business, actor=by, details=details)
    else:
        db.session.delete(link)
        audit.record("business.link_decline", business, actor=by, details=details)
    db.session.commit()


# --- suggested businesses (flask businesses suggest) ----------------------------------------


def create_suggested(suggestions: list) -> list[Business]:
    """Create the suggested businesses, unlisted and unverified, for the mission covering their
    country (or the admin) to confirm by verifying them; each entrepreneur is linked as owner,
    waiting for them (or, for an unclaimed profile, the registering mission) to accept."""
    from directory.missions.models import MissionCountry

    created = []
    for s in suggestions:
        mission_id = db.session.scalar(
            sa.select(MissionCountry.mission_id)
            .where(MissionCountry.country == s.country)
            .order_by(MissionCountry.mission_id)
            .limit(1)
        )
        business = Business(
            name=s.name,
            name_key=business_name_key(s.name),
            country=s.country,
            sectors=s.sectors,
            size_band=s.size_band,
            website=s.website,
            website_domain=website_domain(s.website),
            other_names=[],
            operates_in=[],
            cities=[],
            presence_in_vietnam=[],
            interests=[],
            consent_listed=False,
            provenance_mission_id=mission_id,
        )
        db.session.add(business)
        db.session.flush()
        for person_id in s.person_ids:
            db.session.add(
                BusinessPerson(business_id=business.id, person_id=person_id, role="owner")
            )
        audit.record(
            "business.suggest",
            business,
            details={"country": s.country, "people": len(s.person_ids)},
        )
        created.append(business)
    db.session.commit()
    return created
