"""Reading ``page`` and ``per_page`` once for every list, HTML pages and the JSON API alike.

- HTML pages forgive: a missing, non-numeric or negative ``page`` (or 0) shows the first
  page, and a page past the end (``?page=99999999999999999999``) shows the last page.
  Their page size is fixed by the view; ``per_page`` is ignored.
- The JSON API is strict: a ``page`` or ``per_page`` that is not a whole number, or is outside
  its bounds, is a 400 naming the parameter (see :func:`api_args`); a page past the end of a
  collection is an empty page whose ``total`` tells how many items there are.

Either way the database never sees an offset it cannot hold, so no list answers a 500.
The search page and ``/api/v1/search`` validate their own (``directory.search.services``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from flask import request
from flask_babel import gettext as _

from directory.extensions import db

# The furthest page the JSON API serves (deeper pages cost the database more than they give).
MAX_PAGE = 10_000

_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")
# More digits than this is out of any bound; not converted, so no huge-integer work.
_MAX_DIGITS = 12


class InvalidPaging(ValueError):
    """``page`` or ``per_page`` cannot be used: ``fields`` maps each to a translated message."""

    def __init__(self, fields: dict[str, str]):
        super().__init__(fields)
        self.fields = fields


@dataclass
class Page:
    """One page of a list: its items, the total count, the page shown and the page count."""

    items: Sequence
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """How many pages the list has (at least one, so that "page 1 of 1" reads well)."""
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def _whole_number(raw) -> int | None:
    """``raw`` as an int when it is a plain whole number (ASCII digits, optional sign)."""
    if raw is None:
        return None
    text = str(raw).strip()
    if not _WHOLE_NUMBER.fullmatch(text):
        return None
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-").lstrip("0") or "0"
    if len(digits) > _MAX_DIGITS:
        return sign * 10**_MAX_DIGITS  # beyond every bound, in the right direction
    return sign * int(digits)


def clamp(raw, default: int, high: int) -> int:
    """A forgiving reading: ``default`` unless ``raw`` is a whole number, then within 1..high."""
    value = _whole_number(raw)
    if value is None or value < 1:
        return default
    return min(value, high)


def requested_page(args: Mapping | None = None) -> int:
    """The page an HTML list was asked for: 1 for anything unusable, at most :data:`MAX_PAGE`.

    Past the last page is dealt with by :func:`paginate` and :func:`fetch`, which know the total.
    """
    args = request.args if args is None else args
    return clamp(args.get("page"), 1, MAX_PAGE)


def api_args(
    args: Mapping | None = None, *, default_per_page: int = 20, max_per_page: int = 100
) -> tuple[int, int]:
    """``(page, per_page)`` for the JSON API, or :class:`InvalidPaging` naming each bad one."""
    args = request.args if args is None else args
    errors: dict[str, str] = {}
    values: dict[str, int] = {}
    for name, default, high in (
        ("page", 1, MAX_PAGE),
        ("per_page", default_per_page, max_per_page),
    ):
        raw = args.get(name)
        if raw is None:
            values[name] = default
            continue
        value = _whole_number(raw)
        if value is None:
            errors[name] = _("Must be a whole number.")
        elif not 1 <= value <= high:
            errors[name] = _("Must be between %(low)s and %(high)s.", low=1, high=high)
        else:
            values[name] = value
    if errors:
        raise InvalidPaging(errors)
    return values["page"], values["per_page"]


def _count(stmt: sa.Select) -> int:
    return (
        db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
        or 0
    )


def page_of(stmt: sa.Select, page: int, per_page: int) -> Page:
    """Exactly page ``page`` of the rows of ``stmt`` (past the end: no items, the total kept).

    For the JSON API and for services, whose callers have already checked ``page``.
    """
    total = _count(stmt)
    items = db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return Page(items=items, total=total, page=page, per_page=per_page)


def paginate(stmt: sa.Select, per_page: int, args: Mapping | None = None) -> Page:
    """One page of the rows of ``stmt`` for an HTML list (past the end: the last page)."""
    total = _count(stmt)
    page = min(requested_page(args), max(1, math.ceil(total / per_page)))
    items = db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return Page(items=items, total=total, page=page, per_page=per_page)


def fetch(
    load: Callable[[int], tuple[Sequence, int]], per_page: int, args: Mapping | None = None
) -> Page:
    """One page from ``load(page) -> (items, total)`` for an HTML list (past the end: the last).

    For lists built by a service that counts and pages itself.
    """
    page = requested_page(args)
    items, total = load(page)
    last = max(1, math.ceil((total or 0) / per_page))
    if page > last:
        page = last
        items, total = load(page)
    return Page(items=list(items), total=total or 0, page=page, per_page=per_page)
