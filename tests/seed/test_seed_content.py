"""The demo directory that ``flask seed-demo`` writes: realistic, consistent, bilingual.

The 300-person seed runs once for this module (read-only checks); the command's behaviour on
empty and non-empty databases is in ``test_seed_cli.py``.
"""

from __future__ import annotations

import phonenumbers
import pytest
import sqlalchemy as sa

from directory import create_app
from directory.accounts.models import User
from directory.accounts.passwords import verify_password
from directory.associations.models import Association, Membership
from directory.extensions import db
from directory.missions.models import Mission
from directory.people.models import ConsentRecord, Person
from directory.reference.fields import shipped_fields
from directory.reference.provinces import all_provinces, resolve_province
from directory.search.outbox import SearchOutbox
from directory.seed.cast import DEMO_ACCOUNTS, DUPLICATE_CANDIDATES
from search_index.normalize import name_key
from tests.conftest import _reset_database
from tests.conftest import test_config as base_config


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """The CLI result of one default ``seed-demo`` run; the app context stays pushed."""
    app = create_app(base_config(str(tmp_path_factory.mktemp("seed-instance"))))
    with app.app_context():
        _reset_database(app)
        result = app.test_cli_runner().invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output
        yield result
        db.session.remove()
    with app.app_context():
        db.engine.dispose()


def _people():
    return db.session.scalars(sa.select(Person)).all()


def test_seed_creates_300_people_in_at_least_ten_countries(seeded):
    people = _people()
    assert len(people) == 300
    assert len({p.country for p in people}) >= 10
    assert "300 people" in seeded.output


def test_demo_accounts_can_log_in_with_the_documented_passwords(seeded):
    for account in DEMO_ACCOUNTS:
        user = db.session.scalar(sa.select(User).where(User.email == account.email))
        assert user is not None, account.email
        assert verify_password(user.password_hash, account.password)
        assert not verify_password(user.password_hash, "wrong password")
        assert user.role == account.role
        assert user.email_verified_at is not None and user.is_active


def test_officials_have_their_scope(seeded):
    users = {u.email: u for u in db.session.scalars(sa.select(User))}
    paris = users["paris@demo.kieubao.vn"]
    assert paris.mission.code == "FR-PARIS"
    assert paris.mission.name == "Đại sứ quán Việt Nam tại Pháp"
    assert set(paris.mission.countries) == {"FR", "MC"}
    assert users["danang@demo.kieubao.vn"].province_slug == "da-nang"
    assert not users["danang@demo.kieubao.vn"].is_approver
    assert users["danang.approver@demo.kieubao.vn"].is_approver
    member = users["member@demo.kieubao.vn"]
    assert member.person is not None and member.person.full_name == "Lê Thị Thu Hà"
    assert member.person.country == "FR"


def test_every_country_of_residence_is_covered_by_a_mission(seeded):
    covered = {c for m in db.session.scalars(sa.select(Mission)) for c in m.countries}
    assert {p.country for p in _people()} <= covered
    codes = set(db.session.scalars(sa.select(Mission.code)))
    assert {"FR-PARIS", "DE-BERLIN", "US-DC", "JP-TOKYO"} <= codes


def test_profiles_are_stored_as_the_services_would(seeded):
    taxonomy = {f["code"] for f in shipped_fields()}
    for person in _people():
        assert person.name_key == name_key(person.full_name)
        assert 1 <= len(person.fields) <= 3 and set(person.fields) <= taxonomy
        assert person.kinds and set(person.kinds) <= {"expert", "entrepreneur"}
        assert person.languages
        if person.phone:
            number = phonenumbers.parse(person.phone)
            assert phonenumbers.is_valid_number(number)
            assert person.phone == phonenumbers.format_number(
                number, phonenumbers.PhoneNumberFormat.E164
            )
        if person.hometown_as_given:
            assert person.hometown_province == resolve_province(person.hometown_as_given)
        if person.provenance == "mission":
            assert person.provenance_mission is not None
            assert person.provenance_mission.covers(person.country)
        if person.verified:
            assert person.verified_by_mission.covers(person.country)


def test_names_keep_their_diacritics_and_use_real_family_names(seeded):
    people = _people()
    families = [p.full_name.split()[0] for p in people]
    assert families.count("Nguyễn") > len(people) * 0.2
    assert {"Trần", "Lê", "Phạm", "Đặng", "Bùi"} <= set(families)
    assert sum(1 for p in people if p.other_names) > 30


