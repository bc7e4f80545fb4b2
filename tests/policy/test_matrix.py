"""The role × action matrix of directory.policy: every registered action has its rows.

Actors: the cast of ``tests/conftest.py`` (``tests.factories.make_cast``): anonymous; the member
who owns a profile in France, another member and the nominee of the representative workflow;
the embassy officers of Paris (France, Monaco) and Berlin (Germany); the Đà Nẵng province
officer and approver and their Hà Nội counterparts; the admin. Each row gives an action, a
target and who may do it; everyone else may not. The state of a record (a nomination's step, an
import batch's status) is its workflow's business, not the policy's: the rows hold for any state.
"""

import importlib

import pytest

from directory import policy
from tests.factories import (
    CAST_ROLES,
    AssociationFactory,
    MembershipFactory,
    PersonFactory,
    UserFactory,
)

ACTORS = CAST_ROLES
EVERYONE = set(ACTORS)
SIGNED_IN = EVERYONE - {"anonymous"}
MEMBERS = {"owner", "member", "nominee"}
EMBASSIES = {"embassy", "other_embassy"}
PROVINCES = {"officer", "other_officer", "approver", "other_approver"}
DA_NANG = {"officer", "approver"}
OFFICIALS = EMBASSIES | PROVINCES | {"admin"}

