"""The one place needs, interests and shortlists change: HTML views and the JSON API call it.

Every function validates everything first, then writes, then commits once, with its audit
event; a refused change writes nothing. Mail goes out after the commit, so nobody hears of a
change that did not happen.
"""

from __future__ import annotations

import logging
from datetime import date

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from directory import audit, policy
from directory.core.errors import ApiError, ValidationError
from directory.core.models import isoformat, utcnow
from directory.extensions import db
from directory.needs.models import (
    AUDIENCES,
    NEED_TYPES,
    STATUSES,
    Need,
    NeedInterest,
    ShortlistEntry,
)
from directory.people.models import Person
from directory.reference.countries import resolve_country
from directory.reference.fields import field_index, resolve_field
from directory.reference.provinces import resolve_province, vietnam_today
from directory.text import clean_long_text, clean_text

log = logging.getLogger(__name__)

TITLE_MAX = 200
DESCRIPTION_MAX = 5000
MESSAGE_MAX = 1000
NOTE_MAX = 1000
MAX_FIELDS = 10
MAX_COUNTRIES = 20
MAX_MILESTONES = 20
WRITABLE = (
    "province",
    "title",
    "description",
    "type",
    "fields",
    "countries",
    "milestones",
    "deadline",
    "audience",
    "status",
)
READ_ONLY = ("id", "interest_count", "created_at", "updated_at")


class NeedError(ApiError):
    """A refused change (403 not this user's to make, 409 not in this state); nothing written."""


# --- reading ---------------------------------------------------------------------------------


def get_visible(need_id: str | None, user) -> Need | None:
    """The need if it exists and ``user`` may read it (ids the user may not see look missing)."""
    need = db.session.get(Need, need_id) if need_id and len(need_id) <= 16 else None
    if need is None or not policy.can(user, "need.view", need):
        return None
    return need


def needs_query(user, filters: dict | None = None) -> sa.Select:
    """The needs ``user`` may read, newest first, narrowed by ``filters`` (canonical values).

    ``filters``: ``field`` (code), ``country`` (ISO), ``province`` (slug), ``type``, ``status``.
    """
    from directory.policy.needs import need_view_clause

    filters = filters or {}
    query = sa.select(Need).where(need_view_clause(user))
    # Codes hold no quote: a quoted code inside the stored JSON list is that element.
    if filters.get("field"):
        query = query.where(sa.cast(Need.fields, sa.Text).like(f'%"{filters["field"]}"%'))
    if filters.get("country"):
        query = query.where(sa.cast(Need.countries, sa.Text).like(f'%"{filters["country"]}"%'))
    if filters.get("province"):
        query = query.where(Need.province_slug == filters["province"])
    if filters.get("type"):
        query = query.where(Need.type == filters["type"])
    if filters.get("status"):
        query = query.where(Need.status == filters["status"])
    return query.order_by(Need.created_at.desc(), Need.id)


def interest_counts(need_ids) -> dict[str, int]:
    """need id -> number of members who expressed interest."""
    ids = list(need_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(NeedInterest.need_id, sa.func.count(NeedInterest.id))
        .where(NeedInterest.need_id.in_(ids))
        .group_by(NeedInterest.need_id)
    ).all()
    return {need_id: count for need_id, count in rows}


def interest_of(need: Need, user) -> NeedInterest | None:
    """The interest ``user``'s profile expressed in ``need``, if any."""
    person_id = getattr(user, "person_id", None)
    if person_id is None:
        return None
    return db.session.scalar(
        sa.select(NeedInterest).where(
            NeedInterest.need_id == need.id, NeedInterest.person_id == person_id
        )
    )


def shortlisted_ids(need: Need) -> set[str]:
    return set(
        db.session.scalars(
            sa.select(ShortlistEntry.person_id).where(ShortlistEntry.need_id == need.id)
        )
    )


def interested_ids(need: Need) -> set[str]:
    return set(
        db.session.scalars(sa.select(NeedInterest.person_id).where(NeedInterest.need_id == need.id))
    )


def need_to_dict(need: Need, count: int | None = None) -> dict:
    """The contract's JSON shape of a need."""
    if count is None:
        count = interest_counts([need.id]).get(need.id, 0)
    return {
        "id": need.id,
        "province": need.province_slug,
        "title": need.title,
        "description": need.description or "",
        "type": need.type,
        "fields": list(need.fields or []),
        "countries": list(need.countries or []),
        "milestones": [dict(m) for m in need.milestones or []],
        "deadline": isoformat(need.deadline),
        "audience": need.audience,
        "status": need.status,
        "interest_count": count,
        "created_at": isoformat(need.created_at),
        "updated_at": isoformat(need.updated_at),
    }


# --- validating ------------------------------------------------------------------------------