def test_hometowns_use_current_and_legacy_names(seeded):
    legacy_only = {name for p in all_provinces() for name in p.legacy_names if name != p.name_vi}
    given = {p.hometown_as_given for p in _people() if p.hometown_as_given}
    assert given & legacy_only, "some hometowns are written with a pre-2025 province name"
    assert {"Quảng Nam", "Thừa Thiên Huế"} <= given
    by_slug = {p.hometown_province for p in _people()}
    assert len(by_slug - {None}) >= 20


def test_visibility_consent_and_verification_are_mixed(seeded):
    people = _people()
    assert 0 < sum(p.consent_listed for p in people) < len(people)
    assert 0 < sum(p.consent_contact for p in people) < len(people)
    assert 0 < sum(p.verified for p in people) < len(people)
    assert {p.visibility_contact for p in people} == {"public", "officials", "private"}
    assert {p.provenance for p in people} == {"mission", "self", "import"}
    for person in people:
        if person.consent_listed or person.consent_contact:
            assert person.consent_at is not None and person.consent_notice_version
            purposes = {c.purpose: c.granted for c in person.consents}
            assert purposes == {"listed": person.consent_listed, "contact": person.consent_contact}
    assert db.session.scalar(sa.select(sa.func.count(ConsentRecord.id))) > 200


def test_bios_are_in_vietnamese_and_english(seeded):
    bios = [p.bio for p in _people() if p.bio]
    assert any(" tại " in b for b in bios)
    assert any(" at " in b or "With " in b for b in bios)


def test_a_verified_semiconductor_expert_in_france_accepts_contact(seeded):
    experts = [
        p
        for p in _people()
        if p.country == "FR"
        and "semiconductors" in p.fields
        and p.verified
        and p.consent_contact
        and p.consent_listed
    ]
    assert experts
    assert any(p.hometown_province == "da-nang" for p in experts)


def test_french_residents_an_import_file_would_duplicate(seeded):
    french = {p.name_key: p for p in _people() if p.country == "FR"}
    for full_name, as_imported in DUPLICATE_CANDIDATES.items():
        assert name_key(as_imported) in french
        assert french[name_key(as_imported)].full_name == full_name


def test_associations_have_provinces_leaders_and_members(seeded):
    associations = db.session.scalars(sa.select(Association)).all()
    assert {a.kind for a in associations} == {"hometown", "professional", "business"}
    assert len({a.country for a in associations}) >= 10
    for association in associations:
        if association.kind == "hometown":
            assert association.province_slug is not None
        assert association.description
        leaders = [m for m in association.memberships if m.is_leader and m.end_date is None]
        if association.memberships:
            assert leaders
        for membership in association.memberships:
            assert membership.person.country == association.country
    qn = next(a for a in associations if a.name.startswith("Hội đồng hương Quảng Nam"))
    assert qn.province_slug == "da-nang"
    roles = {m.person.full_name: m.role for m in qn.memberships}
    assert roles["Lê Thị Thu Hà"] == "president"
    assert db.session.scalar(sa.select(sa.func.count(Membership.id))) > 100


def test_search_outbox_lists_every_person_and_association(seeded):
    rows = db.session.scalars(sa.select(SearchOutbox)).all()
    people = {r.entity_id for r in rows if r.entity_type == "person"}
    associations = {r.entity_id for r in rows if r.entity_type == "association"}
    assert people == {p.id for p in _people()}
    assert associations == set(db.session.scalars(sa.select(Association.id)))


def test_the_seed_follows_the_consent_rules(seeded):
    """Only members make a profile public; officials' records of consent carry evidence."""
    people = _people()
    assert any(p.user is None for p in people) and any(p.user is not None for p in people)
    for person in people:
        by_purpose = {c.purpose: c for c in person.consents}
        assert set(by_purpose) == {"listed", "contact"}
        if person.user is None:
            assert "public" not in (person.visibility_profile, person.visibility_contact)
            for record in by_purpose.values():
                if record.granted:
                    assert record.source in ("paper", "online_form") and record.evidence_date
                else:
                    assert record.source == "official"
        else:
            assert {r.source for r in by_purpose.values()} == {"member"}


def test_the_seeds_memberships_are_established_so_accepted(seeded):
    statuses = set(db.session.scalars(sa.select(Membership.status)))
    assert statuses == {"accepted"}
    assert (
        db.session.scalar(
            sa.select(sa.func.count(Membership.id)).where(Membership.decided_at.is_(None))
        )
        == 0
    )
