"""Claim invitations: a mission invites the person behind an unclaimed profile to take it over.

The invitation and the claim are about the profile (who may be invited, what the member's
consent becomes); the account they end with is created by the accounts service.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from directory import audit
from directory.accounts import email_links
from directory.accounts import services as accounts
from directory.accounts.models import EmailToken, User
from directory.core.errors import ValidationError
from directory.core.mail import send_mail
from directory.core.models import utcnow
from directory.extensions import db
from directory.people.models import Person
from directory.people.services import add_consent_records
from directory.search.outbox import enqueue


def invitation_locale(person) -> str:
    """Vietnamese unless the person's languages are known and do not include it."""
    languages = list(person.languages or [])
    return "en" if languages and "vi" not in languages else "vi"


def send_claim_invitation(person, by_user) -> EmailToken:
    """Email ``person`` a single-use, expiring link to claim their profile; commits; audited.

    Raises ValidationError when the person has no usable email, already has an account, or
    their email belongs to another account.
    """
    if person.user is not None:
        raise ValidationError({"person": _("This profile has already been claimed.")})
    if person.anonymised_at is not None:
        raise ValidationError({"person": _("This profile was deleted.")})
    if not person.email:
        raise ValidationError({"email": _("This profile has no email address to invite.")})
    email = accounts.clean_email(person.email)
    if accounts.user_by_email(email) is not None:
        raise ValidationError({"email": _("An account with this email already exists.")})
    ttl = current_app.config["INVITATION_TTL"]
    token, raw = email_links.issue_email_token(
        "claim", email, ttl, person=person, created_by=by_user
    )
    mission = getattr(by_user, "mission", None)
    send_mail(
        email,
        "accounts/email/claim_invitation",
        invitation_locale(person),
        name=person.full_name,
        link=email_links.link(f"/claim/{raw}"),
        days=ttl.days,
        mission_name=mission.name if mission is not None else None,
    )
    audit.record(
        "person.invite", person, actor=by_user, details={"token_id": token.id, "days": ttl.days}
    )
    db.session.commit()
    return token


def invitation_history(person) -> list[dict]:
    """The claim invitations sent for ``person``, newest first: ``at``, ``by`` (the sender's
    name, or None once their account is gone), ``email`` and ``expires_at``."""
    query = (
        sa.select(EmailToken, User)
        .outerjoin(User, User.id == EmailToken.created_by_id)
        .where(EmailToken.purpose == "claim", EmailToken.person_id == person.id)
        .order_by(EmailToken.created_at.desc(), EmailToken.id.desc())
    )
    return [
        {
            "at": token.created_at,
            "by": sender.name if sender is not None else None,
            "email": token.email,
            "expires_at": token.expires_at,
        }
        for token, sender in db.session.execute(query)
    ]


def claim_target(raw_token: str) -> tuple[EmailToken, Person]:
    """(token, person) for a claim link that can still be used, or ``TokenInvalid``."""
    token = email_links.find_email_token(raw_token, "claim")
    person = db.session.get(Person, token.person_id) if token.person_id else None
    if person is None or person.anonymised_at is not None:
        raise email_links.TokenInvalid("unknown")
    if person.user is not None:
        raise email_links.TokenInvalid("used")
    return token, person


def claim_email_taken(token: EmailToken) -> bool:
    """True when the invited address already has an account (the claim is then refused)."""
    return accounts.user_by_email(token.email) is not None


def accept_claim(
    raw_token: str, password: str, consent_listed: bool, consent_contact: bool
) -> User:
    """The invited person takes the profile: an account, their own consent, the link used up."""
    token, person = claim_target(raw_token)
    if claim_email_taken(token):
        raise ValidationError(
            {
                "email": _(
                    "An account with this email already exists. Sign in with it instead, "
                    "or ask the mission to invite you at another address."
                )
            }
        )
    now = utcnow()
    user = accounts.create_claimed_account(
        token.email, password, person, locale=invitation_locale(person), at=now
    )
    # The member's own answer replaces whatever the mission had recorded.
    add_consent_records(
        person,
        {"listed": bool(consent_listed), "contact": bool(consent_contact)},
        user,
        decisions={"listed": "member", "contact": "member"},
        at=now,
    )
    token.used_at = now
    enqueue("person", person.id)
    audit.record(
        "person.claim",
        person,
        actor=user,
        details={
            "user_id": user.id,
            "listed": bool(consent_listed),
            "contact": bool(consent_contact),
        },
    )
    db.session.commit()
    db.session.refresh(person)
    return user
