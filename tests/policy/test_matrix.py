"""The role × action matrix of directory.policy, for people and associations.

Actors: anonymous, the member who owns the profile, another member, an embassy officer of
the mission covering France, one covering Germany only, a province officer, a province
approver and the admin. Each row states who may do the action; everyone else may not.
"""

import pytest

from directory import policy
from tests.factories import AssociationFactory, MembershipFactory, PersonFactory, UserFactory

ACTORS = (
    "anonymous",
    "owner",
    "other_member",
    "embassy_fr",
    "embassy_de",
    "province",
    "approver",
    "admin",
)
OFFICIALS = {"embassy_fr", "embassy_de", "province", "approver", "admin"}
EVERYONE = set(ACTORS)

# (action, target, actors allowed). Targets: "owned" (claimed member in France, listed),
# "unclaimed" (registered by the French mission, not listed), "in_germany" (listed, unclaimed),
# "candidate_fr" (a new person in France), "association" (in France, led by the owner), None.
MATRIX = [
    ("person.view", "owned", EVERYONE),
    ("person.view", "unclaimed", OFFICIALS),
    ("person.view", "in_germany", EVERYONE),
    ("person.edit", "owned", {"owner", "admin"}),  # once claimed, officials no longer edit
    ("person.edit", "unclaimed", {"embassy_fr", "admin"}),
    ("person.edit", "in_germany", {"embassy_de", "admin"}),
    ("person.verify", "owned", {"embassy_fr", "admin"}),
    ("person.verify", "unclaimed", {"embassy_fr", "admin"}),
    ("person.verify", "in_germany", {"embassy_de", "admin"}),
    ("person.invite", "owned", set()),  # already claimed
    ("person.invite", "unclaimed", {"embassy_fr", "admin"}),
    ("person.invite", "in_germany", {"embassy_de", "admin"}),
    ("person.register", "candidate_fr", {"embassy_fr", "admin"}),
    ("person.register", None, {"embassy_fr", "embassy_de", "admin"}),
    ("person.manage_own", "owned", {"owner"}),
    ("person.manage_own", "unclaimed", set()),
    # Consent and visibility: the member's; before a claim, officials record consent only with
    # evidence (the service checks it), may withdraw it and narrow visibility, never go public.
    ("person.consent_give", "owned", {"owner"}),
    ("person.consent_give", "unclaimed", set()),
    ("person.consent_record", "owned", set()),
    ("person.consent_record", "unclaimed", {"embassy_fr", "admin"}),
    ("person.consent_record", "in_germany", {"embassy_de", "admin"}),
    ("person.consent_withdraw", "owned", {"owner"}),
    ("person.consent_withdraw", "unclaimed", {"embassy_fr", "admin"}),
    ("person.visibility_public", "owned", {"owner"}),
    ("person.visibility_public", "unclaimed", set()),
    ("person.visibility_public", "in_germany", set()),
    ("person.visibility_limit", "owned", {"owner"}),
    ("person.visibility_limit", "unclaimed", {"embassy_fr", "admin"}),
    ("person.export", "owned", {"owner", "admin"}),
    ("person.export", "unclaimed", {"admin"}),
    ("person.delete", "owned", {"owner", "admin"}),
    ("person.delete", "unclaimed", {"admin"}),
    ("person.create_own", None, set()),  # every member of the cast already has a profile
    ("person.mission_list", None, {"embassy_fr", "embassy_de", "admin"}),
    ("person.privacy_settings_view", "owned", {"owner", "admin"}),
    ("person.privacy_settings_view", "unclaimed", {"admin"}),
    ("person.claim_status_view", "owned", OFFICIALS),
    ("person.claim_status_view", "unclaimed", OFFICIALS),
    ("person.appointments_history", "owned", OFFICIALS | {"owner"}),
    ("person.appointments_history", "unclaimed", OFFICIALS),
    ("association.view", "association", EVERYONE),
    ("association.create", None, {"owner", "other_member", "embassy_fr", "embassy_de", "admin"}),
    ("association.create", "association", {"owner", "other_member", "embassy_fr", "admin"}),
    ("association.edit", "association", {"owner", "embassy_fr", "admin"}),
    ("association.verify", "association", {"embassy_fr", "admin"}),
    ("association.manage_members", "association", {"owner", "embassy_fr", "admin"}),
    # A proposed membership: the person answers; for an unclaimed profile, the registering
    # mission (not the admin, not another mission, not whoever proposed it).
    ("membership.decide", "proposal_owned", {"owner"}),
    ("membership.decide", "proposal_unclaimed", {"embassy_fr"}),
    ("membership.decide", "proposal_in_germany", set()),  # registered by no mission
]