# (action, target, actors allowed). Targets (built by the ``targets`` fixture):
# people: "owned" (claimed, in France, listed), "unclaimed" (registered by Paris, not listed),
#   "in_germany" (listed, unclaimed, registered by no mission), "candidate_fr" (a new person in
#   France, not saved), "anonymised" (an anonymised profile);
# associations: "association" (in France, Đà Nẵng hometown, led by the owner),
#   "association_abroad" (in France, no province); "proposal_*": a proposed membership of owned,
#   unclaimed or in_germany;
# nominations (Đà Nẵng, France, of the nominee): "nomination_draft" (not yet submitted),
#   "nomination_submitted" (with the embassy), "nomination_asked" (consent asked of the nominee);
#   "vetting_note" (the embassy's endorsement) and "comment" (the province's submission), events;
# imports: "paris" and "berlin" (missions), "batch" (an import of the Paris mission);
# countries: "country_fr" (France, Paris's) and "country_de" (Germany, Berlin's), codes;
# tokens: "owner_token" (an API token of the owner); "owner_saved_search" (a saved search of the
# owner, not saved); None: no record.
MATRIX = [
    # --- people ------------------------------------------------------------------------------
    ("person.view", "owned", EVERYONE),
    ("person.view", "unclaimed", OFFICIALS),
    ("person.view", "in_germany", EVERYONE),
    ("person.view", "anonymised", {"admin"}),
    ("person.edit", "owned", {"owner", "admin"}),  # once claimed, officials no longer edit
    ("person.edit", "unclaimed", {"embassy", "admin"}),
    ("person.edit", "in_germany", {"other_embassy", "admin"}),
    ("person.edit", "anonymised", set()),
    ("person.verify", "owned", {"embassy", "admin"}),
    ("person.verify", "unclaimed", {"embassy", "admin"}),
    ("person.verify", "in_germany", {"other_embassy", "admin"}),
    ("person.invite", "owned", set()),  # already claimed
    ("person.invite", "unclaimed", {"embassy", "admin"}),
    ("person.invite", "in_germany", {"other_embassy", "admin"}),
    ("person.register", "candidate_fr", {"embassy", "admin"}),
    ("person.register", None, {"embassy", "other_embassy", "admin"}),
    ("person.manage_own", "owned", {"owner"}),
    ("person.manage_own", "unclaimed", set()),
    # Consent and visibility: the member's; before a claim, officials record consent only with
    # evidence (the service checks it), may withdraw it and narrow visibility, never go public.
    ("person.consent_give", "owned", {"owner"}),
    ("person.consent_give", "unclaimed", set()),
    ("person.consent_record", "owned", set()),
    ("person.consent_record", "unclaimed", {"embassy", "admin"}),
    ("person.consent_record", "in_germany", {"other_embassy", "admin"}),
    ("person.consent_withdraw", "owned", {"owner"}),
    ("person.consent_withdraw", "unclaimed", {"embassy", "admin"}),
    ("person.visibility_public", "owned", {"owner"}),
    ("person.visibility_public", "unclaimed", set()),
    ("person.visibility_public", "in_germany", set()),
    ("person.visibility_limit", "owned", {"owner"}),
    ("person.visibility_limit", "unclaimed", {"embassy", "admin"}),
    ("person.export", "owned", {"owner", "admin"}),
    ("person.export", "unclaimed", {"admin"}),
    ("person.delete", "owned", {"owner", "admin"}),
    ("person.delete", "unclaimed", {"admin"}),
    ("person.create_own", None, set()),  # every member of the cast already has a profile
    ("person.mission_list", None, {"embassy", "other_embassy", "admin"}),
    ("person.mine", None, MEMBERS),  # the navigation's "My profile"
    ("person.privacy_settings_view", "owned", {"owner", "admin"}),
    ("person.privacy_settings_view", "unclaimed", {"admin"}),
    ("person.claim_status_view", "owned", OFFICIALS),
    ("person.claim_status_view", "unclaimed", OFFICIALS),
    ("person.appointments_history", "owned", OFFICIALS | {"owner"}),
    ("person.appointments_history", "unclaimed", OFFICIALS),
    ("person.verification_changes_view", "owned", OFFICIALS | {"owner"}),
    ("person.verification_changes_view", "unclaimed", OFFICIALS),
    # --- associations and memberships ---------------------------------------------------------
    ("association.view", "association", EVERYONE),
    ("association.create", None, MEMBERS | EMBASSIES | {"admin"}),
    ("association.create", "association", MEMBERS | {"embassy", "admin"}),
    ("association.create_as_leader", None, MEMBERS),
    ("association.edit", "association", {"owner", "embassy", "admin"}),
    ("association.verify", "association", {"embassy", "admin"}),
    ("association.manage_members", "association", {"owner", "embassy", "admin"}),
    # A proposed membership: the person answers; for an unclaimed profile, the registering
    # mission (not the admin, not another mission, not whoever proposed it).
    ("membership.decide", "proposal_owned", {"owner"}),
    ("membership.decide", "proposal_unclaimed", {"embassy"}),
    ("membership.decide", "proposal_in_germany", set()),  # registered by no mission
    # --- representatives: who is the actor of each step (the state is the workflow's) ---------
    ("nomination.list", None, SIGNED_IN),
    ("nomination.workflow", None, OFFICIALS),
    ("nomination.view", "nomination_draft", DA_NANG | {"admin"}),
    ("nomination.view", "nomination_submitted", DA_NANG | {"embassy", "admin"}),
    ("nomination.view", "nomination_asked", DA_NANG | {"embassy", "nominee", "admin"}),
    ("nomination.comment_view", "vetting_note", OFFICIALS),  # the author is an official
    ("nomination.comment_view", "comment", EVERYONE),  # to whoever sees the nomination
    ("nomination.create", None, PROVINCES),  # for their own province, checked on the province
    ("nomination.create", "owned", PROVINCES),
    ("nomination.create", "anonymised", set()),
    ("nomination.submit", "nomination_draft", DA_NANG),
    ("nomination.withdraw", "nomination_submitted", DA_NANG),
    ("nomination.endorse", "nomination_submitted", {"embassy"}),
    ("nomination.object", "nomination_submitted", {"embassy"}),
    ("nomination.accept", "nomination_asked", {"nominee"}),
    ("nomination.decline", "nomination_asked", {"nominee"}),
    ("nomination.approve", "nomination_asked", {"approver"}),
    ("nomination.reject", "nomination_asked", {"approver"}),
    ("nomination.revoke", "nomination_asked", DA_NANG),
    ("nomination.resign", "nomination_asked", {"nominee"}),
    ("nomination.renew", "nomination_asked", DA_NANG),
    ("nomination.expire", "nomination_asked", set()),  # only the scheduled command
    # --- imports and exports -----------------------------------------------------------------
    ("import.use", None, EMBASSIES | {"admin"}),
    ("import.all_missions", None, {"admin"}),
    ("import.create", "paris", {"embassy", "admin"}),
    ("import.create", "berlin", {"other_embassy", "admin"}),
    ("import.create", None, set()),
    ("import.view", "batch", {"embassy", "admin"}),
    ("import.commit", "batch", {"embassy", "admin"}),
    ("import.invite", "batch", {"embassy", "admin"}),
    ("import.export_mission", "paris", {"embassy", "admin"}),
    ("import.export_mission", "berlin", {"other_embassy", "admin"}),
    ("import.export_association", "association", DA_NANG | {"embassy", "admin"}),
    ("import.export_association", "association_abroad", {"embassy", "admin"}),
    ("import.exports", None, OFFICIALS),
    ("import.export_search", None, OFFICIALS),
    # --- search, administration, accounts ----------------------------------------------------
    # An embassy places profiles and associations in its mission's countries only.
    ("country.set", "country_fr", SIGNED_IN - {"other_embassy"}),
    ("country.set", "country_de", SIGNED_IN - {"embassy"}),
    ("search.use", None, EVERYONE),
    ("admin.manage", None, {"admin"}),
    ("audit.read", None, {"admin"}),
    ("account.two_factor", None, OFFICIALS),
    ("token.manage", None, SIGNED_IN),
    ("token.revoke", "owner_token", {"owner", "admin"}),
    ("token.revoke", None, set()),
    # --- saved searches: the owner's alone -----------------------------------------------
    ("saved_search.create", None, SIGNED_IN),
    ("saved_search.manage", "owner_saved_search", {"owner"}),
    ("saved_search.manage", None, set()),
]