def _date(value, errors: dict, key: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        errors[key] = _("Enter a date as YYYY-MM-DD.")
        return None


def _list(value, errors: dict, key: str, limit: int) -> list | None:
    if value is None:
        return []
    if isinstance(value, str):
        value = [v for v in value.replace(";", ",").split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors[key] = _("Enter a list of texts.")
        return None
    if len(value) > limit:
        errors[key] = _("At most %(n)s values.", n=limit)
        return None
    return value


def _fields(value, errors: dict) -> list[str]:
    items = _list(value, errors, "fields", MAX_FIELDS)
    if items is None:
        return []
    index = field_index()
    codes: list[str] = []
    for item in items:
        code = resolve_field(item, index)
        if code is None:
            errors["fields"] = _("Unknown field: %(value)s", value=clean_text(item)[:60])
            return []
        if code not in codes:
            codes.append(code)
    if not codes:
        errors["fields"] = _("Choose at least one field.")
    return codes


def _countries(value, errors: dict) -> list[str]:
    items = _list(value, errors, "countries", MAX_COUNTRIES)
    if items is None:
        return []
    codes: list[str] = []
    for item in items:
        code = resolve_country(clean_text(item)[:100])
        if code is None:
            errors["countries"] = _("Unknown country: %(value)s", value=clean_text(item)[:60])
            return []
        if code not in codes:
            codes.append(code)
    return codes


def _milestones(value, errors: dict) -> list[dict]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_MILESTONES:
        errors["milestones"] = _(
            "Enter at most %(n)s milestones, each with a title and a due date.", n=MAX_MILESTONES
        )
        return []
    out: list[dict] = []
    for item in value:
        if not isinstance(item, dict) or set(item) - {"title", "due"}:
            errors["milestones"] = _("Each milestone has a title and a due date (YYYY-MM-DD).")
            return []
        title = clean_text(item.get("title") or "") if isinstance(item.get("title"), str) else ""
        due = _date(item.get("due"), errors, "milestones") if item.get("due") else None
        if "milestones" in errors:
            return []
        if not title or len(title) > TITLE_MAX or due is None:
            errors["milestones"] = _("Each milestone has a title and a due date (YYYY-MM-DD).")
            return []
        out.append({"title": title, "due": due.isoformat()})
    return sorted(out, key=lambda m: m["due"])


def _choice(value, choices, errors: dict, key: str) -> str | None:
    if not isinstance(value, str) or value.strip() not in choices:
        errors[key] = _("Choose one of: %(choices)s.", choices=", ".join(choices))
        return None
    return value.strip()


def _text(value, errors: dict, key: str, limit: int, *, long: bool = False) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        errors[key] = _("Enter text.")
        return ""
    text = clean_long_text(value) if long else clean_text(value)
    if len(text) > limit:
        errors[key] = _("At most %(n)s characters.", n=limit)
    return text


def normalize_need_input(data: dict, *, need: Need | None, by) -> dict:
    """Checked, canonical values for the keys given (all required ones for a new need).

    Raises ValidationError naming each bad key; nothing is written.
    """
    errors: dict[str, str] = {}
    for key in data:
        if key in READ_ONLY:
            errors[key] = _("This field is read-only.")
        elif key not in WRITABLE:
            errors[str(key)[:100]] = _("Unknown field.")
    creating = need is None
    values: dict = {}
    if "title" in data or creating:
        title = _text(data.get("title"), errors, "title", TITLE_MAX)
        if not title and "title" not in errors:
            errors["title"] = _("Enter a title.")
        values["title"] = title
    if "description" in data:
        values["description"] = _text(
            data.get("description"), errors, "description", DESCRIPTION_MAX, long=True
        )
    if "type" in data or creating:
        values["type"] = _choice(data.get("type"), NEED_TYPES, errors, "type")
    if "fields" in data or creating:
        values["fields"] = _fields(data.get("fields"), errors)
    if "countries" in data:
        values["countries"] = _countries(data.get("countries"), errors)
    if "milestones" in data:
        values["milestones"] = _milestones(data.get("milestones"), errors)
    if "audience" in data:
        values["audience"] = _choice(data.get("audience"), AUDIENCES, errors, "audience")
    if "status" in data:
        values["status"] = _choice(data.get("status"), STATUSES, errors, "status")
        if creating and values["status"] == "closed":
            errors["status"] = _("A new need is open or in progress.")
    if "deadline" in data:
        deadline = _date(data.get("deadline"), errors, "deadline")
        changed = need is None or deadline != need.deadline
        if deadline is not None and changed and deadline < vietnam_today():
            errors["deadline"] = _("The deadline cannot be in the past.")
        values["deadline"] = deadline
    if "province" in data or creating:
        values["province_slug"] = _province(data.get("province"), by, errors, creating=creating)
    if errors:
        raise ValidationError(errors, _("Some values are not valid."))
    return values


def _province(value, by, errors: dict, *, creating: bool) -> str | None:
    own = getattr(by, "province_slug", None) if policy.role(by) == "province" else None
    if value is None or (isinstance(value, str) and not value.strip()):
        if own is None:
            errors["province"] = _("Choose the province.")
        return own
    slug = resolve_province(value[:120]) if isinstance(value, str) else None
    if slug is None:
        errors["province"] = _("Unknown province.")
        return None
    if not creating:
        errors["province"] = _("A need stays with the province that published it.")
        return None
    if not policy.is_admin(by) and slug != own:
        errors["province"] = _("You publish needs for your own province only.")
        return None
    return slug


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
    text = _text(message, errors, "message", MESSAGE_MAX, long=True)
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
    db.session.commit()
    notify_interest(need, interest)
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


def notify_interest(need: Need, interest: NeedInterest) -> int:
    """Email the officers of the need's province, each in their language; returns how many.

    A mail failure is logged and never undoes the interest.
    """
    from directory.core.mail import send_mail
    from directory.core.templating import province_name

    base = current_app.config["BASE_URL"].rstrip("/")
    adapter = current_app.url_map.bind("localhost", url_scheme="http")
    url = base + adapter.build("needs.detail", {"need_id": need.id})
    sent = 0
    for officer in _province_officers(need.province_slug):
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
    text = _text(note, errors, "note", NOTE_MAX, long=True)
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