@pytest.fixture
def targets(cast):
    association = AssociationFactory(country="FR")
    MembershipFactory(association=association, person=cast.owned, role="president")
    return {
        "owned": cast.owned,
        "unclaimed": cast.unclaimed,
        "in_germany": cast.in_germany,
        "candidate_fr": PersonFactory.build(country="FR"),
        "association": association,
        "proposal_owned": MembershipFactory(
            association=association, person=cast.owned, status="proposed"
        ),
        "proposal_unclaimed": MembershipFactory(
            association=association, person=cast.unclaimed, status="proposed"
        ),
        "proposal_in_germany": MembershipFactory(
            association=association, person=cast.in_germany, status="proposed"
        ),
        None: None,
    }


@pytest.mark.parametrize(
    ("action", "target", "allowed"), MATRIX, ids=[f"{a}-{t}" for a, t, _ in MATRIX]
)
def test_role_action_matrix(cast, targets, action, target, allowed):
    decided = {actor: policy.can(getattr(cast, actor), action, targets[target]) for actor in ACTORS}
    assert {actor for actor, ok in decided.items() if ok} == allowed


def test_the_matrix_covers_every_people_and_association_action():
    covered = {action for action, _target, _allowed in MATRIX}
    ours = {a for a in policy.actions() if a.startswith(("person.", "association.", "membership."))}
    assert ours <= covered, f"add rows for {sorted(ours - covered)}"


def test_a_verified_member_without_a_profile_may_create_one(db):
    assert policy.can(UserFactory(role="member"), "person.create_own")
    assert not policy.can(UserFactory(role="member", email_verified_at=None), "person.create_own")
    assert not policy.can(UserFactory(role="province", province_slug="hue"), "person.create_own")


def test_an_inactive_account_may_do_nothing(db, cast):
    cast.admin.is_active_flag = False
    assert not policy.can(cast.admin, "person.view", cast.unclaimed)


def test_an_anonymised_profile_is_only_for_the_admin(db, cast):
    cast.in_germany.anonymised_at = cast.in_germany.created_at
    for actor in ACTORS:
        expected = actor == "admin"
        assert policy.can(getattr(cast, actor), "person.view", cast.in_germany) is expected
        assert not policy.can(getattr(cast, actor), "person.edit", cast.in_germany)


# Which field groups each viewer sees. "owned": profile public, contact private, self-registered;
# "unclaimed": registered by the French mission (who sees private details), not listed.
ALL = {"basic", "profile", "contact"}
PUBLIC = {"basic", "profile"}
GROUPS = {
    "owned": {
        "anonymous": PUBLIC,
        "owner": ALL,
        "other_member": PUBLIC,
        "embassy_fr": PUBLIC,
        "embassy_de": PUBLIC,
        "province": PUBLIC,
        "approver": PUBLIC,
        "admin": ALL,
    },
    "unclaimed": {
        "anonymous": set(),
        "owner": set(),
        "other_member": set(),
        "embassy_fr": ALL,
        "embassy_de": PUBLIC,
        "province": PUBLIC,
        "approver": PUBLIC,
        "admin": ALL,
    },
}


@pytest.mark.parametrize("target", sorted(GROUPS))
def test_visible_groups_matrix(cast, targets, target):
    seen = {actor: policy.visible_groups(getattr(cast, actor), targets[target]) for actor in ACTORS}
    assert seen == GROUPS[target]


@pytest.mark.parametrize("actor", ACTORS)
def test_the_profile_page_agrees_with_the_policy(client, login, cast, actor):
    """HTML: 404 when the profile is hidden; the private phone only for those who may see it."""
    user = getattr(cast, actor)
    if user is not None:
        login(user)
    for target, phone in (("owned", "+33612345678"), ("unclaimed", "+33687654321")):
        person = getattr(cast, target)
        response = client.get(f"/people/{person.id}")
        groups = GROUPS[target][actor]
        assert response.status_code == (200 if groups else 404)
        assert (phone in response.get_data(as_text=True)) is ("contact" in groups)


def test_person_to_dict_agrees_with_the_policy(cast):
    from directory.people.serializers import person_to_dict

    for actor in ACTORS:
        for target in GROUPS:
            data = person_to_dict(getattr(cast, target), getattr(cast, actor))
            groups = GROUPS[target][actor]
            assert bool(data) is bool(groups), (actor, target)
            assert ("phone" in data) is ("contact" in groups), (actor, target)
            assert ("bio" in data) is ("profile" in groups), (actor, target)


@pytest.mark.parametrize("actor", ACTORS)
def test_the_search_audience_comes_from_the_policy(cast, actor):
    """Searching everyone: the level reached on an unrelated profile, listed-only unless the
    searcher may see unlisted profiles, and the searcher's own profile."""
    from directory.search.services import audience_for

    user = getattr(cast, actor)
    audience = audience_for(user)
    assert audience.level == policy.viewer_level(user, cast.in_germany)
    assert audience.listed_only is not policy.can(user, "person.view", cast.unclaimed)
    own = None if user is None or actor == "admin" else user.person_id
    assert audience.own_person_id == own


def test_an_inactive_account_searches_as_anonymous(cast):
    from directory.search.services import audience_for

    cast.province.is_active_flag = False
    audience = audience_for(cast.province)
    assert (audience.level, audience.listed_only, audience.own_person_id) == (0, True, None)
