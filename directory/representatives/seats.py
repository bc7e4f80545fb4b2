"""The seat (province, country, region): one holder and one nomination on its way at a time.

See ``docs/product-rules.md`` ("Representative nominations").
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from flask_babel import format_date
from flask_babel import gettext as _

from directory.extensions import db
from directory.i18n import current_locale
from directory.reference.countries import country_name
from directory.reference.provinces import province_by_slug
from directory.representatives.models import Nomination
from directory.representatives.refusals import WorkflowError
from directory.representatives.states import state_label
from search_index.normalize import fold_words


def province_label(slug: str) -> str:
    province = province_by_slug(slug)
    if province is None:
        return slug
    return province.name_en if current_locale() == "en" else province.name_vi


def seat_key(region: str | None) -> str:
    """The region as seats compare it: case, accents, punctuation and spacing ignored."""
    return " ".join(fold_words(region))


def seat_label(nomination: Nomination) -> str:
    """ "Đà Nẵng · Pháp · Lyon": the seat in the current language (as the pages show it)."""
    parts = [
        province_label(nomination.province_slug),
        country_name(nomination.country, current_locale()),
    ]
    if nomination.region:
        parts.append(nomination.region)
    return " · ".join(parts)


def seat_nominations(
    province: str, country: str, region: str | None, states, exclude_id: str | None = None
) -> list[Nomination]:
    """The nominations of that seat in ``states`` (as committed now), oldest first."""
    key = seat_key(region)
    rows = db.session.scalars(
        sa.select(Nomination)
        .where(
            Nomination.province_slug == province,
            Nomination.country == country,
            Nomination.state.in_(states),
        )
        .order_by(Nomination.created_at, Nomination.id)
        .execution_options(populate_existing=True)
    ).all()
    return [n for n in rows if n.id != exclude_id and seat_key(n.region) == key]


def stored_region(province: str, country: str, region: str) -> str:
    """``region`` as its seat already spells it (so that the unique index sees one seat)."""
    key = seat_key(region)
    if not key:
        return ""
    for existing in db.session.scalars(
        sa.select(Nomination.region)
        .where(Nomination.province_slug == province, Nomination.country == country)
        .distinct()
    ):
        if existing and seat_key(existing) == key:
            return existing
    return region


def end_label(nomination: Nomination) -> str:
    return format_date(nomination.term_end, "medium") if nomination.term_end else "…"


def holder_conflict(holder: Nomination, person_id: str | None) -> WorkflowError:
    """The seat is held: by this very person (no renewal before the end yet), or another.

    ``person_id`` None: whoever it is, the seat is taken (what an approval is told).
    """
    values = {
        "name": holder.person.full_name,
        "seat": seat_label(holder),
        "end": end_label(holder),
    }
    if holder.person_id == person_id:
        message = _(
            "%(name)s already holds this seat (%(seat)s) until %(end)s. Renewing before the "
            "term ends is not offered yet: nominate them again once the term has ended.",
            **values,
        )
        return WorkflowError(409, "already_holder", message, {"person_id": message})
    message = _(
        "%(name)s already represents the province for this seat (%(seat)s) until %(end)s. "
        "Another representative can take the seat only once that appointment has ended.",
        **values,
    )
    return WorkflowError(409, "seat_taken", message, {"country": message})


def rival_conflict(rival: Nomination, person_id: str) -> WorkflowError:
    """Another nomination of the seat is on its way (or is a draft of the province)."""
    values = {
        "name": rival.person.full_name,
        "seat": seat_label(rival),
        "state": state_label(rival.state),
    }
    if rival.person_id == person_id:
        message = _(
            "%(name)s is already nominated for this seat (%(seat)s); that nomination is %(state)s.",
            **values,
        )
        return WorkflowError(409, "duplicate", message, {"country": message})
    message = _(
        "%(name)s is already nominated for this seat (%(seat)s); that nomination is %(state)s. "
        "Withdraw it, or wait for its outcome, before nominating someone else.",
        **values,
    )
    return WorkflowError(409, "seat_pending", message, {"country": message})


def seat_holder(province: str, country: str, region: str, exclude_id: str) -> Nomination | None:
    holders = seat_nominations(province, country, region, ("active",), exclude_id=exclude_id)
    return holders[0] if holders else None


def seat_conflict(nomination: Nomination, rival_states) -> WorkflowError | None:
    """Why ``nomination`` may not go on: the seat's active holder, else a rival in ``rival_states``."""
    seat = (nomination.province_slug, nomination.country, nomination.region)
    holder = seat_holder(*seat, exclude_id=nomination.id)
    if holder is not None:
        return holder_conflict(holder, nomination.person_id)
    rivals = seat_nominations(*seat, rival_states, exclude_id=nomination.id)
    if rivals:
        return rival_conflict(rivals[0], nomination.person_id)
    return None


def guard_seat(province: str, country: str, region: str) -> None:
    """PostgreSQL: one creation per seat at a time (a transaction-scoped advisory lock).

    SQLite needs nothing: the new row's insert takes the database's write lock, and the
    checks made after it see every nomination committed before.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return
    digest = hashlib.blake2b(f"{province}|{country}|{seat_key(region)}".encode(), digest_size=8)
    key = int.from_bytes(digest.digest(), "big", signed=True)
    db.session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
