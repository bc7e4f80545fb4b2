"""Who may see and change people's profiles."""

from __future__ import annotations

from directory.policy.core import (  # noqa: F401
    LEVEL_ORDER,
    can,
    is_admin,
    is_official,
    is_registering_mission,
    mission_covers,
    owns_person,
    role,
    rule,
)

# --- people ---------------------------------------------------------------------------


@rule("person.view")
def _person_view(user, person) -> bool:
    if person is None or person.anonymised_at is not None:
        return is_admin(user)
    if user is not None and (is_official(user) or owns_person(user, person)):
        return True
    return bool(person.consent_listed)


@rule("person.register")
def _person_register(user, person) -> bool:
    if is_admin(user):
        return True
    if role(user) != "embassy":
        return False
    return person is None or mission_covers(user, person.country)


@rule("person.edit")
def _person_edit(user, person) -> bool:
    if person is None or person.anonymised_at is not None:
        return False
    if is_admin(user) or owns_person(user, person):
        return True
    # Once claimed, the profile is the member's own: officials no longer edit it.
    return mission_covers(user, person.country) and person.user is None


@rule("person.verify")
def _person_verify(user, person) -> bool:
    return (
        person is not None
        and person.anonymised_at is None
        and (mission_covers(user, person.country) or is_admin(user))
    )


@rule("person.invite")
def _person_invite(user, person) -> bool:
    return (
        person is not None
        and person.user is None
        and person.anonymised_at is None
        and (mission_covers(user, person.country) or is_admin(user))
    )


@rule("person.manage_own")
def _person_manage_own(user, person) -> bool:
    """Consent, visibility, data download and account deletion: the member alone."""
    return owns_person(user, person)


# --- consent and visibility ------------------------------------------------------------
#
# Consent comes from the person. The member gives or withdraws it in the directory; before the
# profile is claimed, an official who may edit it records consent the person gave elsewhere,
# only with evidence (source and date), and may record a refusal or a withdrawal. Making a
# group of fields public is the member's choice alone; officials may only narrow visibility
# (up to "officials") of an unclaimed profile. Once claimed, only the member changes any of it.


def _official_on_unclaimed(user, person) -> bool:
    return (
        person is not None
        and is_official(user)
        and person.user is None
        and person.anonymised_at is None
        and can(user, "person.edit", person)
    )


@rule("person.consent_give")
def _person_consent_give(user, person) -> bool:
    """Give consent online, in the directory: the member alone."""
    return owns_person(user, person)


@rule("person.consent_record")
def _person_consent_record(user, person) -> bool:
    """Record consent given on paper, by email, in person or on a form (with evidence)."""
    return _official_on_unclaimed(user, person)


@rule("person.consent_withdraw")
def _person_consent_withdraw(user, person) -> bool:
    """Record that consent is refused or withdrawn."""
    return owns_person(user, person) or _official_on_unclaimed(user, person)


@rule("person.visibility_public")
def _person_visibility_public(user, person) -> bool:
    """Make a group of fields public: the member alone."""
    return owns_person(user, person)


@rule("person.visibility_limit")
def _person_visibility_limit(user, person) -> bool:
    """Set a group of fields to "officials" or "private"."""
    return owns_person(user, person) or _official_on_unclaimed(user, person)


def consent_decision(user, person, granted: bool) -> str | None:
    """How ``user`` may set one consent of ``person`` to ``granted``.

    ``"member"``: the member's own decision, recorded as given online; ``"evidence"``: an
    official records consent given elsewhere, which needs its source and date; ``"official"``:
    an official records a refusal or a withdrawal; None: not allowed.
    """
    if can(user, "person.consent_give", person):
        return "member"
    if granted:
        return "evidence" if can(user, "person.consent_record", person) else None
    return "official" if can(user, "person.consent_withdraw", person) else None


def visibility_allowed(user, person, level: str, current: str | None = None) -> bool:
    """May ``user`` set a visibility group of ``person`` (now ``current``) to ``level``?"""
    if level == current:
        return True
    if level == "public":
        return can(user, "person.visibility_public", person)
    return can(user, "person.visibility_limit", person)


