"""Demo contact requests, one or more in every state, through ``directory.contacts.services``.

The Đà Nẵng officer's requests: the demo member accepted one (sharing her email), another
member declined one, one waits for an answer, one was withdrawn, one expired unanswered. The
approver's request to the demo expert was accepted (email and phone), and the approver and the
Paris embassy officer each have one waiting.

The Đà Nẵng officer has asked the demo expert nothing, and waits on nobody whom the browser
journey's chip-design need would match (the fields below): that journey asks them itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app

from directory.contacts import services
from directory.contacts.models import ContactRequest
from directory.core.models import as_of
from directory.needs.models import Need
from directory.people.models import Person
from directory.seed.history import Actors, askable_by, both, in_fields, people, pick

# The fields of the browser journey's need (and close to them): its officer's pending and
# accepted requests go to nobody working in them.
JOURNEY_FIELDS = (
    "semiconductors",
    "education-training",
    "educational-sciences",
    "electrical-engineering",
    "electronics-manufacturing",
    "nanotechnology",
    "materials-engineering",
    "physics",
)


@dataclass(frozen=True)
class DemoRequest:
    requester: str  # an attribute of Actors
    person: str  # "expert", "member", or a key of the people chosen below
    need: str | None
    days_ago: float
    message: str
    outcome: str = "pending"  # accept, decline, withdraw, expire
    after: float = 0  # days after sending
    share: tuple[str, ...] = ()
    reason: str | None = None


REQUESTS = (
    DemoRequest(
        "approver",
        "expert",
        "packaging",
        30,
        "Sở Khoa học và Công nghệ Đà Nẵng mời anh tư vấn cho phòng thí nghiệm đóng gói vi mạch "
        "của Khu công nghệ cao.",
        "accept",
        2,
        share=("email", "phone"),
    ),
    DemoRequest(
        "officer",
        "member",
        "startup-fund",
        25,
        "Quỹ khởi nghiệp sáng tạo Đà Nẵng muốn trao đổi với chị về các quỹ đầu tư ở Paris.",
        "accept",
        1,
        share=("email",),
    ),
    DemoRequest(
        "officer",
        "declines",
        "smart-city",
        15,
        "Chúng tôi muốn mời anh chị tham gia hội thảo tư vấn kiến trúc dữ liệu đô thị.",
        "decline",
        3,
        reason="Năm nay tôi không thu xếp được thời gian, xin hẹn dịp khác.",
    ),
    DemoRequest(
        "officer",
        "withdrawn",
        "packaging",
        18,
        "Xin được trao đổi về hợp tác kiểm thử vi mạch.",
        "withdraw",
        4,
    ),
    DemoRequest(
        "officer",
        "expires",
        "startup-fund",
        45,
        "Quỹ khởi nghiệp sáng tạo Đà Nẵng muốn mời anh chị làm cố vấn cho vòng gọi vốn.",
        "expire",
    ),
    DemoRequest(
        "officer",
        "waits",
        "smart-city",
        6,
        "Sở Thông tin và Truyền thông Đà Nẵng muốn trao đổi về cảm biến đô thị và dữ liệu mở.",
    ),
    DemoRequest(
        "approver",
        "waits-approver",
        None,
        3,
        "Thành phố Đà Nẵng muốn mời anh chị tham dự Diễn đàn kiều bào tháng tới.",
    ),
    DemoRequest(
        "paris",
        "waits-paris",
        None,
        8,
        "Đại sứ quán mời anh chị tham gia mạng lưới chuyên gia người Việt tại Pháp.",
    ),
)


def _people(cast: Actors) -> dict[str, Person]:
    """The generated members the requests go to, chosen by stable keys; fewer in a small demo."""
    members = people(member=True)
    taken: set[str] = set()

    def first(*tests) -> Person | None:
        for test in tests:
            found = pick([p for p in members if test(p)], taken)
            if found is not None:
                return found
        return None

    officer = askable_by(cast.officer)
    away = both(officer, lambda p: not set(p.fields or ()) & set(JOURNEY_FIELDS))
    chosen = {
        "waits": first(both(away, in_fields(("smart-cities", "internet-of-things", "ict"))), away),
        "declines": first(officer),
        "withdrawn": first(officer),
        "expires": first(officer),
        "waits-approver": first(askable_by(cast.approver)),
        "waits-paris": first(both(lambda p: p.country == "FR", askable_by(cast.paris))),
    }
    return {key: person for key, person in chosen.items() if person is not None}


def seed_contact_requests(cast: Actors, needs: dict[str, Need]) -> list[ContactRequest]:
    """Send the demo requests and answer them, each on its day; returns them."""
    targets = _people(cast)
    targets["expert"] = cast.expert.person
    targets["member"] = cast.member.person
    days = int(current_app.config["CONTACT_REQUEST_DAYS"])
    made = []
    for spec in REQUESTS:
        person = targets.get(spec.person)
        if person is None:
            continue
        requester = getattr(cast, spec.requester)
        sent = cast.ago(spec.days_ago, hours=2)
        with as_of(sent):
            request = services.create_request(
                requester, person.id, spec.message, needs.get(spec.need) if spec.need else None
            )
        if spec.outcome == "expire":
            # The worker's daily run after the date passed.
            with as_of(sent + timedelta(days=days, hours=1)):
                services.expire_due()
        elif spec.outcome != "pending":
            actor = requester if spec.outcome == "withdraw" else person.user
            data = {"share": list(spec.share)} if spec.outcome == "accept" else {}
            if spec.reason:
                data["reason"] = spec.reason
            with as_of(sent + timedelta(days=spec.after, hours=5)):
                services.take_action(request, spec.outcome, actor, data)
        made.append(request)
    return made
