"""Saved searches: a signed-in user's own, and nobody else's (not even the admin's)."""

from __future__ import annotations

from directory.policy.core import rule


@rule("saved_search.create")
def _saved_search_create(user, _obj) -> bool:
    """Any signed-in user keeps searches of what they may see."""
    return user is not None


@rule("saved_search.manage")
def _saved_search_manage(user, saved) -> bool:
    """Opening, renaming and deleting: the owner only."""
    return user is not None and saved is not None and saved.user_id == user.id
