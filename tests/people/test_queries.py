"""The lists of people shared by the pages and the API: who is in them, in which order."""

from __future__ import annotations

import pytest

from directory import policy
from directory.extensions import db
from directory.people import queries
from tests.factories import PersonFactory, UserFactory
from tests.policy.test_matrix import ACTORS


def _people(stmt) -> list:
    return list(db.session.scalars(stmt))


@pytest.mark.parametrize("actor", ACTORS)
def test_the_visible_people_are_those_the_policy_lets_the_viewer_see(cast, actor):
    user = getattr(cast, actor)
    everyone = cast.people

    listed = set(_people(queries.visible_people(user)))

    assert listed == {p for p in everyone if policy.can(user, "person.view", p)}


def test_the_visible_people_are_newest_first_and_filtered_by_country(cast):
    listed = _people(queries.visible_people(cast.admin))
    assert [p.created_at for p in listed] == sorted((p.created_at for p in listed), reverse=True)
    assert _people(queries.visible_people(cast.admin, country="DE")) == [cast.in_germany]


def test_a_mission_lists_the_people_of_its_countries_by_name(cast):
    in_monaco = PersonFactory(full_name="Âu Văn Bình", country="MC")
    listed = _people(queries.mission_people(cast.embassy))
    in_france = {cast.owned, cast.member_person, cast.nominee_person, cast.unclaimed}
    assert set(listed) == {*in_france, in_monaco}
    assert [p.name_key for p in listed] == sorted(p.name_key for p in listed)
    assert _people(queries.mission_people(cast.other_embassy)) == [cast.in_germany]
    assert cast.in_germany in _people(queries.mission_people(cast.admin))


def test_the_mission_list_filters_claimed_verified_and_country(cast):
    in_monaco = PersonFactory(
        full_name="Âu Văn Bình", country="MC", verified_at=cast.owned.created_at
    )
    fr = cast.embassy  # the nominee's profile is the one verified by the Paris embassy

    # The three members of the cast living in France have claimed their profiles.
    assert set(_people(queries.mission_people(fr, claimed=True))) == {
        cast.owned,
        cast.member_person,
        cast.nominee_person,
    }
    assert set(_people(queries.mission_people(fr, claimed=False))) == {cast.unclaimed, in_monaco}
    assert set(_people(queries.mission_people(fr, verified=True))) == {
        cast.nominee_person,
        in_monaco,
    }
    assert in_monaco not in _people(queries.mission_people(fr, verified=False))
    assert _people(queries.mission_people(fr, country="MC")) == [in_monaco]


def test_an_anonymised_profile_is_in_no_mission_list(cast):
    cast.unclaimed.anonymised_at = cast.unclaimed.created_at
    db.session.commit()
    assert cast.unclaimed not in _people(queries.mission_people(cast.embassy))
    assert cast.unclaimed not in _people(queries.mission_people(UserFactory(admin=True)))
