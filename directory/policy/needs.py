"""Who may read, write and work on cooperation needs.

- A need is published by a province officer for their own province (the admin for any).
- ``public`` needs are read by everyone, visitors included; ``officials`` needs by the officers
  of the need's province, the embassy officers (who connect provinces with the diaspora) and
  the admin. Officers of another province never see an ``officials`` need.
- Officers of the need's province edit it while it is not closed; the province approver (and
  the admin) closes and reopens it.
- The matches, the members' interest messages and the shortlist are the province's working
  material: its officers (approvers included) and the admin only.
- A member with a profile expresses interest in a need they can read.
"""

from __future__ import annotations

from directory.policy.core import is_admin, role, rule
from directory.policy.nominations import province_approver_of, province_officer_of


def _province_team(user, need) -> bool:
    """The officers of the need's province, or the admin."""
    return need is not None and (is_admin(user) or province_officer_of(user, need.province_slug))


@rule("need.view")
def _need_view(user, need) -> bool:
    if need is None:
        return False
    if need.audience == "public":
        return True
    return _province_team(user, need) or role(user) == "embassy"


@rule("need.create")
def _need_create(user, _obj) -> bool:
    """Province officers (for their province, checked by the service) and the admin."""
    if is_admin(user):
        return True
    return role(user) == "province" and bool(getattr(user, "province_slug", None))


@rule("need.publish_in")
def _need_publish_in(user, province_slug) -> bool:
    """Publish a need for ``province_slug``: its officers, and the admin."""
    return is_admin(user) or province_officer_of(user, province_slug)


@rule("need.choose_province")
def _need_choose_province(user, _obj) -> bool:
    """Choose the province of a new need (the others publish for their own): the admin."""
    return is_admin(user)


@rule("need.edit")
def _need_edit(user, need) -> bool:
    return _province_team(user, need) and need.status != "closed"


@rule("need.close")
def _need_close(user, need) -> bool:
    """Close a need, or reopen a closed one: the province approver and the admin."""
    return need is not None and (is_admin(user) or province_approver_of(user, need.province_slug))


@rule("need.work")
def _need_work(user, need) -> bool:
    """See the matches, the interest messages and the shortlist; shortlist and export."""
    return _province_team(user, need)


@rule("need.interest")
def _need_interest(user, need) -> bool:
    """Express (or withdraw) interest: a member with a profile who can read the need."""
    return (
        need is not None
        and role(user) == "member"
        and getattr(user, "person_id", None) is not None
        and _need_view(user, need)
    )


def need_view_clause(user):
    """The SQL twin of "need.view", for listing what ``user`` may see (kept in step by tests)."""
    import sqlalchemy as sa

    from directory.needs.models import Need

    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    if user is not None and not user.is_active:
        return sa.false()
    if is_admin(user) or role(user) == "embassy":
        return sa.true()
    public = Need.audience == "public"
    if role(user) == "province" and getattr(user, "province_slug", None):
        return sa.or_(public, Need.province_slug == user.province_slug)
    return public
