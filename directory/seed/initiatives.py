"""Demo initiatives: every state for Đà Nẵng (several overdue, some assigned to its officer,
some answering a need), a few for the central body and Huế, written through the domain's
services.

Run by ``seed_demo`` once the directory and the needs exist; each step is dated in the past (the
``at`` of the service, and ``as_of`` for what it writes besides), so that due dates and the
overdue flag mean something on a fresh ``make run``. The members get their inbox notices of
answers; nobody is emailed (the seed runs with mail suppressed).
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from directory.accounts.models import User
from directory.core.models import as_of
from directory.extensions import db
from directory.initiatives import services
from directory.needs.models import Need
from directory.seed.cast import DEMO_ACCOUNTS
from directory.seed.history import FIXED_EMAILS, Actors

# (submitter: "member", "other" (another member) or "expert"; province or None (the central
#  body); title; fields; text; days since receipt; steps [(action, actor, input, days after
#  receipt)]; the need it answers (a key of seed/needs.py) or None)
DEMO = (
    (
        "member",
        "da-nang",
        "Kết nối doanh nghiệp Pháp với Khu công nghệ cao Đà Nẵng",
        ["electronics-manufacturing", "investment"],
        "Tổ chức một đoàn 10 doanh nghiệp điện tử vùng Auvergne-Rhône-Alpes khảo sát Khu công "
        "nghệ cao Đà Nẵng, kèm hội thảo về ưu đãi đầu tư.",
        40,
        [("triage", "officer", {}, 2), ("assign", "officer", {"assignee_id": "officer"}, 3)],
        None,
    ),
    (
        "member",
        "da-nang",
        "Chương trình thực tập hè cho sinh viên công nghệ thông tin",
        ["ict", "education-training"],
        "Mỗi mùa hè, năm công ty phần mềm của kiều bào ở Paris nhận sinh viên Đà Nẵng thực tập "
        "từ xa, có cố vấn người Việt.",
        3,
        [],
        None,
    ),
    (
        "other",
        "da-nang",
        "Du lịch cộng đồng ở làng rau Trà Quế",
        ["tourism", "agriculture"],
        "Xây dựng tour trải nghiệm nông nghiệp hữu cơ cho khách châu Âu, với hướng dẫn viên "
        "song ngữ được kiều bào đào tạo.",
        20,
        [
            ("triage", "officer", {}, 1),
            ("assign", "officer", {"assignee_id": "approver"}, 2),
            ("review", "approver", {}, 4),
            ("note", "approver", {"text": "Cần hỏi Sở Du lịch về quy hoạch làng Trà Quế."}, 5),
        ],
        None,
    ),
    (
        "member",
        "da-nang",
        "Trạm quan trắc chất lượng nước sông Hàn",
        ["environmental-engineering", "internet-of-things"],
        "Đề xuất mạng cảm biến giá rẻ đo chất lượng nước, dữ liệu mở cho các trường đại học.",
        25,
        [
            ("triage", "officer", {}, 1),
            ("assign", "officer", {"assignee_id": "officer"}, 1),
            ("review", "officer", {}, 3),
            (
                "answer",
                "officer",
                {
                    "answer": "Sở Tài nguyên và Môi trường sẽ làm việc với anh chị về một dự án "
                    "thí điểm ba trạm vào quý tới."
                },
                15,
            ),
        ],
        None,
    ),
    (
        "other",
        "da-nang",
        "Học bổng kỹ sư bán dẫn Đà Nẵng – Grenoble",
        ["semiconductors", "education-training"],
        "Mỗi năm hai học bổng thạc sĩ vi điện tử tại Grenoble, đổi lại hai năm làm việc ở Đà Nẵng.",
        60,
        [
            ("triage", "officer", {}, 1),
            ("assign", "officer", {"assignee_id": "approver"}, 2),
            ("review", "approver", {}, 3),
            (
                "answer",
                "approver",
                {"answer": "Thành phố đưa học bổng vào chương trình phát triển nhân lực bán dẫn."},
                20,
            ),
            ("adopt", "approver", {}, 25),
        ],
        None,
    ),
    (
        "other",
        None,
        "Cổng thông tin chung cho chuyên gia kiều bào",
        ["digital-transformation"],
        "Một cổng duy nhất để kiều bào tìm các chương trình hợp tác của mọi tỉnh, thành phố.",
        50,
        [
            ("triage", "admin", {}, 2),
            ("assign", "admin", {"assignee_id": "admin"}, 2),
            ("review", "admin", {}, 5),
            ("answer", "admin", {"answer": "Danh bạ này đã phục vụ mục đích đó."}, 10),
            ("decline", "admin", {}, 12),
        ],
        None,
    ),
    (
        "member",
        None,
        "Ngày hội kiều bào trẻ",
        ["arts-entertainment"],
        "Một ngày hội hằng năm cho thanh niên kiều bào về nước.",
        15,
        [("withdraw", "member", {}, 4)],
        None,
    ),
    (
        "member",
        "hue",
        "Phục dựng nhã nhạc cung đình với nghệ sĩ kiều bào",
        ["arts-entertainment", "tourism"],
        "Mời các nghệ sĩ kiều bào ở Pháp tham gia biểu diễn nhã nhạc trong Festival Huế.",
        8,
        [],
        None,
    ),
    (
        "expert",
        "da-nang",
        "Phòng thí nghiệm đóng gói vi mạch dùng chung với các trường đại học",
        ["semiconductors", "electronics-manufacturing"],
        "Đề xuất đặt phòng thí nghiệm đóng gói ở Khu công nghệ cao nhưng mở cho sinh viên Đại học "
        "Bách khoa Đà Nẵng, với chương trình thực hành do kỹ sư kiều bào hướng dẫn.",
        12,
        [
            ("triage", "officer", {}, 1),
            ("assign", "officer", {"assignee_id": "officer"}, 2),
            ("review", "officer", {}, 4),
            ("note", "officer", {"text": "Hỏi Khu công nghệ cao về diện tích còn trống."}, 5),
        ],
        "packaging",
    ),
    (
        "member",
        "da-nang",
        "Mạng lưới cố vấn kiều bào cho các dự án khởi nghiệp",
        ["innovation-startups", "fintech"],
        "Mỗi dự án được Quỹ khởi nghiệp sáng tạo rót vốn có một cố vấn kiều bào theo dõi trong "
        "một năm, gặp trực tuyến mỗi tháng.",
        35,
        [("triage", "officer", {}, 3)],
        "startup-fund",
    ),
    (
        "other",
        "da-nang",
        "Bản đồ ngập lụt cập nhật theo thời gian thực cho người dân",
        ["smart-cities", "climate-adaptation"],
        "Một ứng dụng bản đồ ngập lụt dùng dữ liệu cảm biến của thành phố, để người dân tránh "
        "các tuyến đường ngập.",
        70,
        [
            ("triage", "officer", {}, 2),
            ("assign", "officer", {"assignee_id": "approver"}, 3),
            ("review", "approver", {}, 5),
            (
                "answer",
                "approver",
                {
                    "answer": "Trung tâm điều hành đô thị thông minh đã có ứng dụng này trong kế "
                    "hoạch năm nay; cảm ơn anh chị đã góp ý."
                },
                25,
            ),
            ("decline", "approver", {}, 28),
        ],
        "smart-city",
    ),
    (
        "other",
        "da-nang",
        "Lớp tiếng Việt mùa hè cho trẻ em kiều bào",
        ["education-training", "vietnamese-studies"],
        "Mỗi mùa hè, Đà Nẵng đón trẻ em kiều bào học tiếng Việt và tìm hiểu văn hóa quê hương.",
        16,
        [("triage", "officer", {}, 2), ("withdraw", "other", {}, 6)],
        None,
    ),
    (
        "expert",
        "da-nang",
        "Cảm biến đo độ mặn nước cho các trạm bơm",
        ["internet-of-things", "environmental-engineering"],
        "Gắn cảm biến đo độ mặn ở các trạm bơm nước thô để cảnh báo sớm khi nước mặn xâm nhập.",
        50,
        [],
        "smart-city",
    ),
)


def _other_member() -> User | None:
    """A member other than the demo ones, with a confirmed address (the first by email)."""
    return db.session.scalar(
        sa.select(User)
        .where(
            User.role == "member",
            User.email.not_in(FIXED_EMAILS | {a.email for a in DEMO_ACCOUNTS}),
            User.person_id.is_not(None),
            User.email_verified_at.is_not(None),
        )
        .order_by(User.email)
        .limit(1)
    )


def seed_initiatives(cast: Actors, needs: dict[str, Need] | None = None) -> int:
    """Create the demo initiatives and take their steps; returns how many."""
    needs = needs or {}
    people = {
        "officer": cast.officer,
        "approver": cast.approver,
        "admin": cast.admin,
        "member": cast.member,
        "expert": cast.expert,
        "other": _other_member() or cast.member,
    }
    count = 0
    for who, province, title, fields, text, days, steps, need in DEMO:
        received = cast.ago(days)
        data = {"province": province, "title": title, "fields": fields, "text": text}
        if need in needs:
            data["need_id"] = needs[need].id
        with as_of(received):
            initiative = services.submit_initiative(data, people[who], at=received)
        for action, actor, payload, after in steps:
            if "assignee_id" in payload:
                payload = {"assignee_id": people[payload["assignee_id"]].id}
            at = received + timedelta(days=after, hours=1)
            with as_of(at):
                services.take_action(initiative, action, people[actor], payload, at=at)
        count += 1
    return count
