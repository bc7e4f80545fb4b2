"""The inbox notices of accounts: their text, in the reader's language."""

from __future__ import annotations

from flask_babel import gettext as _

from directory.extensions import db
from directory.notices.services import notice_kind


def _link(params: dict):
    return "admin.user_edit", {"user_id": params["user_id"]}


@notice_kind("account.locked", link=_link)
def _locked(params: dict) -> str:
    from directory.accounts.models import User

    user_id = params.get("user_id")
    user = db.session.get(User, user_id) if isinstance(user_id, str) else None
    if user is None:
        return _("An account was locked after too many wrong passwords.")
    return _(
        "The account %(email)s was locked for a while after too many wrong passwords in a row.",
        email=user.email,
    )
