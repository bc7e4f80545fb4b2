"""How Flask-Login finds the current user: the session cookie, checked against the account.

Each session remembers the account's ``session_epoch`` when it was opened; changing or
resetting the password raises the epoch, so every session opened before ends at its next
request (the session that changed the password is stamped again and stays open).
"""

from __future__ import annotations

from flask import session
from flask_login import user_logged_in

from directory.extensions import db, login_manager

SESSION_EPOCH_KEY = "_epoch"
# The keys Flask-Login keeps for a signed-in user, dropped from a session that has ended.
_LOGIN_KEYS = ("_user_id", "_fresh", "_id", SESSION_EPOCH_KEY)


@login_manager.user_loader
def load_user(user_id: str):
    from directory.accounts.models import User

    user = db.session.get(User, user_id)
    if user is None or not user.is_active:
        return None
    # A session without the key predates any password change: epoch 0.
    if session.get(SESSION_EPOCH_KEY, 0) != user.session_epoch:
        for key in _LOGIN_KEYS:
            session.pop(key, None)
        return None
    return user


def stamp_session(user) -> None:
    """Mark the current session as opened at the account's current epoch."""
    session[SESSION_EPOCH_KEY] = user.session_epoch


@user_logged_in.connect
def _stamp_new_session(_app, user, **_extra) -> None:
    stamp_session(user)
