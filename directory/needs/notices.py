"""The inbox notices of cooperation needs: their text, written in the reader's language."""

from __future__ import annotations

from flask_babel import gettext as _

from directory.extensions import db
from directory.notices.services import notice_kind


def _link(params: dict):
    return "needs.detail", {"need_id": params["need_id"]}


@notice_kind("need.interest", link=_link)
def _interest(params: dict) -> str:
    """To the officers of the need's province: a member expressed interest in it."""
    from directory.needs.models import Need
    from directory.people.models import Person

    need_id, person_id = params.get("need_id"), params.get("person_id")
    need = db.session.get(Need, need_id) if isinstance(need_id, str) else None
    person = db.session.get(Person, person_id) if isinstance(person_id, str) else None
    name = person.full_name if person is not None and person.anonymised_at is None else None
    if need is None:
        return _("A member expressed interest in one of your province's needs.")
    if name is None:
        return _("A member expressed interest in the need “%(title)s”.", title=need.title)
    return _("%(name)s expressed interest in the need “%(title)s”.", name=name, title=need.title)
