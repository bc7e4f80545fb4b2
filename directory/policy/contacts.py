"""Who may ask to be put in touch with a person, and who sees and answers a contact request.

The rules answer "is this user the actor?"; whether the person can be asked now (consent,
their switch, an account to answer, a request already pending, the daily limit) and whether
the request's state allows a step are the service's business (a 409 or 429, not a 403).
"""

from __future__ import annotations

from directory.policy.core import can, is_admin, is_official, owns_person, rule


def is_requester(user, request) -> bool:
    return user is not None and request is not None and request.requester_id == user.id


def is_asked(user, request) -> bool:
    """``user`` is the member the request is addressed to."""
    return request is not None and owns_person(user, request.person)


@rule("contact_request.create")
def _contact_request_create(user, person) -> bool:
    """An official (embassy, province, admin) who may see the profile, not their own."""
    return (
        is_official(user)
        and person is not None
        and person.anonymised_at is None
        and not owns_person(user, person)
        and can(user, "person.view", person)
    )


@rule("contact_request.list")
def _contact_request_list(user, _obj) -> bool:
    """Every signed-in user has a list: the requests they sent, or that were sent to them."""
    return user is not None


@rule("contact_request.view")
def _contact_request_view(user, request) -> bool:
    return is_requester(user, request) or is_asked(user, request) or is_admin(user)


@rule("contact_request.answer")
def _contact_request_answer(user, request) -> bool:
    """Accept or decline: the member alone (nobody answers for them)."""
    return is_asked(user, request)


@rule("contact_request.withdraw")
def _contact_request_withdraw(user, request) -> bool:
    return is_requester(user, request)


@rule("contact_request.contact_view")
def _contact_request_contact_view(user, request) -> bool:
    """The shared contact details are for the official who asked, nobody else."""
    return is_requester(user, request)


def contact_request_view_clause(user):
    """The SQL twin of "contact_request.view" (kept in step by tests)."""
    import sqlalchemy as sa

    from directory.contacts.models import ContactRequest

    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    if user is None or not user.is_active:
        return sa.false()
    if is_admin(user):
        return sa.true()
    mine = ContactRequest.requester_id == user.id
    if user.person_id is not None:
        return mine | (ContactRequest.person_id == user.person_id)
    return mine
