"""The Paris embassy's work in progress: claim invitations waiting for an answer, and a member
list it uploaded yesterday whose preview it has not committed yet.

Through the people domain's claim invitations and the import batches' services, as the embassy
officer, each on its day (the invitations' emails are not sent: the seed runs with mail
suppressed, so those links exist nowhere and the invitations simply run out).
"""

from __future__ import annotations

import csv
import io

from directory.core.models import as_of
from directory.imports.batches import read_batch, start_batch
from directory.imports.models import ImportBatch
from directory.people.claims import send_claim_invitation
from directory.people.models import Person
from directory.seed.history import Actors, people

# (days ago sent): the invitations last INVITATION_TTL (14 days): the oldest has run out.
INVITATIONS = (2, 5, 9, 20)

# A member list of the students' association in Lyon: new people, none already in the demo.
IMPORT_FILE = "hoi-sinh-vien-lyon-2026.csv"
IMPORT_HEADERS = [
    "Họ và tên",
    "Quốc gia",
    "Thành phố",
    "Quê quán",
    "Lĩnh vực",
    "Chức danh",
    "Cơ quan",
    "Ngôn ngữ",
    "Email",
    "Điện thoại",
    "Năm sinh",
]
IMPORT_ROWS = [
    ["Lâm Ngọc Bích Trâm", "Pháp", "Lyon", "Đà Nẵng", "Trí tuệ nhân tạo", "Nghiên cứu sinh",
     "Université Claude Bernard Lyon 1", "vi; fr; en", "bich-tram.lam@sv-lyon.example.org",
     "06 40 10 20 31", 1998],
    ["Tạ Quang Khải", "Pháp", "Villeurbanne", "Quảng Nam", "Bán dẫn; Vật lý", "Kỹ sư",
     "INSA Lyon", "vi; fr", "quang-khai.ta@sv-lyon.example.org", "06 40 10 20 32", 1996],
    ["Mai Thị Thanh Hương", "Pháp", "Lyon", "Huế", "Du lịch", "Sinh viên thạc sĩ",
     "Université Lumière Lyon 2", "vi; fr", "thanh-huong.mai@sv-lyon.example.org", "", 2000],
    ["Châu Minh Đức", "France", "Grenoble", "Hà Nội", "Năng lượng tái tạo", "Kỹ sư",
     "Grenoble INP", "vi; fr; en", "minh-duc.chau@sv-lyon.example.org", "06 40 10 20 34", 1995],
    ["Kha Thị Diễm My", "FR", "Lyon", "Cần Thơ", "Y học lâm sàng", "Bác sĩ nội trú",
     "Hospices Civils de Lyon", "vi; fr", "diem-my.kha@sv-lyon.example.org", "06 40 10 20 35",
     1997],
    ["Triệu Văn Long", "Pháp", "Saint-Étienne", "Thanh Hóa", "Cơ khí", "Kỹ sư",
     "École des Mines de Saint-Étienne", "vi; fr", "van-long.trieu@sv-lyon.example.org",
     "06 40 10 20 36", 1994],
]  # fmt: skip


def _import_file() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(IMPORT_HEADERS)
    writer.writerows(IMPORT_ROWS)
    return out.getvalue().encode("utf-8-sig")


def seed_invitations(cast: Actors) -> int:
    """The Paris officer invites unclaimed French residents it registered; returns how many."""
    found = people(
        [Person.country == "FR", Person.email.is_not(None), Person.provenance == "mission"],
        keep=lambda p: p.user is None and p.registered_by_id == cast.paris.id,
    )
    sent = 0
    for days, person in zip(INVITATIONS, found, strict=False):
        with as_of(cast.ago(days, hours=6)):
            send_claim_invitation(person, cast.paris)
        sent += 1
    return sent


def seed_import(cast: Actors) -> ImportBatch:
    """The Paris officer uploads the Lyon students' list yesterday; it is read, and waits in
    preview (an import in progress on the mission's dashboard)."""
    with as_of(cast.ago(1, hours=3)):
        batch = start_batch(_import_file(), IMPORT_FILE, cast.paris.mission, cast.paris)
        return read_batch(batch.id)
