"""A nominee who does not live in the host country: noted, and acknowledged by the mission."""

from __future__ import annotations

from flask_babel import gettext as _

from directory.i18n import current_locale
from directory.people.models import Person
from directory.reference.countries import country_name
from directory.representatives.models import Nomination


def lives_elsewhere(person: Person, country: str) -> bool:
    """The person's country of residence is not ``country`` (or their profile does not say)."""
    return person.country != country


def residence_note(person: Person, country: str) -> str:
    """ "X lives in Germany, not in France." in the current language."""
    locale = current_locale()
    if not person.country:
        return _(
            "The profile of %(name)s does not say which country they live in, so it cannot "
            "show that they live in %(country)s.",
            name=person.full_name,
            country=country_name(country, locale),
        )
    return _(
        "%(name)s lives in %(lives)s, not in %(country)s.",
        name=person.full_name,
        lives=country_name(person.country, locale),
        country=country_name(country, locale),
    )


def needs_residence_acknowledgement(nomination: Nomination) -> bool:
    """The mission must acknowledge that the nominee lives outside the host country.

    As the profile says now: whether the province confirmed it, or the nominee moved since.
    """
    return lives_elsewhere(nomination.person, nomination.country)
