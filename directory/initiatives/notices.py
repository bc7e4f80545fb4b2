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


@notice_kind("initiative.overdue", link=_link)
def _overdue(params: dict) -> str:
    title = _title(params)
    if title is None:
        return _("An initiative you handle is overdue: its answer is late.")
    return _("The initiative “%(title)s” is overdue: its answer is late.", title=title)
