"""Writing and reading notices; the kinds of notice and the inbox's sections.

A domain declares each kind of notice it sends with :func:`notice_kind` (the function writes
its text from the stored parameters, in the language current when it is called: the
recipient's, on their inbox page) and sends one with :func:`notify`, inside the transaction of
the step it reports. Domains whose work waits for a user add a section to the inbox with
:func:`inbox_section`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from werkzeug.routing import BuildError

from directory import policy
from directory.core.models import utcnow
from directory.core.templating import nav_counter
from directory.extensions import db
from directory.notices.models import Notice


@dataclass(frozen=True)
class NoticeKind:
    """How a kind of notice reads (``text(params)``) and where it points (``link(params)``)."""

    text: Callable[[dict], str]
    link: Callable[[dict], tuple[str, dict] | None] | None = None


_KINDS: dict[str, NoticeKind] = {}

# (template, loader(user) -> context dict or None when the section has nothing to show)
_SECTIONS: list[tuple[str, Callable]] = []


def notice_kind(kind: str, *, link: Callable[[dict], tuple[str, dict] | None] | None = None):
    """Declare the kind ``kind``: the decorated ``text(params) -> str`` writes its text."""

    def decorator(text: Callable[[dict], str]) -> Callable[[dict], str]:
        if kind in _KINDS:
            raise RuntimeError(f"notice kind {kind!r} declared twice")
        _KINDS[kind] = NoticeKind(text=text, link=link)
        return text

    return decorator


def kinds() -> list[str]:
    """Every declared kind (for tests)."""
    return sorted(_KINDS)


def notify(user, kind: str, **params) -> Notice | None:
    """Add a notice for ``user`` to the current transaction (None when there is nobody to tell).

    ``params`` are stored as JSON: ids and codes, not personal data (the text is written from
    the records when the notice is shown, so it follows their current state and wording).
    """
    if kind not in _KINDS:
        raise RuntimeError(f"unknown notice kind {kind!r}")
    if user is None:
        return None
    link = _KINDS[kind].link(params) if _KINDS[kind].link is not None else None
    notice = Notice(
        user_id=user.id,
        kind=kind,
        params=params,
        endpoint=link[0] if link else None,
        endpoint_args=link[1] if link else {},
        created_at=utcnow(),
    )
    db.session.add(notice)
    return notice


def text_of(notice: Notice) -> str:
    """The notice's text in the current language."""
    kind = _KINDS.get(notice.kind)
    if kind is None:
        return _("Something changed that concerns you.")
    return kind.text(dict(notice.params or {}))


def url_of(notice: Notice) -> str | None:
    """The page the notice points to, if any (None when that page no longer exists)."""
    if not notice.endpoint:
        return None
    try:
        return url_for(notice.endpoint, **(notice.endpoint_args or {}))
    except BuildError:
        return None


def notices_of(user) -> sa.Select:
    """The notices of ``user``, unread first, then newest first (to be paged)."""
    return (
        sa.select(Notice)
        .where(Notice.user_id == user.id)
        .order_by(Notice.read_at.is_not(None), Notice.created_at.desc(), Notice.id)
    )


@nav_counter("notices")
def unread_count(user) -> int:
    """How many notices ``user`` has not read (added to the inbox badge)."""
    return (
        db.session.scalar(
            sa.select(sa.func.count(Notice.id)).where(
                Notice.user_id == user.id, Notice.read_at.is_(None)
            )
        )
        or 0
    )


def get_own(notice_id: str, user) -> Notice | None:
    """The notice if it exists and belongs to ``user``."""
    notice = db.session.get(Notice, notice_id) if notice_id and len(notice_id) <= 16 else None
    if notice is None or not policy.can(user, "notice.read", notice):
        return None
    return notice


def mark_read(notice: Notice, by) -> Notice:
    """Mark one notice read (once: the first reading time is kept)."""
    policy.require(by, "notice.read", notice)
    if notice.read_at is None:
        notice.read_at = utcnow()
        db.session.commit()
    return notice


def mark_all_read(user) -> int:
    """Mark every unread notice of ``user`` read; returns how many."""
    result = db.session.execute(
        sa.update(Notice)
        .where(Notice.user_id == user.id, Notice.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount or 0


def inbox_section(template: str):
    """Add a section to the inbox: ``loader(user)`` returns the template's context, or None."""

    def decorator(loader: Callable) -> Callable:
        _SECTIONS.append((template, loader))
        return loader

    return decorator


def inbox_sections(user) -> list[tuple[str, dict]]:
    """[(template, context)] of the sections that have something for ``user``."""
    found = []
    for template, loader in _SECTIONS:
        context = loader(user)
        if context:
            found.append((template, context))
    return found