@rule("person.export")
def _person_export(user, person) -> bool:
    return owns_person(user, person) or is_admin(user)


@rule("person.delete")
def _person_delete(user, person) -> bool:
    return owns_person(user, person) or is_admin(user)


@rule("person.mine")
def _person_mine(user, _obj) -> bool:
    """The member's own profile page (the navigation's "My profile"): a member with a profile."""
    return role(user) == "member" and user.person_id is not None


def acts_as_official(user, person) -> bool:
    """``user`` acts on ``person`` as an official, not as its member: what such a user changes,
    and the contact details they are shown that the member did not make public, are audited."""
    return is_official(user) and not owns_person(user, person)


@rule("person.create_own")
def _person_create_own(user, _obj) -> bool:
    return role(user) == "member" and user.person_id is None and user.email_verified_at is not None


# The viewers a member may preview their own profile as ("view as the public", "as an
# official"): the same rules decide, applied to a stand-in viewer.
PREVIEW_AS = ("public", "official")


def preview_viewer(kind: str):
    """A stand-in viewer for a profile preview: None (an anonymous visitor) for "public"; for
    "official", an unsaved province officer of no particular province: an official who is
    neither an administrator nor the mission that registered the profile."""
    if kind == "public":
        return None
    if kind == "official":
        from directory.accounts.models import User

        return User(id="preview-official", role="province", is_active_flag=True)
    raise ValueError(kind)


def sees_every_profile(user) -> bool:
    """Whether ``user`` may see every profile that is not anonymised (an active official or the
    admin): then :func:`person_view_clause` keeps at least those, whatever their consent, and
    counts may be read from tables that know nothing of visibility (``person_field_tags``)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return is_admin(user) or is_official(user)


def person_view_clause(user):
    """The SQL twin of "person.view", for listing what ``user`` may see (kept in step by tests)."""
    import sqlalchemy as sa

    from directory.people.models import Person

    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    if user is not None and not user.is_active:
        return sa.false()
    if is_admin(user):
        return sa.true()
    visible = Person.anonymised_at.is_(None)
    if sees_every_profile(user):
        return visible
    if user is not None and user.person_id is not None:
        return visible & (Person.consent_listed.is_(True) | (Person.id == user.person_id))
    return visible & Person.consent_listed.is_(True)


@rule("person.privacy_settings_view")
def _person_privacy_settings_view(user, person) -> bool:
    """Consent and visibility settings are shown to the member and the admin."""
    return owns_person(user, person) or is_admin(user)


@rule("person.claim_status_view")
def _person_claim_status_view(user, _person) -> bool:
    """Whether a profile is claimed yet is officials' working information."""
    return is_official(user)


@rule("person.appointments_history")
def _person_appointments_history(user, person) -> bool:
    """Ended appointments are listed for officials and the member; others see active ones."""
    return is_official(user) or owns_person(user, person)


@rule("person.verification_changes_view")
def _person_verification_changes_view(user, person) -> bool:
    """Which verified fields changed since the verification: officials and the member see it;
    others only see a verification that still holds (docs/product-rules.md)."""
    return is_official(user) or owns_person(user, person)


def search_reach(user) -> tuple[int, bool, str | None]:
    """How ``user`` searches everyone at once: (visibility level, listed only, own profile id).

    The level is :func:`viewer_level` for a profile that is neither theirs nor registered by
    their mission (the index holds no such relation); "listed only" mirrors
    :func:`person_view_clause`. The own profile id lets a member find their unlisted profile.
    """
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    if user is None or not user.is_active:
        return 0, True, None
    if is_admin(user):
        return 2, False, None
    if is_official(user):
        return 1, False, user.person_id
    return 0, True, user.person_id


@rule("person.mission_list")
def _person_mission_list(user, _obj) -> bool:
    """The list of people in a mission's countries: its officers (and the admin, for all)."""
    return is_admin(user) or (role(user) == "embassy" and user.mission is not None)
