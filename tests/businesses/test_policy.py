"""Who may do what to a business, what each viewer sees of it, and the SQL listing clause."""

from __future__ import annotations

import pytest

from directory import policy
from directory.businesses import queries
from directory.extensions import db
from directory.policy.businesses import business_groups
from tests.factories import CAST_ROLES

ACTORS = CAST_ROLES
EVERYONE = set(ACTORS)
SIGNED_IN = EVERYONE - {"anonymous"}
OFFICIALS = {
    "embassy",
    "other_embassy",
    "officer",
    "other_officer",
    "approver",
    "other_approver",
    "admin",
}

# (action, target, actors allowed); targets: tests/businesses/conftest.py ``businesses``.
MATRIX = [
    ("business.list", None, SIGNED_IN),
    ("business.view", "listed_fr", EVERYONE),
    ("business.view", "unlisted_de", OFFICIALS),
    ("business.view", "operating_fr", OFFICIALS),
    ("business.register", None, {"embassy", "other_embassy", "admin"}),
    ("business.register", "listed_fr", {"embassy", "admin"}),
    ("business.register", "unlisted_de", {"other_embassy", "admin"}),
    ("business.register", "operating_fr", {"embassy", "other_embassy", "admin"}),
    # Managed by the owner: the page is theirs (officials no longer edit it).
    ("business.edit", "listed_fr", {"owner", "admin"}),
    ("business.edit", "unlisted_de", {"other_embassy", "admin"}),
    ("business.edit", "operating_fr", {"embassy", "other_embassy", "admin"}),
    ("business.manage", "listed_fr", {"owner", "admin"}),
    ("business.manage", "unlisted_de", {"admin"}),
    ("business.verify", "listed_fr", {"embassy", "admin"}),
    ("business.verify", "unlisted_de", {"other_embassy", "admin"}),
    ("business.verify", "operating_fr", {"embassy", "other_embassy", "admin"}),
    ("business.delete", "listed_fr", {"owner", "admin"}),
    ("business.delete", "unlisted_de", {"other_embassy", "admin"}),
    ("business.link", "listed_fr", {"owner", "admin"}),
    ("business.link", "operating_fr", {"embassy", "other_embassy", "admin"}),
    # The person accepts; for an unclaimed profile, the mission that registered it.
    ("business_link.decide", "link_owned", {"owner"}),
    ("business_link.decide", "link_unclaimed", {"embassy"}),
    ("business_link.decide", "link_in_germany", set()),
]


@pytest.mark.parametrize(
    ("action", "target", "allowed"), MATRIX, ids=[f"{a}-{t}" for a, t, _ in MATRIX]
)
def test_role_action_matrix(cast, businesses, action, target, allowed):
    decided = {actor for actor in ACTORS if policy.can(cast[actor], action, businesses[target])}
    assert decided == allowed


def test_the_matrix_covers_every_business_action():
    covered = {action for action, _target, _allowed in MATRIX}
    assert {a for a in policy.actions() if a.startswith("business")} <= covered


ALL = {"basic", "profile", "contact"}
PUBLIC = {"basic", "profile"}
# listed_fr: profile public, contact private, registered by Paris, managed by the owner.
# unlisted_de: both groups for officials, unlisted.
GROUPS = {
    "listed_fr": {
        "anonymous": PUBLIC,
        "owner": ALL,
        "member": PUBLIC,
        "nominee": PUBLIC,
        "embassy": ALL,
        "other_embassy": PUBLIC,
        "officer": PUBLIC,
        "other_officer": PUBLIC,
        "approver": PUBLIC,
        "other_approver": PUBLIC,
        "admin": ALL,
    },
    "unlisted_de": {
        **dict.fromkeys(("anonymous", "owner", "member", "nominee"), set()),
        **dict.fromkeys(OFFICIALS, ALL),
    },
}


@pytest.mark.parametrize("target", sorted(GROUPS))
def test_visible_groups(cast, businesses, target):
    seen = {actor: business_groups(cast[actor], businesses[target]) for actor in ACTORS}
    assert seen == GROUPS[target]


def test_an_accepted_link_lets_the_member_read_an_unlisted_business(cast, businesses):
    link = businesses["link_owned"]
    assert not policy.can(cast.owner, "business.view", link.business)
    link.accepted_at = link.created_at
    db.session.commit()
    assert policy.can(cast.owner, "business.view", link.business)
    # A founder reads it; only owners and executives manage it.
    assert not policy.can(cast.owner, "business.edit", link.business)


def test_an_inactive_account_may_do_nothing(cast, businesses):
    cast.admin.is_active_flag = False
    assert not policy.can(cast.admin, "business.view", businesses["unlisted_de"])


@pytest.mark.parametrize("actor", ACTORS)
def test_the_listing_clause_agrees_with_the_rule(cast, businesses, actor):
    user = cast[actor]
    listed = {b.id for b in db.session.scalars(queries.businesses_query(user))}
    allowed = {
        b.id
        for key, b in businesses.items()
        if key in ("listed_fr", "unlisted_de", "operating_fr")
        and policy.can(user, "business.view", b)
    }
    assert listed == allowed
