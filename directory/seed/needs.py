"""Demo cooperation needs, members' interest in them and the province's shortlists.

Đà Nẵng publishes six needs (every type, both audiences, open, in progress and closed), the admin
publishes four for other provinces; milestones and deadlines lie ahead of the day the seed runs.
Members (the demo expert and the demo member among them) express interest in the public ones,
and the Đà Nẵng officer shortlists candidates. Everything goes through ``directory.needs.services``.

Not seeded: "Chip design training partnership, 2027 roadmap", which the browser journey of the
province finding experts publishes itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from directory.core.models import as_of
from directory.needs import services
from directory.needs.models import Need
from directory.people.models import Person
from directory.reference.provinces import vietnam_today
from directory.seed.history import Actors, askable_by, both, in_fields, people


@dataclass(frozen=True)
class DemoNeed:
    key: str
    province: str
    title: str
    type: str
    fields: tuple[str, ...]
    countries: tuple[str, ...]
    audience: str
    description: str
    days_ago: int  # published
    # (title, days after the seed's day); the deadline likewise.
    milestones: tuple[tuple[str, int], ...] = ()
    deadline_in: int | None = None
    status: str = "open"  # in_progress / closed: set later by the province
    interested: int = 0  # generated members who express interest (besides the demo ones)
    shortlist: int = 0  # candidates the Đà Nẵng officer shortlists
    notes: tuple[str, ...] = field(default=())


NEEDS = (
    DemoNeed(
        "packaging",
        "da-nang",
        "Phòng thí nghiệm đóng gói và kiểm thử vi mạch tại Khu công nghệ cao Đà Nẵng",
        "technology_transfer",
        ("semiconductors", "electronics-manufacturing"),
        ("FR", "JP", "US"),
        "public",
        "Thành phố cần đối tác chuyển giao quy trình đóng gói tiên tiến và kiểm thử vi mạch cho "
        "phòng thí nghiệm dùng chung của Khu công nghệ cao, phục vụ các doanh nghiệp thiết kế "
        "chip đang đặt tại Đà Nẵng.",
        45,
        (("Khảo sát nhu cầu của doanh nghiệp", 40), ("Ký thỏa thuận chuyển giao", 160)),
        deadline_in=300,
        interested=2,
        shortlist=2,
        notes=("Đóng gói tiên tiến, 18 năm kinh nghiệm", "Kiểm thử vi mạch"),
    ),
    DemoNeed(
        "smart-city",
        "da-nang",
        "Tư vấn trung tâm điều hành đô thị thông minh",
        "expertise",
        ("smart-cities", "internet-of-things", "data-science"),
        ("KR", "JP", "DE"),
        "public",
        "Đà Nẵng mở rộng trung tâm điều hành đô thị thông minh (giao thông, ngập lụt, môi "
        "trường) và tìm chuyên gia kiều bào tư vấn kiến trúc dữ liệu và cảm biến.",
        20,
        (("Hội thảo tư vấn kiến trúc dữ liệu", 30), ("Thí điểm cảm biến ngập lụt", 120)),
        deadline_in=180,
        interested=2,
        shortlist=2,
        notes=("Kinh nghiệm cảm biến đô thị", "Dữ liệu giao thông"),
    ),
    DemoNeed(
        "startup-fund",
        "da-nang",
        "Nhà đầu tư kiều bào cho Quỹ khởi nghiệp sáng tạo Đà Nẵng",
        "investment",
        ("innovation-startups", "finance-banking", "fintech"),
        ("US", "FR", "DE", "AU"),
        "public",
        "Quỹ khởi nghiệp sáng tạo của thành phố tìm nhà đầu tư và cố vấn kiều bào cho vòng gọi "
        "vốn thứ hai, ưu tiên các dự án công nghệ tài chính và công nghệ xanh.",
        60,
        (("Mở vòng gọi vốn thứ hai", 45), ("Ngày gặp gỡ nhà đầu tư", 100)),
        deadline_in=150,
        interested=1,
        shortlist=1,
        notes=("Tài chính số, kiều hối",),
    ),
    DemoNeed(
        "aquaculture",
        "da-nang",
        "Chuyển giao công nghệ nuôi tôm tuần hoàn cho huyện Hòa Vang",
        "technology_transfer",
        ("aquaculture", "high-tech-agriculture"),
        ("AU", "US", "JP"),
        "officials",
        "Hợp tác xã ở Hòa Vang cần công nghệ nuôi tôm tuần hoàn tiết kiệm nước; Sở Nông nghiệp "
        "đang làm việc với hai chuyên gia kiều bào.",
        80,
        (("Nghiệm thu ao thí điểm", 60),),
        deadline_in=200,
        status="in_progress",
    ),
    DemoNeed(
        "seafood-japan",
        "da-nang",
        "Xúc tiến xuất khẩu hải sản Đà Nẵng sang Nhật Bản",
        "trade_promotion",
        ("seafood-export", "import-export"),
        ("JP",),
        "public",
        "Tìm doanh nghiệp kiều bào tại Nhật Bản làm cầu nối cho các cơ sở chế biến hải sản của "
        "Đà Nẵng; đã kết nối xong ba nhà nhập khẩu.",
        150,
        (("Hội chợ thủy sản Tokyo", 20),),
        deadline_in=60,
        status="closed",
        interested=1,
    ),
    DemoNeed(
        "nurses",
        "da-nang",
        "Đào tạo điều dưỡng chuẩn quốc tế cho các bệnh viện Đà Nẵng",
        "training",
        ("nursing", "healthcare", "education-training"),
        ("DE", "JP"),
        "officials",
        "Các bệnh viện của thành phố cần chương trình đào tạo điều dưỡng theo chuẩn Đức và Nhật, "
        "với giảng viên kiều bào hướng dẫn thực hành.",
        10,
        (("Chọn bệnh viện thí điểm", 25), ("Khóa đầu tiên", 140)),
        deadline_in=240,
    ),
    DemoNeed(
        "hue-heritage",
        "hue",
        "Chuyên gia bảo tồn cho dự án phục hồi Đại Nội Huế",
        "expertise",
        ("architecture", "history", "tourism"),
        ("FR",),
        "public",
        "Trung tâm Bảo tồn Di tích Cố đô Huế tìm kiến trúc sư và nhà sử học kiều bào tham gia "
        "phục hồi các công trình trong Đại Nội.",
        35,
        (("Hội thảo khoa học về phục hồi điện Kiến Trung", 50),),
        deadline_in=210,
        interested=1,
    ),
    DemoNeed(
        "hanoi-ai",
        "ha-noi",
        "Trí tuệ nhân tạo cho dịch vụ công trực tuyến của Hà Nội",
        "expertise",
        ("artificial-intelligence", "digital-transformation"),
        ("US", "KR", "CA"),
        "public",
        "Hà Nội tìm chuyên gia trí tuệ nhân tạo kiều bào tư vấn trợ lý ảo cho cổng dịch vụ công.",
        50,
        (("Bản thiết kế trợ lý ảo", 70),),
        deadline_in=260,
        status="in_progress",
        interested=2,
    ),
    DemoNeed(
        "can-tho-rice",
        "can-tho",
        "Liên kết sản xuất lúa gạo phát thải thấp",
        "technology_transfer",
        ("high-tech-agriculture", "agronomy", "climate-adaptation"),
        ("JP", "AU"),
        "officials",
        "Cần Thơ cần chuyển giao quy trình canh tác lúa giảm phát thải cho vùng nguyên liệu một "
        "triệu héc-ta.",
        25,
        (("Mùa vụ thí điểm", 90),),
        deadline_in=330,
    ),
    DemoNeed(
        "hcmc-finance",
        "ho-chi-minh",
        "Nhà đầu tư cho trung tâm tài chính quốc tế Thành phố Hồ Chí Minh",
        "investment",
        ("finance-banking", "fintech", "investment"),
        ("US", "GB"),
        "public",
        "Thành phố tìm nhà đầu tư và chuyên gia tài chính kiều bào cho trung tâm tài chính quốc "
        "tế.",
        15,
        (("Diễn đàn nhà đầu tư", 60),),
        deadline_in=365,
        interested=1,
    ),
)

# What the demo accounts say when they express interest.
EXPERT_INTEREST = (
    "packaging",
    "Tôi làm đóng gói tiên tiến 18 năm tại STMicroelectronics và sẵn sàng tư vấn cho phòng "
    "thí nghiệm.",
)
MEMBER_INTEREST = (
    "startup-fund",
    "Tôi nghiên cứu tài chính số và có thể giới thiệu các quỹ đầu tư ở Paris.",
)
INTEREST_MESSAGE = "Tôi quan tâm và có thể đóng góp kinh nghiệm trong lĩnh vực này."


def _in(days: int) -> date:
    return vietnam_today() + timedelta(days=days)


def _publish(spec: DemoNeed, by) -> Need:
    data = {
        "province": spec.province,
        "title": spec.title,
        "description": spec.description,
        "type": spec.type,
        "fields": list(spec.fields),
        "countries": list(spec.countries),
        "milestones": [{"title": t, "due": _in(days).isoformat()} for t, days in spec.milestones],
        "deadline": _in(spec.deadline_in).isoformat() if spec.deadline_in else None,
        "audience": spec.audience,
    }
    return services.create_need(data, by)


def seed_needs(cast: Actors) -> dict[str, Need]:
    """Publish the demo needs, then the interest in them, the shortlists and the status changes.
    Returns the needs by key."""
    needs: dict[str, Need] = {}
    for spec in NEEDS:
        by = cast.officer if spec.province == cast.officer.province_slug else cast.admin
        with as_of(cast.ago(spec.days_ago, hours=3)):
            needs[spec.key] = _publish(spec, by)
    _interest(cast, needs)
    _shortlists(cast, needs)
    for spec in NEEDS:
        if spec.status == "open":
            continue
        need = needs[spec.key]
        # In progress: its officer says so; closed: the approver (the admin elsewhere).
        team = spec.province == cast.officer.province_slug
        by = (cast.approver if spec.status == "closed" else cast.officer) if team else cast.admin
        with as_of(cast.ago(max(1, spec.days_ago // 4), hours=2)):
            services.update_need(need, {"status": spec.status}, by)
    return needs


def _interest(cast: Actors, needs: dict[str, Need]) -> None:
    for user, (key, message) in ((cast.expert, EXPERT_INTEREST), (cast.member, MEMBER_INTEREST)):
        spec = next(s for s in NEEDS if s.key == key)
        with as_of(cast.ago(spec.days_ago - 3, hours=5)):
            services.express_interest(needs[key], user, message)
    taken = {cast.expert.person_id, cast.member.person_id}
    for spec in NEEDS:
        if not spec.interested:
            continue
        found = people([Person.consent_listed.is_(True)], member=True, keep=in_fields(spec.fields))
        chosen = [p for p in found if p.id not in taken][: spec.interested]
        for n, person in enumerate(chosen):
            with as_of(cast.ago(spec.days_ago - 2 - 4 * n, hours=n)):
                services.express_interest(needs[spec.key], person.user, INTEREST_MESSAGE)


def _shortlists(cast: Actors, needs: dict[str, Need]) -> None:
    """The Đà Nẵng officer shortlists, for each need that says so, the people interested first
    (the demo expert on the packaging need), then contactable people in its fields."""
    officer = cast.officer
    for spec in NEEDS:
        if not spec.shortlist:
            continue
        need = needs[spec.key]
        interested = [i.person for i in need.interests]
        contactable = people(
            [Person.consent_contact.is_(True)],
            keep=both(in_fields(spec.fields), askable_by(officer)),
        )
        chosen: list[Person] = []
        for person in interested + contactable:
            if person not in chosen and person.consent_contact:
                chosen.append(person)
        notes = spec.notes or ("",)
        for n, person in enumerate(chosen[: spec.shortlist]):
            with as_of(cast.ago(spec.days_ago - 5 - 2 * n, hours=1)):
                services.add_to_shortlist(need, person.id, notes[n % len(notes)], officer)
