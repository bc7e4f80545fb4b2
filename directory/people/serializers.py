"""Person -> the contract's JSON shape, holding only what the viewer may see."""

from __future__ import annotations

from directory import audit, policy
from directory.core.models import isoformat
from directory.extensions import db
from directory.people.fields import field_names
from directory.policy.people import acts_as_official

# The declared fields by visibility group, with the read-only id and hometown wording.
BASIC_FIELDS = ("id", *field_names(group="basic", api=True), "hometown_as_given")
PROFILE_GROUP = field_names(group="profile", api=True)
CONTACT_GROUP = field_names(group="contact", api=True)


def person_to_dict(person, viewer) -> dict:
    """The Person JSON with only the groups ``viewer`` may see ({} when the profile is hidden)."""
    groups = policy.visible_groups(viewer, person)
    if not groups:
        return {}
    data: dict = {key: _copy(getattr(person, key)) for key in BASIC_FIELDS}
    # Verified while the mission's verification holds (no verified field changed since); who
    # may know which fields changed gets them (docs/product-rules.md "Verification").
    data["verified"] = person.verification_holds
    if person.verified and policy.can(viewer, "person.verification_changes_view", person):
        data["verified_at"] = isoformat(person.verified_at)
        data["changed_since_verification"] = person.changed_since_verification
    data["created_at"] = isoformat(person.created_at)
    data["updated_at"] = isoformat(person.updated_at)
    if "profile" in groups:
        data.update({key: _copy(getattr(person, key)) for key in PROFILE_GROUP})
    if "contact" in groups:
        data.update({key: _copy(getattr(person, key)) for key in CONTACT_GROUP})
    if policy.can(viewer, "person.privacy_settings_view", person):
        data["consent_listed"] = bool(person.consent_listed)
        data["consent_contact"] = bool(person.consent_contact)
        data["contact_requests_enabled"] = bool(person.contact_requests_enabled)
        data["visibility"] = {
            "contact": person.visibility_contact,
            "profile": person.visibility_profile,
        }
    return data


def _copy(value):
    return list(value) if isinstance(value, list) else value


def contact_view_is_audited(person, viewer) -> bool:
    """An official (other than the member) sees contact details the member did not make public."""
    return (
        viewer is not None
        and getattr(viewer, "is_authenticated", False)
        and acts_as_official(viewer, person)
        and person.visibility_contact != "public"
        and "contact" in policy.visible_groups(viewer, person)
    )


def record_contact_view(person, viewer, *, commit: bool = True) -> bool:
    """Audit "person.contact_view" when ``viewer`` is shown non-public contact details."""
    if not contact_view_is_audited(person, viewer):
        return False
    audit.record("person.contact_view", person, actor=viewer)
    if commit:
        db.session.commit()
    return True