@pytest.fixture
def targets(cast):
    from directory.accounts.models import ApiToken
    from directory.core.models import utcnow
    from directory.extensions import db
    from directory.imports.models import ImportBatch
    from directory.representatives.models import Nomination, NominationEvent
    from directory.savedsearch.models import SavedSearch

    association = AssociationFactory(country="FR", province_slug="da-nang")
    MembershipFactory(association=association, person=cast.owned, role="president")
    anonymised = PersonFactory(full_name="Đặng Văn Khoa", country="FR")
    anonymised.anonymised_at = utcnow()

    def nomination(state, submitted, asked):
        return Nomination(
            province_slug="da-nang",
            person_id=cast.nominee_person.id,
            country="FR",
            region=state,
            rationale="Chuyên gia vi mạch, gắn bó với Đà Nẵng.",
            state=state,
            created_by_id=cast.officer.id,
            submitted_at=utcnow() if submitted else None,
            consent_requested_at=utcnow() if asked else None,
        )

    nominations = {
        "nomination_draft": nomination("draft", False, False),
        "nomination_submitted": nomination("embassy_review", True, False),
        "nomination_asked": nomination("awaiting_consent", True, True),
    }
    db.session.add_all(nominations.values())
    db.session.flush()
    asked = nominations["nomination_asked"]
    events = {
        "comment": NominationEvent(
            nomination_id=asked.id,
            seq=1,
            action="submit",
            actor_id=cast.officer.id,
            to_state="embassy_review",
            comment="Đề nghị xem xét.",
        ),
        "vetting_note": NominationEvent(
            nomination_id=asked.id,
            seq=2,
            action="endorse",
            actor_id=cast.embassy.id,
            from_state="embassy_review",
            to_state="awaiting_consent",
            comment="Đã xác minh.",
        ),
    }
    batch = ImportBatch(file_name="danh-sach.csv", mission_id=cast.paris.id, status="ready")
    token = ApiToken(user_id=cast.owner.id, token_hash="0" * 64, prefix="kb_0000000")
    db.session.add_all([*events.values(), batch, token])
    db.session.commit()
    return {
        "owned": cast.owned,
        "unclaimed": cast.unclaimed,
        "in_germany": cast.in_germany,
        "candidate_fr": PersonFactory.build(country="FR"),
        "anonymised": anonymised,
        "association": association,
        "association_abroad": AssociationFactory(country="FR", province_slug=None),
        "proposal_owned": MembershipFactory(
            association=association, person=cast.owned, status="proposed"
        ),
        "proposal_unclaimed": MembershipFactory(
            association=association, person=cast.unclaimed, status="proposed"
        ),
        "proposal_in_germany": MembershipFactory(
            association=association, person=cast.in_germany, status="proposed"
        ),
        **nominations,
        **events,
        "paris": cast.paris,
        "berlin": cast.berlin,
        "batch": batch,
        "owner_token": token,
        "owner_saved_search": SavedSearch(user_id=cast.owner.id, name="Mine", query={}),
        "country_fr": "FR",
        "country_de": "DE",
        None: None,
    }


