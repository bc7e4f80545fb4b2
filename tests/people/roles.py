"""The cast of the role × action tests: one user of each role, and the people they act on.

Imported by the conftest of people, associations and policy tests.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.factories import MissionFactory, PersonFactory, UserFactory


@pytest.fixture
def cast(db):
    """Missions FR (France, Monaco) and DE; users of each role; a claimed and an unclaimed person.

    - ``owner``: a member whose profile (``owned``) lives in France, contact details private;
    - ``unclaimed``: registered by the French mission, not listed, no account;
    - ``in_germany``: an unclaimed profile in Germany.
    """
    fr = MissionFactory(code="FR-PAR", name="Đại sứ quán Việt Nam tại Pháp", countries=["FR", "MC"])
    de = MissionFactory(code="DE-BER", name="Đại sứ quán Việt Nam tại Đức", countries=["DE"])
    owned = PersonFactory(full_name="Nguyễn Văn Dũng", phone="+33612345678")
    other_person = PersonFactory(full_name="Trần Thị Hương", country="FR")
    unclaimed = PersonFactory(
        full_name="Lê Minh Đức",
        consent_listed=False,
        provenance="mission",
        provenance_mission_id=fr.id,
        phone="+33687654321",
    )
    in_germany = PersonFactory(
        full_name="Phạm Thu Hà", country="DE", city="Berlin", phone="+4915123456789"
    )
    users = SimpleNamespace(
        anonymous=None,
        owner=UserFactory(role="member", person_id=owned.id),
        other_member=UserFactory(role="member", person_id=other_person.id),
        embassy_fr=UserFactory(role="embassy", mission=fr),
        embassy_de=UserFactory(role="embassy", mission=de),
        province=UserFactory(province_officer=True),
        approver=UserFactory(approver=True),
        admin=UserFactory(admin=True),
    )
    return SimpleNamespace(
        fr=fr,
        de=de,
        owned=owned,
        other_person=other_person,
        unclaimed=unclaimed,
        in_germany=in_germany,
        **vars(users),
        users=users,
    )
