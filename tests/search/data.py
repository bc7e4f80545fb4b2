"""A small directory that exercises every search behaviour (people, an association, users)."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

from directory.core.models import utcnow
from directory.extensions import db
from tests.factories import (
    AssociationFactory,
    MissionFactory,
    PersonFactory,
    UserFactory,
)


def _at(day: int) -> datetime:
    return datetime(2025, 1, day, 12, 0, tzinfo=UTC)


def build_directory() -> SimpleNamespace:
    """People and users, committed (the outbox holds their index changes)."""
    mission = MissionFactory(code="FRA", countries=["FR"])
    dung = PersonFactory(
        full_name="Nguyễn Văn Dũng",
        kinds=["expert"],
        fields=["semiconductors"],
        country="FR",
        city="Grenoble",
        hometown_province="da-nang",
        hometown_as_given="Đà Nẵng",
        languages=["vi", "fr"],
        organization="CEA-Leti",
        title="Kỹ sư thiết kế vi mạch",
        bio="Thiết kế vi mạch cho ô tô điện.",
        email="zephyrmail@example.net",
        phone="+33612345678",
        visibility_profile="public",
        visibility_contact="private",
        verified_at=utcnow(),
        verified_by_mission_id=mission.id,
        provenance="mission",
        provenance_mission_id=mission.id,
    )
    lan = PersonFactory(
        full_name="Đặng Thị Lan",
        other_names=["Lan Schmidt"],
        kinds=["entrepreneur"],
        fields=["renewable-energy"],
        country="DE",
        city="Berlin",
        hometown_province="lao-cai",
        hometown_as_given="Yên Bái",
        languages=["vi", "de", "en"],
        organization="Sonnenkraft GmbH",
        title="Founder",
        bio="Founder of a solar company. <script>alert('x')</script>",
        email="lan@example.org",
        visibility_profile="public",
        visibility_contact="public",
    )
    quan = PersonFactory(
        full_name="Trần Minh Quân",
        kinds=["expert"],
        fields=["artificial-intelligence"],
        country="US",
        city="Palo Alto",
        hometown_province="lao-cai",
        hometown_as_given="Lào Cai",
        languages=["vi", "en"],
        organization="Quasarlab",
        title="Research scientist",
        bio="Nghiên cứu học máy.",
        email="quan@example.com",
        visibility_profile="officials",
        visibility_contact="private",
    )
    ha = PersonFactory(
        full_name="Lê Thu Hà",
        kinds=["expert"],
        fields=["semiconductors"],
        country="JP",
        city="Tokyo",
        hometown_province="ha-noi",
        hometown_as_given="Hà Nội",
        languages=["vi", "ja"],
        organization="Hitachi",
        title="Engineer",
        bio="Đóng gói chip.",
        email="ha@example.jp",
        consent_listed=False,
        visibility_profile="officials",
    )
    nam = PersonFactory(
        full_name="Võ Hoàng Nam",
        kinds=["entrepreneur", "expert"],
        fields=[],
        country="FR",
        city="Lyon",
        hometown_province="hue",
        hometown_as_given="Thừa Thiên Huế",
        languages=["vi"],
        organization="Nam Electronics",
        title="CEO",
        bio="Sản xuất linh kiện bán dẫn.",
        email="nam@example.fr",
        visibility_profile="public",
    )
    association = AssociationFactory(
        name="Hội đồng hương Đà Nẵng tại Pháp",
        name_en="Da Nang Hometown Association in France",
        kind="hometown",
        province_slug="da-nang",
        country="FR",
        city="Paris",
        description="Kết nối người Đà Nẵng ở Pháp.",
    )
    # Distinct update times for the "updated" sort (newest first: nam, ha, quan, lan, dung).
    for day, obj in enumerate((dung, lan, quan, ha, nam), start=1):
        obj.updated_at = _at(day)
    association.updated_at = _at(6)
    db.session.commit()
    users = SimpleNamespace(
        embassy=UserFactory(role="embassy", mission=mission),
        province=UserFactory(role="province", province_slug="da-nang"),
        admin=UserFactory(role="admin"),
        ha=UserFactory(role="member", person_id=ha.id),
        other_member=UserFactory(role="member"),
    )
    return SimpleNamespace(
        mission=mission,
        dung=dung,
        lan=lan,
        quan=quan,
        ha=ha,
        nam=nam,
        association=association,
        users=users,
    )
