"""How Flask-Login finds the current user: the session cookie."""

from __future__ import annotations

from directory.extensions import db, login_manager


@login_manager.user_loader
def load_user(user_id: str):
    from directory.accounts.models import User

    user = db.session.get(User, user_id)
    return user if user is not None and user.is_active else None
