"""The inbox notices of initiatives: their text, written in the reader's language."""

from __future__ import annotations

from flask_babel import gettext as _

from directory.extensions import db
from directory.notices.services import notice_kind


def _link(params: dict):
    return "initiatives.detail", {"initiative_id": params["initiative_id"]}


def _title(params: dict) -> str | None:
    from directory.initiatives.models import Initiative

    initiative_id = params.get("initiative_id")
    initiative = (
        db.session.get(Initiative, initiative_id) if isinstance(initiative_id, str) else None
    )
    return initiative.title if initiative is not None else None


@notice_kind("initiative.answered", link=_link)
def _answered(params: dict) -> str:
    title = _title(params)
    if title is None:
        return _("One of your initiatives was answered.")
    return _("Your initiative “%(title)s” was answered.", title=title)


@notice_kind("initiative.adopted", link=_link)
def _adopted(params: dict) -> str:
    title = _title(params)
    if title is None:
        return _("One of your initiatives was adopted.")
    return _("Your initiative “%(title)s” was adopted.", title=title)


@notice_kind("initiative.declined", link=_link)
def _declined(params: dict) -> str:
    title = _title(params)
    if title is None:
        return _("A decision was taken on one of your initiatives.")
    return _(
        "A decision was taken on your initiative “%(title)s”: it is not taken further.", title=title
    )


# --- to the officials ---------------------------------------------------------------------------


def _due(params: dict) -> str | None:
    from flask_babel import format_date

    from directory.initiatives.models import Initiative

    initiative_id = params.get("initiative_id")
    initiative = (
        db.session.get(Initiative, initiative_id) if isinstance(initiative_id, str) else None
    )
    return format_date(initiative.due_on) if initiative is not None else None


@notice_kind("initiative.received", link=_link)
def _received(params: dict) -> str:
    title, due = _title(params), _due(params)
    if title is None:
        return _("A new initiative was received.")
    return _("New initiative to triage: “%(title)s” (answer due %(due)s).", title=title, due=due)


@notice_kind("initiative.forwarded", link=_link)
def _forwarded(params: dict) -> str:
    title, due = _title(params), _due(params)
    if title is None:
        return _("An initiative was forwarded to you.")
    return _(
        "An initiative was forwarded to your province: “%(title)s” (answer due %(due)s).",
        title=title,
        due=due,
    )


@notice_kind("initiative.assigned", link=_link)
def _assigned(params: dict) -> str:
    title, due = _title(params), _due(params)
    if title is None:
        return _("An initiative was assigned to you.")
    return _(
        "The initiative “%(title)s” was assigned to you (answer due %(due)s).",
        title=title,
        due=due,
    )


@notice_kind("initiative.overdue", link=_link)
def _overdue(params: dict) -> str:
    title = _title(params)
    if title is None:
        return _("An initiative you handle is overdue: its answer is late.")
    return _("The initiative “%(title)s” is overdue: its answer is late.", title=title)
