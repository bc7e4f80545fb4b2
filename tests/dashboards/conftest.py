"""A small known directory around Đà Nẵng and the Paris mission, with every figure worked out.

Built on the cast (``tests.factories.make_cast``): its five profiles are experts in
semiconductors from Đà Nẵng, four in France (one verified, one not listed), one in Germany.
``EXPECTED`` holds the figures the Đà Nẵng officer and the Paris embassy officer must see.
"""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from directory.accounts.models import EmailToken
from directory.contacts.models import ContactRequest
from directory.core.models import utcnow
from directory.extensions import db as _db
from directory.imports.models import ImportBatch
from directory.initiatives.models import Initiative
from directory.initiatives.services import today
from directory.needs.models import Need, NeedInterest
from directory.representatives.models import Nomination
from tests.factories import AssociationFactory, PersonFactory

# What the Đà Nẵng officer sees of Đà Nẵng (GET /api/v1/stats/province/da-nang).
EXPECTED_PROVINCE = {
    "people_by_country": {"FR": 5, "DE": 1, "JP": 1, "US": 1},
    "people_by_field": {"semiconductors": 7, "artificial-intelligence": 2},
    "people_verified": 3,
    "people_new_90d": 7,
    "needs_open": 2,
    "contact_requests_pending": 2,
    "initiatives_by_state": {
        "received": 1,
        "triaged": 0,
        "assigned": 1,
        "under_review": 1,
        "answered": 1,
        "adopted": 1,
        "declined": 0,
        "withdrawn": 0,
    },
    "initiatives_overdue": 1,
    "representatives_active": 2,
    "representatives_ending_90d": 1,
    "nominations_pending": 2,
    # No business in this world (tests/dashboards/test_businesses.py adds some).
    "businesses_by_country": {},
    "businesses_by_sector": {},
    "businesses_interested": 0,
    "businesses_present": 0,
}


def _initiative(state: str, *, province="da-nang", due_in=10, assignee=None) -> Initiative:
    return Initiative(
        province_slug=province,
        title=f"Đào tạo thiết kế vi mạch ({state})",
        fields=["semiconductors"],
        text="Đề xuất hợp tác đào tạo kỹ sư vi mạch.",
        links=[],
        state=state,
        received_at=utcnow() - timedelta(days=40),
        due_on=today() + timedelta(days=due_in),
        assignee_id=assignee.id if assignee is not None else None,
    )


def _nomination(cast, state: str, *, country="FR", region="", province="da-nang", ends_in=None):
    return Nomination(
        province_slug=province,
        person_id=cast.nominee_person.id,
        country=country,
        region=region,
        rationale="Chuyên gia vi mạch, gắn bó với Đà Nẵng.",
        state=state,
        created_by_id=cast.officer.id,
        term_end=today() + timedelta(days=ends_in) if ends_in is not None else None,
        submitted_at=utcnow() if state != "draft" else None,
    )


def _token(person, n: int, **values) -> EmailToken:
    data = {
        "purpose": "claim",
        "token_hash": f"{n:064d}",
        "email": person.email,
        "person_id": person.id,
        "expires_at": utcnow() + timedelta(days=10),
    }
    data.update(values)
    return EmailToken(**data)


