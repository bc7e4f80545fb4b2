"""Demo initiatives: a few in every state, one overdue, written through the domain's services.

Run by ``seed_demo`` once the directory is committed; the dates lie in the past so that the
due dates and the overdue flag mean something on a fresh ``make run``. Nobody is emailed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from directory.accounts.models import User
from directory.core.models import utcnow
from directory.extensions import db
from directory.initiatives import services

MEMBER = "member@demo.kieubao.vn"
OFFICER = "danang@demo.kieubao.vn"
APPROVER = "danang.approver@demo.kieubao.vn"
ADMIN = "admin@demo.kieubao.vn"

# (submitter: 0 the demo member, 1 another member; province or None; title; fields; text;
#  days since receipt; steps [(action, actor, input, days after receipt)])
DEMO = (
    (
        0,
        "da-nang",
        "Kết nối doanh nghiệp Pháp với Khu công nghệ cao Đà Nẵng",
        ["electronics-manufacturing", "investment"],
        "Tổ chức một đoàn 10 doanh nghiệp điện tử vùng Auvergne-Rhône-Alpes khảo sát Khu công "
        "nghệ cao Đà Nẵng, kèm hội thảo về ưu đãi đầu tư.",
        40,
        [("triage", OFFICER, {}, 2), ("assign", OFFICER, {"assignee_id": OFFICER}, 3)],
    ),
    (
        0,
        "da-nang",
        "Chương trình thực tập hè cho sinh viên công nghệ thông tin",
        ["ict", "education-training"],
        "Mỗi mùa hè, năm công ty phần mềm của kiều bào ở Paris nhận sinh viên Đà Nẵng thực tập "
        "từ xa, có cố vấn người Việt.",
        3,
        [],
    ),
    (
        1,
        "da-nang",
        "Du lịch cộng đồng ở làng rau Trà Quế",
        ["tourism", "agriculture"],
        "Xây dựng tour trải nghiệm nông nghiệp hữu cơ cho khách châu Âu, với hướng dẫn viên "
        "song ngữ được kiều bào đào tạo.",
        20,
        [
            ("triage", OFFICER, {}, 1),
            ("assign", OFFICER, {"assignee_id": APPROVER}, 2),
            ("review", APPROVER, {}, 4),
            ("note", APPROVER, {"text": "Cần hỏi Sở Du lịch về quy hoạch làng Trà Quế."}, 5),
        ],
    ),
    (
        0,
        "da-nang",
        "Trạm quan trắc chất lượng nước sông Hàn",
        ["environmental-engineering", "internet-of-things"],
        "Đề xuất mạng cảm biến giá rẻ đo chất lượng nước, dữ liệu mở cho các trường đại học.",
        25,
        [
            ("triage", OFFICER, {}, 1),
            ("assign", OFFICER, {"assignee_id": OFFICER}, 1),
            ("review", OFFICER, {}, 3),
            (
                "answer",
                OFFICER,
                {
                    "answer": "Sở Tài nguyên và Môi trường sẽ làm việc với anh chị về một dự án "
                    "thí điểm ba trạm vào quý tới."
                },
                15,
            ),
        ],
    ),
    (
        1,
        "da-nang",
        "Học bổng kỹ sư bán dẫn Đà Nẵng – Grenoble",
        ["semiconductors", "education-training"],
        "Mỗi năm hai học bổng thạc sĩ vi điện tử tại Grenoble, đổi lại hai năm làm việc ở Đà Nẵng.",
        60,
        [
            ("triage", OFFICER, {}, 1),
            ("assign", OFFICER, {"assignee_id": APPROVER}, 2),
            ("review", APPROVER, {}, 3),
            (
                "answer",
                APPROVER,
                {"answer": "Thành phố đưa học bổng vào chương trình phát triển nhân lực bán dẫn."},
                20,
            ),
            ("adopt", APPROVER, {}, 25),
        ],
    ),
    (
        1,
        None,
        "Cổng thông tin chung cho chuyên gia kiều bào",
        ["digital-transformation"],
        "Một cổng duy nhất để kiều bào tìm các chương trình hợp tác của mọi tỉnh, thành phố.",
        50,
        [
            ("triage", ADMIN, {}, 2),
            ("assign", ADMIN, {"assignee_id": ADMIN}, 2),
            ("review", ADMIN, {}, 5),
            ("answer", ADMIN, {"answer": "Danh bạ này đã phục vụ mục đích đó."}, 10),
            ("decline", ADMIN, {}, 12),
        ],
    ),
    (
        0,
        None,
        "Ngày hội kiều bào trẻ",
        ["arts-entertainment"],
        "Một ngày hội hằng năm cho thanh niên kiều bào về nước.",
        15,
        [("withdraw", MEMBER, {}, 4)],
    ),
    (
        0,
        "hue",
        "Phục dựng nhã nhạc cung đình với nghệ sĩ kiều bào",
        ["arts-entertainment", "tourism"],
        "Mời các nghệ sĩ kiều bào ở Pháp tham gia biểu diễn nhã nhạc trong Festival Huế.",
        8,
        [],
    ),
)


def _user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email))


def seed_initiatives(now: datetime | None = None) -> int:
    """Create the demo initiatives; returns how many (none when the demo accounts are missing)."""
    now = now or utcnow()
    member = _user(MEMBER)
    other = db.session.scalar(
        sa.select(User)
        .where(
            User.role == "member",
            User.email != MEMBER,
            User.person_id.is_not(None),
            User.email_verified_at.is_not(None),
        )
        .order_by(User.email)
        .limit(1)
    )
    actors = {email: _user(email) for email in (MEMBER, OFFICER, APPROVER, ADMIN)}
    if member is None or any(user is None for user in actors.values()):
        return 0
    submitters = (member, other or member)
    count = 0
    for who, province, title, fields, text, days, steps in DEMO:
        received = now - timedelta(days=days)
        data = {"province": province, "title": title, "fields": fields, "text": text}
        initiative = services.submit_initiative(data, submitters[who], at=received)
        for action, actor, payload, after in steps:
            if "assignee_id" in payload:
                payload = {"assignee_id": actors[payload["assignee_id"]].id}
            at = received + timedelta(days=after, hours=1)
            services.take_action(initiative, action, actors[actor], payload, at=at, notify=False)
        count += 1
    return count
