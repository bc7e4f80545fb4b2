"""Who may read a notice: its recipient."""

from __future__ import annotations

from directory.policy.core import rule


@rule("notice.read")
def _notice_read(user, notice) -> bool:
    """A notice is read and marked read by the user it was sent to, nobody else."""
    return user is not None and notice is not None and notice.user_id == user.id