@pytest.fixture
def world(db, cast):
    """The cast, plus: more people of Đà Nẵng (and some who must not count), initiatives,
    needs with interest, contact requests, nominations, claim invitations and imports."""
    now = utcnow()
    extra = SimpleNamespace(
        # Counted for Đà Nẵng.
        in_japan=PersonFactory(
            full_name="Vũ Thị Lan",
            country="JP",
            city="Tokyo",
            kinds=["entrepreneur"],
            fields=["semiconductors", "artificial-intelligence"],
            verified_at=now,
        ),
        old_in_us=PersonFactory(
            full_name="Đỗ Văn Hải",
            country="US",
            city="Boston",
            fields=["artificial-intelligence"],
            created_at=now - timedelta(days=200),
        ),
        legacy=PersonFactory(
            full_name="Võ Thành Nhân",
            hometown_as_given="Quảng Nam",
            verified_at=now,
            verified_by_mission_id=cast.paris.id,
        ),
        # Not counted for Đà Nẵng: no kind, anonymised, another hometown.
        no_kind=PersonFactory(full_name="Ngô Bảo Châu", kinds=[]),
        anonymised=PersonFactory(full_name="Bùi Văn Khánh", anonymised_at=now),
        from_hanoi=PersonFactory(
            full_name="Trịnh Công Sơn", hometown_province="ha-noi", hometown_as_given="Hà Nội"
        ),
        association=AssociationFactory(),
    )
    s = _db.session
    # Initiatives: one overdue, one assigned to the officer, one they review, two closed;
    # an overdue one of Hà Nội.
    s.add_all(
        [
            _initiative("received", due_in=-1),
            _initiative("assigned", assignee=cast.officer),
            _initiative("under_review", assignee=cast.officer),
            _initiative("answered", due_in=-5),
            _initiative("adopted", due_in=-5),
            _initiative("received", province="ha-noi", due_in=-3),
        ]
    )
    # Needs: two open (one with two interested members), one closed; one of Huế.
    wanted = Need(
        province_slug="da-nang",
        title="Đào tạo thiết kế vi mạch",
        type="training",
        fields=["semiconductors"],
        countries=["FR"],
        audience="officials",
        status="open",
    )
    s.add_all(
        [
            wanted,
            Need(province_slug="da-nang", title="Điện gió", type="investment", status="open"),
            Need(province_slug="da-nang", title="Cảng biển", type="investment", status="closed"),
            Need(province_slug="hue", title="Du lịch di sản", type="expertise", status="open"),
        ]
    )
    s.flush()
    s.add_all(
        [
            NeedInterest(need_id=wanted.id, person_id=cast.owned.id),
            NeedInterest(need_id=wanted.id, person_id=cast.member_person.id),
        ]
    )
    # Contact requests: the officer's and the approver's pending, the officer's accepted one,
    # a pending one of Hà Nội.
    expires = now + timedelta(days=14)

    def ask(requester, person, state="pending"):
        return ContactRequest(
            person_id=person.id,
            requester_id=requester.id,
            message="Xin được liên hệ về dự án vi mạch.",
            state=state,
            expires_at=expires,
        )

    s.add_all(
        [
            ask(cast.officer, cast.owned),
            ask(cast.approver, cast.member_person),
            ask(cast.officer, cast.nominee_person, "accepted"),
            ask(cast.other_officer, cast.owned),
        ]
    )
    # Nominations: a draft and one awaiting approval, two active (one ending within 90 days),
    # one with the Paris embassy; an active one of Hà Nội.
    s.add_all(
        [
            _nomination(cast, "draft", region="Lyon"),
            _nomination(cast, "awaiting_approval", region="Marseille"),
            _nomination(cast, "active", ends_in=30),
            _nomination(cast, "active", country="DE", ends_in=200),
            _nomination(cast, "embassy_review", region="Toulouse"),
            _nomination(cast, "active", province="ha-noi", ends_in=10),
        ]
    )
    # Claim invitations: one pending, one expired, one used.
    s.add_all(
        [
            _token(cast.unclaimed, 1),
            _token(extra.no_kind, 2, expires_at=now - timedelta(days=1)),
            _token(extra.from_hanoi, 3, used_at=now),
        ]
    )
    # Imports: two of Paris in progress, one done; one of Berlin in progress.
    s.add_all(
        [
            ImportBatch(file_name="a.csv", mission_id=cast.paris.id, status="ready"),
            ImportBatch(file_name="b.csv", mission_id=cast.paris.id, status="queued"),
            ImportBatch(file_name="c.csv", mission_id=cast.paris.id, status="done"),
            ImportBatch(file_name="d.csv", mission_id=cast.berlin.id, status="reading"),
        ]
    )
    s.commit()
    return SimpleNamespace(cast=cast, **vars(extra))


@pytest.fixture
def sync(app):
    """Bring the search index up to date, so that the lists behind the figures are current."""
    from directory.search.sync import drain

    def run():
        applied, failed = drain(app)
        assert failed == 0
        return applied

    return run


