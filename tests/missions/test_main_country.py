"""A mission's main country: the one its code names among those it covers, or its only one."""

import pytest

from tests.factories import MissionFactory


@pytest.mark.parametrize(
    ("code", "countries", "main"),
    [
        ("FR-PARIS", ["FR", "MC"], "FR"),
        ("fr-marseille", ["MC", "FR"], "FR"),
        ("AU-CANBERRA", ["AU", "NZ"], "AU"),
        ("DE-BERLIN", ["DE"], "DE"),
        ("BERLIN", ["DE"], "DE"),
        ("EU-BRUSSELS", ["BE", "LU"], None),
    ],
)
def test_main_country(db, code, countries, main):
    assert MissionFactory(code=code, countries=countries).main_country == main
