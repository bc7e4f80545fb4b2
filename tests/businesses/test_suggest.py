"""``flask businesses suggest``: entrepreneurs' company fields offered as businesses."""

from __future__ import annotations

import sqlalchemy as sa

from directory.businesses.models import Business, BusinessPerson
from tests.businesses.conftest import make_business
from tests.factories import MissionFactory, PersonFactory


def _people():
    MissionFactory(code="DE-BER", countries=["DE"])
    a = PersonFactory(
        full_name="Nguyễn Văn An",
        kinds=["entrepreneur"],
        country="DE",
        company="Mekong Logistik GmbH",
        company_sector="Giao thông vận tải",
        company_size="50-249",
        company_website="https://www.mekong-logistik.de",
    )
    # The same company, written otherwise: merged on the folded name and the country.
    b = PersonFactory(
        full_name="Trần Thị Bình",
        kinds=["entrepreneur"],
        country="DE",
        company="MEKONG LOGISTIK GMBH",
        company_website=None,
    )
    # Another name, the same website domain: merged too.
    c = PersonFactory(
        full_name="Lê Văn Cường",
        kinds=["entrepreneur"],
        country="DE",
        company="Mekong Freight",
        company_website="mekong-logistik.de/team",
    )
    # The same name in another country: another business.
    d = PersonFactory(
        full_name="Phạm Văn Dũng",
        kinds=["entrepreneur"],
        country="FR",
        company="Mekong Logistik GmbH",
        company_website=None,
    )
    # Already a business: not suggested again.
    make_business(name="Phở Hà Nội SARL", country="FR")
    PersonFactory(kinds=["entrepreneur"], country="FR", company="Pho Ha Noi SARL")
    return a, b, c, d


def test_dry_run_lists_the_merged_groups_and_writes_nothing(runner, db):
    _people()
    result = runner.invoke(args=["businesses", "suggest", "--dry-run"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[-1].startswith("2 business(es) would be created")
    assert any(
        "DE | Mekong Logistik GmbH | https://www.mekong-logistik.de | transportation | medium"
        " | 3 person(s)" in line
        for line in lines
    )
    assert any(line.startswith("FR | Mekong Logistik GmbH") for line in lines)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Business)) == 1


def test_suggest_creates_unverified_unlisted_businesses_with_links_to_accept(runner, db):
    a, b, c, d = _people()
    result = runner.invoke(args=["businesses", "suggest"])
    assert result.exit_code == 0, result.output
    assert "2 business(es) created" in result.output
    business = db.session.scalar(
        sa.select(Business).where(Business.country == "DE", Business.name_key != "")
    )
    assert business.verified_at is None and business.consent_listed is False
    assert business.provenance_mission_id is not None
    links = db.session.scalars(
        sa.select(BusinessPerson).where(BusinessPerson.business_id == business.id)
    ).all()
    assert {link.person_id for link in links} == {a.id, b.id, c.id}
    assert all(link.accepted_at is None and link.role == "owner" for link in links)
    # Run again: nothing new.
    result = runner.invoke(args=["businesses", "suggest", "--dry-run"])
    assert "0 business(es) would be created" in result.output