# What the admin sees on the central overview (GET /api/v1/stats/overview) of overview_world.
EXPECTED_OVERVIEW = {
    "people_by_country": {"FR": 6, "US": 4, "AU": 1, "CA": 1, "DE": 1, "JP": 1, "VN": 1},
    "people_by_field": {
        "semiconductors": 8,
        "tourism": 4,
        "artificial-intelligence": 2,
        "hospitality": 2,
        "fintech": 1,
        "logistics": 1,
    },
    "people_by_province": {"da-nang": 8, "hue": 5, "ha-noi": 2},
    # Đà Nẵng: FR, DE, JP are its main countries, JP has no representative; Huế: US, AU, AU
    # has none; Hà Nội: FR, covered (and Vietnam, which is not abroad).
    "provinces_without_representatives": ["da-nang", "hue"],
    # green-hydrogen: nobody; hospitality: one contactable (two needs); tourism: two.
    "fields_without_matches": ["green-hydrogen", "hospitality", "tourism"],
    "initiatives_by_province": {
        "central": {
            "received": 1,
            "triaged": 0,
            "assigned": 0,
            "under_review": 0,
            "answered": 0,
            "adopted": 0,
            "declined": 1,
            "withdrawn": 0,
        },
        "da-nang": EXPECTED_PROVINCE["initiatives_by_state"],
        "ha-noi": {
            "received": 1,
            "triaged": 0,
            "assigned": 0,
            "under_review": 0,
            "answered": 0,
            "adopted": 0,
            "declined": 0,
            "withdrawn": 0,
        },
    },
    "businesses_by_country": {},
    "businesses_by_sector": {},
}


@pytest.fixture
def overview_world(world):
    """The world, plus people from Huế (in the US, Australia, nowhere), someone from no
    province, someone from Hà Nội back in Vietnam, a member with no kind who may be contacted, open needs naming tourism,
    hospitality and green hydrogen (and a closed one naming robotics), a representative of
    Huế in the US and two initiatives to the central body."""
    cast = world.cast
    extra = SimpleNamespace(
        hue_us=PersonFactory(
            full_name="Tôn Nữ Thị Ninh",
            country="US",
            hometown_province="hue",
            hometown_as_given="Thừa Thiên Huế",
            fields=["tourism", "hospitality"],
        ),
        hue_us_closed=PersonFactory(
            full_name="Nguyễn Khoa Điềm",
            country="US",
            hometown_province="hue",
            fields=["tourism"],
            contact_requests_enabled=False,
        ),
        hue_us_no_consent=PersonFactory(
            full_name="Hoàng Phủ Ngọc Tường",
            country="US",
            hometown_province="hue",
            fields=["hospitality"],
            consent_contact=False,
        ),
        hue_au=PersonFactory(
            full_name="Lê Văn Hưu",
            country="AU",
            city="Sydney",
            hometown_province="hue",
            kinds=["entrepreneur"],
            fields=["tourism"],
            consent_contact=False,
        ),
        hue_nowhere=PersonFactory(
            full_name="Phan Bội Châu",
            country=None,
            city=None,
            hometown_province="hue",
            fields=["tourism"],
            consent_contact=False,
        ),
        no_hometown=PersonFactory(
            full_name="Lý Thường Kiệt",
            country="CA",
            city="Toronto",
            hometown_province=None,
            hometown_as_given=None,
            fields=["fintech"],
        ),
        back_home=PersonFactory(
            full_name="Trần Hưng Đạo",
            country="VN",
            city="Hà Nội",
            hometown_province="ha-noi",
            hometown_as_given="Hà Nội",
            fields=["logistics"],
        ),
        # Not one of the people (no kind), but a contactable match for tourism.
        tourist_member=PersonFactory(
            full_name="Đoàn Thị Điểm",
            country="US",
            hometown_province="hue",
            kinds=[],
            fields=["tourism"],
        ),
    )
    s = _db.session
    s.add_all(
        [
            Need(
                province_slug="hue",
                title="Du lịch cộng đồng",
                type="expertise",
                fields=["tourism", "hospitality"],
                status="open",
            ),
            Need(
                province_slug="hue",
                title="Khách sạn xanh",
                type="investment",
                fields=["hospitality"],
                status="open",
            ),
            Need(
                province_slug="ha-noi",
                title="Hydro xanh",
                type="technology_transfer",
                fields=["green-hydrogen"],
                status="open",
            ),
            Need(
                province_slug="ha-noi",
                title="Robot công nghiệp",
                type="expertise",
                fields=["robotics-automation"],
                status="closed",
            ),
            Nomination(
                province_slug="hue",
                person_id=extra.hue_us.id,
                country="US",
                region="",
                rationale="Gắn bó với Huế.",
                state="active",
                created_by_id=cast.admin.id,
                term_end=today() + timedelta(days=400),
            ),
            _initiative("received", province=None, due_in=-2),
            _initiative("declined", province=None, due_in=-20),
        ]
    )
    s.commit()
    return SimpleNamespace(world=world, cast=cast, **vars(extra))
