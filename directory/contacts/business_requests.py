"""Contact requests about a business: addressed to its contact person.

The person who answers for a business is its contact person
(:func:`directory.businesses.queries.contact_person`: the linked person with role
``contact_person``, else an owner, else an executive; accepted links only). A request about the
business is a request to that person, under exactly the same rules (consent, their switch, an
account, one pending request, the daily limit: :func:`services.why_not`), that also names the
business; the same audit event, notice and email, which say which business it is about.
"""

from __future__ import annotations

from flask_babel import gettext as _

from directory import policy
from directory.contacts.models import ContactRequest
from directory.contacts.services import (
    ContactError,
    _create,
    _forbidden,
    _refuse,
    clean_message,
    clean_need,
    why_not,
)
from directory.core.errors import ValidationError


def no_contact_person() -> ContactError:
    return ContactError(
        409,
        "no_contact_person",
        _(
            "This business has no contact person who accepted their link to it (nor an owner "
            "or executive), so nobody can be asked for it."
        ),
    )


def business_why_not(business, by) -> ContactError | None:
    """Why ``by`` may not ask to be put in touch with ``business`` now (None when they may): it
    has no contact person, or the people's rules refuse asking that person."""
    from directory.businesses.queries import contact_person

    if not policy.is_official(by) or not policy.can(by, "business.view", business):
        return _forbidden()
    person = contact_person(business)
    if person is None:
        return no_contact_person()
    return why_not(person, by)


def create_business_request(by, business_id, message, need=None) -> ContactRequest:
    """``by`` asks to be put in touch with the business ``business_id``: the request is
    addressed to its contact person, under the same rules as a request to that person, and
    names the business."""
    from directory.businesses.queries import contact_person, get_visible

    business = get_visible(business_id, by)
    if business is None:
        raise ValidationError(
            {"business_id": _("Unknown business.")}, _("Some values are not valid.")
        )
    if not policy.is_official(by):
        raise _forbidden()
    text = clean_message(message)
    need = clean_need(need, by)
    person = contact_person(business)
    if person is None:
        _refuse(no_contact_person())
    if not policy.can(by, "contact_request.create", person):
        raise _forbidden()  # their own business's contact person: asking oneself
    return _create(by, person, text, need, business)