@pytest.mark.parametrize(
    ("action", "target", "allowed"), MATRIX, ids=[f"{a}-{t}" for a, t, _ in MATRIX]
)
def test_role_action_matrix(cast, targets, action, target, allowed):
    decided = {actor: policy.can(cast[actor], action, targets[target]) for actor in ACTORS}
    assert {actor for actor, ok in decided.items() if ok} == allowed


# Domains with a cast of their own keep their rows beside their tests (same shape: action,
# target, the actors allowed); every registered action has rows here or there.
DOMAIN_MATRICES = (
    "tests.businesses.test_policy",
    "tests.contacts.test_policy",
    "tests.dashboards.test_policy",
    "tests.initiatives.test_policy",
    "tests.needs.test_policy",
)


def test_the_matrix_has_rows_for_every_registered_action_and_no_other():
    covered = {action for action, _target, _allowed in MATRIX}
    for module in DOMAIN_MATRICES:
        covered |= {row[0] for row in importlib.import_module(module).MATRIX}
    registered = set(policy.actions())
    assert registered - covered == set(), "add rows to MATRIX for these actions"
    assert covered - registered == set(), "these rows name actions the policy does not know"


def test_every_row_names_known_actors_and_a_known_target():
    for action, target, allowed in MATRIX:
        assert allowed <= EVERYONE, action
        assert target is None or target in TARGET_NAMES, (action, target)


TARGET_NAMES = {
    "owned",
    "unclaimed",
    "in_germany",
    "candidate_fr",
    "anonymised",
    "association",
    "association_abroad",
    "proposal_owned",
    "proposal_unclaimed",
    "proposal_in_germany",
    "nomination_draft",
    "nomination_submitted",
    "nomination_asked",
    "comment",
    "vetting_note",
    "paris",
    "berlin",
    "batch",
    "owner_token",
    "owner_saved_search",
    "country_fr",
    "country_de",
}


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
        assert policy.can(cast[actor], "person.view", cast.in_germany) is expected
        assert not policy.can(cast[actor], "person.edit", cast.in_germany)


# Which field groups each viewer sees. "owned": profile public, contact private, self-registered;
# "unclaimed": registered by the French mission (who sees private details), not listed.
ALL = {"basic", "profile", "contact"}
PUBLIC = {"basic", "profile"}
GROUPS = {
    "owned": {
        "anonymous": PUBLIC,
        "owner": ALL,
        "member": PUBLIC,
        "nominee": PUBLIC,
        "embassy": PUBLIC,
        "other_embassy": PUBLIC,
        "officer": PUBLIC,
        "other_officer": PUBLIC,
        "approver": PUBLIC,
        "other_approver": PUBLIC,
        "admin": ALL,
    },
    "unclaimed": {
        "anonymous": set(),
        "owner": set(),
        "member": set(),
        "nominee": set(),
        "embassy": ALL,
        "other_embassy": PUBLIC,
        "officer": PUBLIC,
        "other_officer": PUBLIC,
        "approver": PUBLIC,
        "other_approver": PUBLIC,
        "admin": ALL,
    },
}


