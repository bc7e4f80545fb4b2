"""Businesses as members of business associations: the one writer of ``BusinessMember``, and
the lists that pages and the API show.

Who adds and removes them is who manages the association's people members
(``association.manage_members``: its leaders, the covering mission, the admin); a business is
added only when the actor may see it. A business member is shown to whoever may see the
business (``business.view``), on the association's page and in its JSON, and the business's
page lists the associations it belongs to.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from directory import audit, policy
from directory.associations.models import Association, BusinessMember
from directory.core.errors import ValidationError
from directory.core.models import isoformat
from directory.extensions import db
from directory.reference.provinces import vietnam_today


def add_business_member(
    association: Association, business, by, since: date | None = None
) -> BusinessMember:
    """List ``business`` as a member of a business association; audited, commits."""
    policy.require(by, "association.manage_members", association)
    errors: dict[str, str] = {}
    if association.kind != "business":
        errors["business"] = _("Only a business association lists businesses as members.")
    elif business is None or not policy.can(by, "business.view", business):
        errors["business"] = _("No such business.")
    elif any(m.business_id == business.id for m in association.business_members):
        errors["business"] = _("This business is already a member.")
    if since is not None and (not isinstance(since, date) or since > vietnam_today()):
        errors["since"] = _("The date cannot be in the future.")
    if errors:
        raise ValidationError(errors, _("Some values are not valid."))
    member = BusinessMember(
        association_id=association.id,
        business_id=business.id,
        since=since,
        added_by_id=getattr(by, "id", None),
    )
    member.business = business
    association.business_members.append(member)
    try:
        db.session.flush()
    except sa.exc.IntegrityError:  # the same business, added twice at once
        db.session.rollback()
        raise ValidationError(
            {"business": _("This business is already a member.")}, _("Some values are not valid.")
        ) from None
    audit.record(
        "association.business_add",
        association,
        actor=by,
        details={"business_id": business.id},
    )
    db.session.commit()
    return member


def remove_business_member(association: Association, business_id: str, by) -> None:
    """Take a business off the association's members; audited, commits."""
    policy.require(by, "association.manage_members", association)
    found = [m for m in association.business_members if m.business_id == business_id]
    if not found:
        raise ValidationError(
            {"business": _("This business is not a member.")}, _("Some values are not valid.")
        )
    for member in found:
        association.business_members.remove(member)
    audit.record(
        "association.business_remove",
        association,
        actor=by,
        details={"business_id": business_id},
    )
    db.session.commit()


def visible_business_members(association: Association, viewer) -> list[BusinessMember]:
    """The association's business members that ``viewer`` may see, by name."""
    rows = [
        m
        for m in association.business_members
        if m.business is not None and policy.can(viewer, "business.view", m.business)
    ]
    return sorted(rows, key=lambda m: (m.business.name_key, m.business_id))


def business_member_to_dict(member: BusinessMember) -> dict:
    return {
        "business_id": member.business_id,
        "name": member.business.name,
        "country": member.business.country,
        "since": isoformat(member.since),
    }


def associations_of_business(business, viewer) -> list[Association]:
    """The associations ``business`` is a member of, that ``viewer`` may see, by name."""
    rows = db.session.scalars(
        sa.select(Association)
        .join(BusinessMember, BusinessMember.association_id == Association.id)
        .where(BusinessMember.business_id == business.id)
        .order_by(Association.name, Association.id)
    ).all()
    return [a for a in rows if policy.can(viewer, "association.view", a)]
