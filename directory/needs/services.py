"""The one place needs, interests and shortlists change: HTML views and the JSON API call it.

Every function validates everything first, then writes, then commits once, with its audit
event; a refused change writes nothing. Mail goes out after the commit, so nobody hears of a
change that did not happen.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from directory import audit, policy
from directory.core.errors import ApiError, ValidationError
from directory.core.models import utcnow
from directory.extensions import db
from directory.needs.inputs import (
    MESSAGE_MAX,
    NOTE_MAX,
    checked_text,
    normalize_need_input,
)
from directory.needs.models import (
    Need,
    NeedInterest,
    ShortlistEntry,
)
from directory.needs.queries import (
    interest_of,
)
from directory.notices.services import notify
from directory.people.models import Person

log = logging.getLogger(__name__)


class NeedError(ApiError):
    """A refused change (403 not this user's to make, 409 not in this state); nothing written."""


# --- writing needs ---------------------------------------------------------------------------


def create_need(data: dict, by) -> Need:
    """Publish a need for the caller's province (any province for the admin)."""
    if not policy.can(by, "need.create"):
        raise NeedError(403, "forbidden", _("You are not allowed to do this."))
    values = normalize_need_input(data, need=None, by=by)
    need = Need(
        created_by_id=by.id,
        description=values.pop("description", ""),
        countries=values.pop("countries", []),
        milestones=values.pop("milestones", []),
        audience=values.pop("audience", None) or "officials",
        status=values.pop("status", None) or "open",
        **values,
    )
    db.session.add(need)
    db.session.flush()
    audit.record(
        "need.create",
        need,
        actor=by,
        details={"province": need.province_slug, "audience": need.audience},
    )
    db.session.commit()
    return need


def update_need(need: Need, data: dict, by) -> Need:
    """Change the keys given. A closed need is read-only until its approver reopens it."""
    if not (policy.can(by, "need.edit", need) or policy.can(by, "need.close", need)):
        raise NeedError(403, "forbidden", _("You are not allowed to do this."))
    values = normalize_need_input(data, need=need, by=by)
    new_status = values.get("status", need.status)
    if need.status == "closed":
        if not policy.can(by, "need.close", need):
            raise NeedError(403, "forbidden", _("You are not allowed to do this."))
        if new_status == "closed":
            raise NeedError(409, "closed", _("This need is closed. Reopen it first to change it."))
    elif not policy.can(by, "need.edit", need):
        raise NeedError(403, "forbidden", _("You are not allowed to do this."))
    if (
        new_status == "closed"
        and need.status != "closed"
        and not policy.can(by, "need.close", need)
    ):
        raise NeedError(403, "forbidden", _("Only the province's approver may close a need."))
    changed = sorted(k for k, v in values.items() if getattr(need, k) != v)
    for key in changed:
        setattr(need, key, values[key])
    if not changed:
        return need
    action = "need.update"
    if "status" in changed and new_status == "closed":
        action, need.closed_at = "need.close", utcnow()
    elif "status" in changed and need.closed_at is not None:
        action, need.closed_at = "need.reopen", None
    audit.record(action, need, actor=by, details={"changed": changed})
    db.session.commit()
    return need


# --- interest --------------------------------------------------------------------------------


def express_interest(need: Need, user, message: str | None) -> NeedInterest:
    """A member's interest in ``need`` (once per need), then an email to the province's officers."""
    if not policy.can(user, "need.interest", need):
        raise NeedError(403, "forbidden", _("Only members with a profile can express interest."))
    errors: dict[str, str] = {}
    text = checked_text(message, errors, "message", MESSAGE_MAX, long=True)
    if errors:
        raise ValidationError(errors, _("Some values are not valid."))
    if need.status == "closed":
        raise NeedError(409, "closed", _("This need is closed."))
    if interest_of(need, user) is not None:
        raise NeedError(
            409, "already_interested", _("You have already expressed interest in this need.")
        )
    interest = NeedInterest(need_id=need.id, person_id=user.person_id, message=text)
    db.session.add(interest)
    try:
        db.session.flush()
    except sa.exc.IntegrityError:  # the same member, twice at once
        db.session.rollback()
        raise NeedError(
            409, "already_interested", _("You have already expressed interest in this need.")
        ) from None
    audit.record("need.interest", need, actor=user, details={"person_id": user.person_id})
    officers = _province_officers(need.province_slug)
    for officer in officers:  # in the interest's transaction: no notice of what did not happen
        notify(officer, "need.interest", need_id=need.id, person_id=user.person_id)
    db.session.commit()
    notify_interest(need, interest, officers)
    return interest


def withdraw_interest(need: Need, user) -> None:
    """The member takes their interest back."""
    if not policy.can(user, "need.interest", need):
        raise NeedError(403, "forbidden", _("Only members with a profile can express interest."))
    interest = interest_of(need, user)
    if interest is None:
        raise NeedError(409, "not_interested", _("You have not expressed interest in this need."))
    db.session.delete(interest)
    audit.record("need.interest_withdraw", need, actor=user, details={"person_id": user.person_id})
    db.session.commit()


def _province_officers(province_slug: str) -> list:
    from directory.accounts.models import User

    return list(
        db.session.scalars(
            sa.select(User)
            .where(
                User.role == "province",
                User.province_slug == province_slug,
                User.is_active_flag.is_(True),
            )
            .order_by(User.email)
        )
    )


def notify_interest(need: Need, interest: NeedInterest, officers: list | None = None) -> int:
    """Tell the officers of the need's province: their inbox notice (``need.interest``) is
    written with the interest, in its transaction (:func:`express_interest`); this sends the
    email, after the commit, each in their language; returns how many were sent.

    A mail failure is logged and never undoes the interest.
    """
    from directory.core.mail import send_mail
    from directory.core.templating import province_name

    base = current_app.config["BASE_URL"].rstrip("/")
    adapter = current_app.url_map.bind("localhost", url_scheme="http")
    url = base + adapter.build("needs.detail", {"need_id": need.id})
    sent = 0
    for officer in officers if officers is not None else _province_officers(need.province_slug):
        locale = officer.locale if officer.locale in ("vi", "en") else "vi"
        try:
            with force_locale(locale):
                province = province_name(need.province_slug)
            send_mail(
                officer.email,
                "needs/email/interest",
                locale,
                need=need,
                interest=interest,
                person_name=interest.person.full_name,
                province_label=province,
                url=url,
            )
        except Exception:  # noqa: BLE001 - the interest stands; the need page shows it
            log.exception("could not tell %s about interest in need %s", officer.id, need.id)
            continue
        sent += 1
    return sent


# --- shortlist -------------------------------------------------------------------------------


def _require_work(need: Need, by) -> None:
    if not policy.can(by, "need.work", need):
        raise NeedError(403, "forbidden", _("You are not allowed to do this."))


def _candidate(person_id, by) -> Person:
    """A person the official may shortlist: visible to them and consenting to be contacted."""
    person = (
        db.session.get(Person, person_id)
        if isinstance(person_id, str) and 0 < len(person_id) <= 16
        else None
    )
    if person is None or not policy.can(by, "person.view", person):
        raise ValidationError(
            {"person_id": _("This person does not exist, or you may not see them.")},
            _("Some values are not valid."),
        )
    if not person.consent_contact:
        raise ValidationError(
            {"person_id": _("This person has not agreed to be contacted by officials.")},
            _("Some values are not valid."),
        )
    return person


def add_to_shortlist(need: Need, person_id, note, by) -> tuple[ShortlistEntry, bool]:
    """Shortlist a candidate with a note (again: the note is replaced). Returns (entry, created)."""
    _require_work(need, by)
    errors: dict[str, str] = {}
    text = checked_text(note, errors, "note", NOTE_MAX, long=True)
    if errors:
        raise ValidationError(errors, _("Some values are not valid."))
    person = _candidate(person_id, by)
    entry = db.session.scalar(
        sa.select(ShortlistEntry).where(
            ShortlistEntry.need_id == need.id, ShortlistEntry.person_id == person.id
        )
    )
    created = entry is None
    if created:
        entry = ShortlistEntry(need_id=need.id, person_id=person.id, note=text, added_by_id=by.id)
        db.session.add(entry)
        try:
            db.session.flush()
        except sa.exc.IntegrityError:  # two officers at once: the other one's entry stands
            db.session.rollback()
            raise NeedError(
                409, "changed_meanwhile", _("This candidate was shortlisted meanwhile; reload.")
            ) from None
    elif entry.note == text:
        return entry, False
    else:
        entry.note = text
    audit.record(
        "need.shortlist_add" if created else "need.shortlist_note",
        need,
        actor=by,
        details={"person_id": person.id},
    )
    db.session.commit()
    return entry, created


def remove_from_shortlist(need: Need, person_id, by) -> None:
    """Take a candidate off the shortlist."""
    _require_work(need, by)
    entry = (
        db.session.scalar(
            sa.select(ShortlistEntry).where(
                ShortlistEntry.need_id == need.id, ShortlistEntry.person_id == person_id
            )
        )
        if isinstance(person_id, str) and len(person_id) <= 16
        else None
    )
    if entry is None:
        raise NeedError(404, "not_found", _("This person is not on the shortlist."))
    db.session.delete(entry)
    audit.record("need.shortlist_remove", need, actor=by, details={"person_id": person_id})
    db.session.commit()


def shortlist(need: Need) -> list[ShortlistEntry]:
    return list(
        db.session.scalars(
            sa.select(ShortlistEntry)
            .where(ShortlistEntry.need_id == need.id)
            .order_by(ShortlistEntry.created_at, ShortlistEntry.id)
        )
    )


def export_shortlist_csv(need: Need, by, locale: str) -> bytes:
    """The shortlist as CSV (UTF-8 with BOM), with what the official may see; audited."""
    from directory.core.templating import field_label
    from directory.imports.exports import to_csv
    from directory.reference.countries import country_name

    _require_work(need, by)
    entries = shortlist(need)
    with force_locale(locale):
        header = [
            _("Name"),
            _("Country"),
            _("City"),
            _("Fields"),
            _("Organisation"),
            _("Note"),
            _("Added on"),
        ]
        rows = []
        for entry in entries:
            person = entry.person
            groups = policy.visible_groups(by, person)
            profile = "profile" in groups
            rows.append(
                [
                    person.full_name if groups else "",
                    country_name(person.country, locale) if groups else "",
                    (person.city or "") if profile else "",
                    "; ".join(field_label(code) for code in person.fields or []) if groups else "",
                    (person.organization or "") if profile else "",
                    entry.note or "",
                    entry.created_at.date().isoformat(),
                ]
            )
    audit.record("need.shortlist_export", need, actor=by, details={"rows": len(rows)})
    db.session.commit()
    return to_csv(header, rows)
