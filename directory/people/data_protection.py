"""A person's rights over their data: a copy of everything held, and erasure.

The member downloads their data and deletes their account; the admin erases a profile on
request. An erased profile keeps its id, dates and consent trail, and nothing personal.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa

from directory import audit, policy
from directory.core.models import isoformat, utcnow
from directory.extensions import db
from directory.people.consent import current_notice_version, record_consents
from directory.people.models import Person
from directory.search import outbox

DELETED_NAME = "Đã xóa / Deleted"

# What the data export holds of the profile, in the order the file shows it: every declared
# field (``directory.people.fields``, checked by tests/people/test_field_declaration.py) and
# the record's consent, visibility, provenance and dates.
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
    "email",
    "phone",
    "website",
    "links",
    "bio",
    "birth_year",
    "company",
    "company_sector",
    "company_size",
    "company_website",
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
    "verified_values",
    "created_at",
    "updated_at",
)


# Other domains' records about the person, each a section of the data download: name ->
# function(person, user) -> JSON-ready value (user is the person's account, or None). Each
# domain registers its own with :func:`export_section`, from the module that reads them, so
# that people/ imports no other domain. What officials keep for themselves about a member
# (initiative notes, shortlists) is never registered.
EXPORT_SECTIONS: dict[str, Callable] = {}


def export_section(name: str):
    """Register ``function(person, user)`` as the data download's section ``name``."""

    def register(function: Callable) -> Callable:
        EXPORT_SECTIONS[name] = function
        return function

    return register


# What other domains keep about a user that goes with their account (saved searches…): each
# registers ``function(user)`` with :func:`on_account_close`, which deletes it without
# committing; closing the account calls them in the same transaction.
ACCOUNT_CLOSERS: list[Callable] = []


def on_account_close(function: Callable) -> Callable:
    """Register ``function(user)`` to delete what belongs to an account being closed."""
    ACCOUNT_CLOSERS.append(function)
    return function


def export_person_data(person: Person, by=None) -> dict:
    """Everything held about a person: profile, consents, memberships and account (audited)."""
    from directory.associations.models import Membership

    profile = {}
    for column in PERSON_EXPORT_COLUMNS:
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
        "privacy_notice_version": current_notice_version(),
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
    for name, section in sorted(EXPORT_SECTIONS.items()):
        data[name] = section(person, user)
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

    record_consents(person, {"listed": False, "contact": False}, by)
    for column in Person.__table__.columns:
        if column.key in ANONYMISE_KEEP:
            continue
        if isinstance(column.type, sa.JSON):
            value = {} if column.key == "field_sources" else None if column.nullable else []
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
    for close in ACCOUNT_CLOSERS:
        close(user)
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
