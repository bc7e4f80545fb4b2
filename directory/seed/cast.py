"""The fixed demo cast: the documented demo accounts and the hand-written profiles the demo
scenarios rely on (README "Demo accounts"), and their creation."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from directory.accounts.models import User
from directory.accounts.passwords import hash_password
from directory.extensions import db
from directory.people.models import Person
from directory.reference.contact import normalize_email, normalize_phone
from directory.seed.builder import DemoBuilder


@dataclass(frozen=True)
class DemoAccount:
    """One documented demo login (README "Demo accounts")."""

    email: str
    password: str
    role: str
    display_name: str
    description: str
    mission: str | None = None
    province: str | None = None
    approver: bool = False
    # Officials come enrolled in two-factor sign-in with this fixed, documented TOTP secret
    # (README "Demo accounts"), so that a newcomer can sign in; demo data only.
    totp_secret: str | None = None


# Made with the directory, in this order (each draws from the seed's Random).
DIRECTORY_ACCOUNTS = (
    DemoAccount(
        "admin@demo.kieubao.vn",
        "demo-admin-2026",
        "admin",
        "Lương Thị Hồng Nhung",
        "administrator: missions, users, taxonomy, audit log",
        totp_secret="DEMOADMINKIEUBAODIRECTORYTOTPKEY",
    ),
    DemoAccount(
        "paris@demo.kieubao.vn",
        "demo-paris-2026",
        "embassy",
        "Đỗ Quang Vinh",
        "embassy officer, Đại sứ quán Việt Nam tại Pháp (FR-PARIS: France, Monaco)",
        mission="FR-PARIS",
        totp_secret="DEMOPARISKIEUBAODIRECTORYTOTPKEY",
    ),
    DemoAccount(
        "danang@demo.kieubao.vn",
        "demo-danang-2026",
        "province",
        "Nguyễn Thị Kim Oanh",
        "province officer, Đà Nẵng",
        province="da-nang",
        totp_secret="DEMODANANGKIEUBAODIRECTORYTOTPKY",
    ),
    DemoAccount(
        "danang.approver@demo.kieubao.vn",
        "demo-approver-2026",
        "province",
        "Huỳnh Văn Tài",
        "province approver, Đà Nẵng",
        province="da-nang",
        approver=True,
        totp_secret="DEMOAPPROVERKIEUBAODIRECTORYTOTP",
    ),
    DemoAccount(
        "member@demo.kieubao.vn",
        "demo-member-2026",
        "member",
        "Lê Thị Thu Hà",
        "member with a claimed profile (Lê Thị Thu Hà, Paris)",
    ),
    DemoAccount(
        "expert@demo.kieubao.vn",
        "demo-expert-2026",
        "member",
        "Võ Thành Nhân",
        "member with a claimed profile (Võ Thành Nhân, Grenoble): answers contact requests",
    ),
)
# Made afterwards, with the demo's history (``seed/history.py``), so that adding one leaves the
# generated directory as it was.
HISTORY_ACCOUNTS = (
    DemoAccount(
        "berlin@demo.kieubao.vn",
        "demo-berlin-2026",
        "embassy",
        "Trịnh Minh Khoa",
        "embassy officer, Đại sứ quán Việt Nam tại Đức (DE-BERLIN: Germany): "
        "endorsed Đà Nẵng's representatives in Germany",
        mission="DE-BERLIN",
        totp_secret="DEMOBERLINKIEUBAODIRECTORYTOTPKY",
    ),
)
DEMO_ACCOUNTS = DIRECTORY_ACCOUNTS + HISTORY_ACCOUNTS


@dataclass
class FixedPerson:
    """A hand-written profile the demo scenarios rely on."""

    key: str
    full_name: str
    country: str
    city: str
    hometown: str
    kinds: list[str]
    fields: list[str]
    title: str
    organization: str
    languages: list[str]
    bio: str
    email: str | None = None
    phone: str | None = None
    other_names: list[str] = field(default_factory=list)
    verified: bool = False
    consent_contact: bool = True
    visibility_contact: str = "private"
    provenance: str = "mission"
    account: str | None = None  # the demo account (DEMO_ACCOUNTS) that has claimed the profile


FIXED_PEOPLE = (
    # A verified semiconductor expert in France who agreed to be contacted: the province's
    # natural candidate for "representative of Đà Nẵng in France".
    FixedPerson(
        key="expert",
        full_name="Võ Thành Nhân",
        country="FR",
        city="Grenoble",
        hometown="Quảng Nam",
        kinds=["expert"],
        fields=["semiconductors", "electrical-engineering", "nanotechnology"],
        title="Kỹ sư trưởng thiết kế vi mạch",
        organization="STMicroelectronics",
        languages=["vi", "fr", "en"],
        bio=(
            "Kỹ sư trưởng thiết kế vi mạch tại STMicroelectronics (Grenoble), 18 năm kinh "
            "nghiệm về thiết kế chip tương tự và đóng gói tiên tiến. Sẵn sàng hỗ trợ Đà Nẵng "
            "đào tạo kỹ sư vi mạch.\n\nPrincipal IC design engineer at STMicroelectronics "
            "(Grenoble), 18 years in analog chip design and advanced packaging."
        ),
        email="thanh-nhan.vo@example.org",
        phone="06 71 23 45 67",
        other_names=["Nhan Vo"],
        verified=True,
        visibility_contact="officials",
        account="expert@demo.kieubao.vn",
    ),
    # The demo member's own profile (member@demo.kieubao.vn); she leads a hometown association.
    FixedPerson(
        key="member",
        full_name="Lê Thị Thu Hà",
        country="FR",
        city="Paris",
        hometown="Đà Nẵng",
        kinds=["expert"],
        fields=["economics", "fintech"],
        title="Phó giáo sư kinh tế học",
        organization="Sorbonne Université",
        languages=["vi", "fr", "en"],
        bio=(
            "Phó giáo sư kinh tế học tại Sorbonne Université, nghiên cứu về tài chính số và "
            "kiều hối. Mong muốn kết nối sinh viên Đà Nẵng với các trường đại học Pháp."
        ),
        email="member@demo.kieubao.vn",
        phone="07 81 23 45 67",
        other_names=["Thu Ha Le"],
        provenance="self",
        account="member@demo.kieubao.vn",
        # Verified, so that the representative demo runs with a nominee who can sign in.
        verified=True,
    ),
    # Three French residents whose names an import file is likely to carry again
    # ("Nguyen Van An", "TRAN Thi Mai", "Minh Hoang Duc"): probable duplicates for the importer.
    FixedPerson(
        key="duplicate-an",
        full_name="Nguyễn Văn An",
        country="FR",
        city="Lyon",
        hometown="Nghệ An",
        kinds=["expert"],
        fields=["civil-engineering", "smart-cities"],
        title="Kỹ sư kết cấu",
        organization="Egis",
        languages=["vi", "fr"],
        bio="Kỹ sư kết cấu tại Lyon, chuyên về cầu và công trình ngầm.",
        email="van-an.nguyen@example.net",
        phone="06 12 34 56 01",
    ),
    FixedPerson(
        key="duplicate-mai",
        full_name="Trần Thị Mai",
        country="FR",
        city="Paris",
        hometown="Thái Bình",
        kinds=["entrepreneur"],
        fields=["hospitality", "food-processing"],
        title="Chủ doanh nghiệp",
        organization="Sen Vàng Restaurant SAS",
        languages=["vi", "fr"],
        bio="Chủ chuỗi nhà hàng Việt tại Paris, nhập khẩu nông sản từ Việt Nam.",
        email="mai.tran@example.com",
        phone="06 98 76 54 32",
        consent_contact=False,
    ),
    FixedPerson(
        key="duplicate-minh",
        full_name="Hoàng Đức Minh",
        country="FR",
        city="Toulouse",
        hometown="Hà Tây",
        kinds=["expert"],
        fields=["mechanical-engineering", "robotics-automation"],
        title="Aerospace engineer",
        organization="Airbus",
        languages=["vi", "fr", "en"],
        bio="Aerospace engineer at Airbus in Toulouse, working on cabin systems.",
        email="duc-minh.hoang@example.org",
        other_names=["Minh Hoang"],
    ),
)

# Names an import file may contain that match the French residents above (README, importer).
DUPLICATE_CANDIDATES = {
    "Nguyễn Văn An": "Nguyen Van An",
    "Trần Thị Mai": "TRAN Thi Mai",
    "Hoàng Đức Minh": "Minh Hoang Duc",
}


def create_accounts(
    builder: DemoBuilder, accounts=DIRECTORY_ACCOUNTS, verified_at=None
) -> list[DemoAccount]:
    """Create the documented demo ``accounts``; returns those skipped (email already used).

    Their address counts as confirmed ``verified_at`` (by default a random day a year ago).
    """
    skipped = []
    for account in accounts:
        existing = db.session.scalar(sa.select(User).where(User.email == account.email))
        if existing is not None:
            skipped.append(account)
            builder.users[account.email] = existing
            continue
        user = User(
            email=account.email,
            password_hash=hash_password(account.password),
            role=account.role,
            mission=builder.missions[account.mission] if account.mission else None,
            province_slug=account.province,
            is_approver=account.approver,
            display_name=account.display_name if account.role != "member" else None,
            locale="vi",
            email_verified_at=verified_at or builder.past(400, 300),
            is_active_flag=True,
            totp_secret=account.totp_secret,
        )
        db.session.add(user)
        builder.users[account.email] = user
    db.session.flush()
    return skipped


def create_fixed_people(builder: DemoBuilder) -> dict[str, Person]:
    people = {}
    for spec in FIXED_PEOPLE:
        person = builder.new_person(spec.country, spec.full_name, builder.past(700, 200))
        person.other_names = list(spec.other_names)
        person.kinds, person.fields = list(spec.kinds), list(spec.fields)
        person.title, person.organization = spec.title, spec.organization
        person.city, person.languages, person.bio = spec.city, list(spec.languages), spec.bio
        person.email = normalize_email(spec.email) if spec.email else None
        person.phone = normalize_phone(spec.phone, spec.country) if spec.phone else None
        if person.email:
            builder.emails.add(person.email)
        person.visibility_profile = "public"
        person.visibility_contact = spec.visibility_contact
        builder.hometown(person, spec.hometown)
        builder.provenance(person, spec.provenance)
        if spec.account:
            person.user = builder.users[spec.account]
        builder.restrict_unclaimed(person)
        builder.consent(person, True, spec.consent_contact, person.created_at)
        if spec.verified:
            builder.verify(person)
        db.session.add(person)
        people[spec.key] = person
    return people