@pytest.mark.parametrize("target", sorted(GROUPS))
def test_visible_groups_matrix(cast, targets, target):
    seen = {actor: policy.visible_groups(cast[actor], targets[target]) for actor in ACTORS}
    assert seen == GROUPS[target]


@pytest.mark.parametrize("actor", ACTORS)
def test_the_profile_page_agrees_with_the_policy(client, login, cast, actor):
    """HTML: 404 when the profile is hidden; the private phone only for those who may see it."""
    user = cast[actor]
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
            data = person_to_dict(getattr(cast, target), cast[actor])
            groups = GROUPS[target][actor]
            assert bool(data) is bool(groups), (actor, target)
            assert ("phone" in data) is ("contact" in groups), (actor, target)
            assert ("bio" in data) is ("profile" in groups), (actor, target)


@pytest.mark.parametrize("actor", ACTORS)
def test_the_search_audience_comes_from_the_policy(cast, actor):
    """Searching everyone: the level reached on an unrelated profile, listed-only unless the
    searcher may see unlisted profiles, and the searcher's own profile."""
    from directory.search.services import audience_for

    user = cast[actor]
    audience = audience_for(user)
    assert audience.level == policy.viewer_level(user, cast.in_germany)
    assert audience.listed_only is not policy.can(user, "person.view", cast.unclaimed)
    own = None if user is None or actor == "admin" else user.person_id
    assert audience.own_person_id == own


def test_an_inactive_account_searches_as_anonymous(cast):
    from directory.search.services import audience_for

    cast.officer.is_active_flag = False
    audience = audience_for(cast.officer)
    assert (audience.level, audience.listed_only, audience.own_person_id) == (0, True, None)


STEP_ACTIONS = (
    "nomination.submit",
    "nomination.approve",
    "nomination.endorse",
    "nomination.accept",
)


@pytest.mark.parametrize("action", STEP_ACTIONS)
def test_the_step_actor_clause_agrees_with_the_rule(cast, targets, action):
    """Whose step a nomination waits for is read in SQL (the inbox); it must name the actors."""
    import sqlalchemy as sa

    from directory.extensions import db
    from directory.policy.nominations import nomination_actor_clause
    from directory.representatives.models import Nomination

    nominations = [t for name, t in targets.items() if str(name).startswith("nomination_")]
    ids = [n.id for n in nominations]
    for actor in ACTORS:
        user = cast[actor]
        selected = set(
            db.session.scalars(
                sa.select(Nomination.id).where(
                    Nomination.id.in_(ids), nomination_actor_clause(user, action)
                )
            )
        )
        allowed = {n.id for n in nominations if policy.can(user, action, n)}
        assert selected == allowed, actor


@pytest.mark.parametrize("province_slug", ["da-nang", "ha-noi", None])
def test_the_assignee_clause_agrees_with_the_rule(cast, province_slug):
    """The colleagues offered to take an initiative are exactly those the rule accepts."""
    from types import SimpleNamespace

    import sqlalchemy as sa

    from directory.accounts.models import User
    from directory.extensions import db
    from directory.policy.initiatives import assignee_clause

    cast.other_approver.is_active_flag = False
    db.session.commit()
    sent_to = SimpleNamespace(province_slug=province_slug)
    users = {actor: cast[actor] for actor in ACTORS if cast[actor] is not None}
    selected = set(db.session.scalars(sa.select(User.id).where(assignee_clause(province_slug))))
    accepted = {u.id for u in users.values() if policy.can(u, "initiative.assignee", sent_to)}
    assert selected & {u.id for u in users.values()} == accepted
    assert accepted, "the cast has someone to give it to"
