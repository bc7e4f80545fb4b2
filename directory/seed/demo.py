"""The demo directory: missions, officials of every role, people, associations.

``seed_demo()`` is deterministic (a seeded ``random.Random``; only the record ids, which must be
unguessable, differ between runs) and writes through the models, keeping the data as the
services would: name keys, E.164 phones, resolved hometowns with the wording kept, consent
records, hashed passwords, and a search outbox row for every person and association.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from directory.accounts.models import User
from directory.accounts.passwords import hash_password
from directory.associations.models import Association, Membership
from directory.core.models import new_id, utcnow
from directory.extensions import db
from directory.missions.models import Mission, MissionCountry
from directory.people.models import Person
from directory.people.services import add_consent_records, build_person
from directory.reference.contact import InvalidValue, normalize_email, normalize_phone
from directory.reference.countries import country_name
from directory.reference.fields import shipped_fields
from directory.reference.loader import sync_reference_data
from directory.reference.provinces import province_by_slug, resolve_province
from directory.search.outbox import enqueue
from directory.seed import data
from directory.seed.initiatives import seed_initiatives
from search_index.normalize import fold, name_key

DEFAULT_PEOPLE = 300
DEFAULT_SEED = 2026
IMPORT_SOURCE = "import:danh-sach-kieu-bao-2025.xlsx"


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


DEMO_ACCOUNTS = (
    DemoAccount(
        "admin@demo.kieubao.vn",
        "demo-admin-2026",
        "admin",
        "Lương Thị Hồng Nhung",
        "administrator: missions, users, taxonomy, audit log",
    ),
    DemoAccount(
        "paris@demo.kieubao.vn",
        "demo-paris-2026",
        "embassy",
        "Đỗ Quang Vinh",
        "embassy officer, Đại sứ quán Việt Nam tại Pháp (FR-PARIS: France, Monaco)",
        mission="FR-PARIS",
    ),
    DemoAccount(
        "danang@demo.kieubao.vn",
        "demo-danang-2026",
        "province",
        "Nguyễn Thị Kim Oanh",
        "province officer, Đà Nẵng",
        province="da-nang",
    ),
    DemoAccount(
        "danang.approver@demo.kieubao.vn",
        "demo-approver-2026",
        "province",
        "Huỳnh Văn Tài",
        "province approver, Đà Nẵng",
        province="da-nang",
        approver=True,
    ),
    DemoAccount(
        "member@demo.kieubao.vn",
        "demo-member-2026",
        "member",
        "Lê Thị Thu Hà",
        "member with a claimed profile (Lê Thị Thu Hà, Paris)",
    ),
)


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


def database_has_people() -> bool:
    """True when at least one person is in the database (seed-demo then refuses)."""
    return db.session.scalar(sa.select(Person.id).limit(1)) is not None


class _Generator:
    """Builds the demo records; one instance per run, driven by one seeded Random."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.now = utcnow().replace(microsecond=0)
        self.labels = {f["code"]: (f["label_vi"], f["label_en"]) for f in shipped_fields()}
        self.notice = current_app.config.get("PRIVACY_NOTICE_VERSION", "demo")
        self.emails: set[str] = set()
        self.name_keys: set[str] = set()
        self.missions: dict[str, Mission] = {}
        self.mission_by_country: dict[str, Mission] = {}
        self.users: dict[str, User] = {}

    # --- small helpers -------------------------------------------------------------------

    def weighted(self, pairs):
        values, weights = zip(*pairs, strict=True)
        return self.rng.choices(values, weights=weights, k=1)[0]

    def past(self, max_days: int, min_days: int = 1) -> datetime:
        return self.now - timedelta(
            days=self.rng.randint(min_days, max_days), minutes=self.rng.randint(0, 1439)
        )

    def label(self, code: str, locale: str, mid_sentence: bool = True) -> str:
        text = self.labels[code][0 if locale == "vi" else 1]
        keep = ("Việt", "Internet", "Vietnamese", "Logistics")
        if mid_sentence and not text.startswith(keep):
            text = text[0].lower() + text[1:]
        return text

    def phone(self, country: str) -> str | None:
        for _attempt in range(20):
            pattern = self.rng.choice(data.COUNTRIES[country]["phones"])
            national = "".join(str(self.rng.randint(0, 9)) if c == "#" else c for c in pattern)
            try:
                return normalize_phone(national, country)
            except InvalidValue:
                continue
        return None

    def email(self, local: str, domain: str) -> str:
        base = local
        n = 1
        while f"{local}@{domain}" in self.emails:
            n += 1
            local = f"{base}{n}"
        address = normalize_email(f"{local}@{domain}")
        self.emails.add(address)
        return address

    # --- missions and officials ----------------------------------------------------------

    def missions_(self) -> None:
        existing = {m.code: m for m in db.session.scalars(sa.select(Mission))}
        for code, name, kind, city, countries in data.MISSIONS:
            mission = existing.get(code)
            if mission is None:
                mission = Mission(code=code, name=name, kind=kind, city=city)
                mission.email = f"lanhsu.{code.lower()}@example.org"
                mission.country_links = [MissionCountry(country=c) for c in countries]
                db.session.add(mission)
            self.missions[code] = mission
            for country in mission.countries or countries:
                self.mission_by_country.setdefault(country, mission)
        db.session.flush()

    def accounts(self) -> list[DemoAccount]:
        """Create the documented demo accounts; returns those skipped (email already used)."""
        skipped = []
        for account in DEMO_ACCOUNTS:
            existing = db.session.scalar(sa.select(User).where(User.email == account.email))
            if existing is not None:
                skipped.append(account)
                self.users[account.email] = existing
                continue
            user = User(
                email=account.email,
                password_hash=hash_password(account.password),
                role=account.role,
                mission=self.missions[account.mission] if account.mission else None,
                province_slug=account.province,
                is_approver=account.approver,
                display_name=account.display_name if account.role != "member" else None,
                locale="vi",
                email_verified_at=self.past(400, 300),
                is_active_flag=True,
            )
            db.session.add(user)
            self.users[account.email] = user
        db.session.flush()
        return skipped

    # --- people --------------------------------------------------------------------------

    def new_person(self, country: str, full_name: str, created: datetime) -> Person:
        mission = self.mission_by_country.get(country)
        person = build_person(
            full_name=full_name,
            name_key=name_key(full_name),
            country=country,
            created_at=created,
            updated_at=min(self.now, created + timedelta(days=self.rng.randint(0, 200))),
            consent_listed=False,
            consent_contact=False,
        )
        person.provenance_mission = mission
        self.name_keys.add(person.name_key)
        return person

    def hometown(self, person: Person, wording: str | None) -> None:
        slug = resolve_province(wording)
        person.hometown_province = slug
        person.hometown_as_given = wording if slug else None

    def consent(self, person: Person, listed: bool, contact: bool, at: datetime) -> None:
        """Consent as the rules record it: the member's own online, else the mission's evidence.

        A claimed profile's consent was given by the member in the directory; an unclaimed
        profile's was recorded by the mission from a paper form (or, for imported people, the
        online form of the imported list), dated the day the profile was created. The records
        come from the people service's one writer.
        """
        if person.user is not None:
            by, given = person.user, "member"
            evidence = None
        else:
            registered_by = person.registered_by_id
            by = next((u for u in self.users.values() if u.id == registered_by), None)
            given = "evidence"
            imported = person.provenance == "import"
            evidence = {
                "source": "online_form" if imported else "paper",
                "date": at.date(),
                "reference": IMPORT_SOURCE.removeprefix("import:") if imported else None,
            }
        wanted = {"listed": listed, "contact": contact}
        decisions = {
            purpose: (given if granted or given == "member" else "official")
            for purpose, granted in wanted.items()
        }
        add_consent_records(
            person,
            wanted,
            by,
            decisions=decisions,
            evidence=evidence,
            at=at,
            notice_version=self.notice,
        )

    def restrict_unclaimed(self, person: Person) -> None:
        """Only the member makes a profile public: an unclaimed one stays for officials."""
        if person.user is None:
            if person.visibility_profile == "public":
                person.visibility_profile = "officials"
            if person.visibility_contact == "public":
                person.visibility_contact = "officials"

    def provenance(self, person: Person, kind: str) -> None:
        mission = person.provenance_mission
        if mission is None:
            kind = "self"
        person.provenance = kind
        if kind == "self":
            person.provenance_mission = None
        elif kind == "import":
            person.provenance_source = IMPORT_SOURCE
        if kind != "self" and mission is not None and mission.code == "FR-PARIS":
            person.registered_by_id = self.users["paris@demo.kieubao.vn"].id

    def member_account(self, person: Person) -> None:
        """A member account for a self-registered or claimed profile (no password: reset)."""
        if not person.email or person.email in self.users:
            return
        user = User(
            id=new_id(),
            email=person.email,
            role="member",
            locale="vi" if self.rng.random() < 0.7 else "en",
            email_verified_at=person.created_at,
            is_active_flag=True,
        )
        user.person = person
        db.session.add(user)
        self.users[person.email] = user

    def verify(self, person: Person) -> None:
        mission = self.mission_by_country.get(person.country)
        if mission is not None:
            person.verified_by_mission = mission
            person.verified_at = min(self.now, person.created_at + timedelta(days=30))

    def fixed_people(self) -> dict[str, Person]:
        people = {}
        for spec in FIXED_PEOPLE:
            person = self.new_person(spec.country, spec.full_name, self.past(700, 200))
            person.other_names = list(spec.other_names)
            person.kinds, person.fields = list(spec.kinds), list(spec.fields)
            person.title, person.organization = spec.title, spec.organization
            person.city, person.languages, person.bio = spec.city, list(spec.languages), spec.bio
            person.email = normalize_email(spec.email) if spec.email else None
            person.phone = normalize_phone(spec.phone, spec.country) if spec.phone else None
            if person.email:
                self.emails.add(person.email)
            person.visibility_profile = "public"
            person.visibility_contact = spec.visibility_contact
            self.hometown(person, spec.hometown)
            self.provenance(person, spec.provenance)
            if spec.key == "member":
                person.user = self.users["member@demo.kieubao.vn"]
            self.restrict_unclaimed(person)
            self.consent(person, True, spec.consent_contact, person.created_at)
            if spec.verified:
                self.verify(person)
            db.session.add(person)
            people[spec.key] = person
        return people

    def name(self) -> tuple[str, str, str, str]:
        """(full name, sex, family name, given name), not clashing with earlier keys."""
        for _attempt in range(50):
            sex = "m" if self.rng.random() < 0.55 else "f"
            family = self.weighted(data.FAMILY_NAMES)
            middle = self.rng.choice(data.MIDDLE_NAMES[sex])
            given = self.rng.choice(data.GIVEN_NAMES[sex])
            if middle in (given, family) or middle in given.split():
                continue
            full = f"{family} {middle} {given}"
            if name_key(full) not in self.name_keys:
                return full, sex, family, given
        return full, sex, family, given

    def other_names(self, sex: str, family: str, given: str, country: str) -> list[str]:
        roll = self.rng.random()
        ascii_family = fold(family).title()
        ascii_given = fold(given).title()
        if sex == "f" and roll < 0.10:
            return [f"{given} {self.rng.choice(data.MARRIED_NAMES[country])}"]
        if roll < 0.22:
            return [f"{self.rng.choice(data.FOREIGN_GIVEN[sex])} {ascii_family}"]
        if roll < 0.30:
            return [f"{ascii_given} {ascii_family}"]
        return []

    def generated_person(self, country: str) -> Person:
        rng = self.rng
        info = data.COUNTRIES[country]
        full, sex, family, given = self.name()
        person = self.new_person(country, full, self.past(900))
        person.other_names = self.other_names(sex, family, given, country)
        roll = rng.random()
        kinds = ["expert"] if roll < 0.6 else ["entrepreneur"] if roll < 0.88 else None
        person.kinds = kinds or ["expert", "entrepreneur"]
        pool = data.EXPERT_FIELDS if person.kinds[0] == "expert" else data.ENTREPRENEUR_FIELDS
        fields = [self.weighted(pool)]
        related = sorted(
            {c for cluster in data.FIELD_CLUSTERS if fields[0] in cluster for c in cluster}
            - set(fields)
        )
        fields += rng.sample(related, k=min(len(related), rng.choice([0, 1, 1, 2])))
        person.fields = fields
        person.city = rng.choice(info["cities"])
        bio_locale = rng.choices(["vi", "en", "both"], weights=[65, 25, 10])[0]
        locale = "en" if bio_locale == "en" else "vi"
        years = rng.randint(4, 30)
        since = max(1990, self.now.year - years)

        company = None
        if "entrepreneur" in person.kinds:
            sector = next((c for c in fields if c in data.COMPANY_WORDS), None)
            word = data.COMPANY_WORDS[sector] if sector else rng.choice(["Consulting", "Labs"])
            sector = sector or "professional-services"
            suffix = rng.choice(info["company_suffix"])
            company = f"{rng.choice(data.COMPANY_BRANDS)} {word} {suffix}"
            person.company = company
            person.company_sector = self.label(sector, "vi", mid_sentence=False)
            person.company_size = rng.choice(data.COMPANY_SIZES)
            slug = "-".join(fold(company).replace(".", "").replace(",", "").split()[:2])
            person.company_website = f"https://{slug}.example.com"
            person.sector = person.company_sector
        if person.kinds[0] == "expert":
            employers = [name for name, codes in info["employers"] if fields[0] in codes]
            medical = fields[0] in ("clinical-medicine", "pharmacy", "public-health")
            if employers and rng.random() < 0.6:
                person.organization = rng.choice(employers)
                titles = data.MEDICAL_TITLES if medical else data.INDUSTRY_TITLES
            else:
                person.organization, person.city = rng.choice(info["universities"])
                titles = data.ACADEMIC_TITLES
            title = rng.choice(titles)
            degree = rng.choice(data.EDUCATION[:2] if rng.random() < 0.8 else data.EDUCATION)
            school = rng.choice(
                [u for u, _city in info["universities"] if u != person.organization]
            )
            grad = rng.randint(max(1985, since - 10), since)
            person.education = f"{degree[0 if locale == 'vi' else 1]}, {school} ({grad})"
            bio_templates = data.EXPERT_BIO
        else:
            title = rng.choice(data.ENTREPRENEUR_TITLES)
            person.organization = company
            bio_templates = data.ENTREPRENEUR_BIO
        person.title = title[0 if locale == "vi" else 1]
        person.skills = rng.sample(data.SKILLS[person.kinds[0]], k=rng.randint(0, 3))

        template, wish = rng.choice(bio_templates), rng.choice(data.BIO_WISHES)
        parts = []
        for i, lang in enumerate(("vi", "en")):
            if bio_locale not in (lang, "both"):
                continue
            text = template[i].format(
                title=title[i],
                org=person.organization,
                city=person.city,
                years=years,
                since=since,
                field=self.label(fields[0], lang),
            )
            parts.append(f"{text} {wish[i]}")
        person.bio = "\n\n".join(parts)

        langs = ["vi"] if rng.random() < 0.95 else []
        for lang in info["languages"]:
            if lang == info["languages"][0] or rng.random() < 0.4:
                langs.append(lang)
        if "en" not in langs and rng.random() < 0.6:
            langs.append("en")
        person.languages = langs
        if rng.random() < 0.92:
            self.hometown(person, self.weighted(data.HOMETOWN_WORDINGS))
        if rng.random() < 0.65:
            person.birth_year = rng.randint(1955, 1998)

        if rng.random() < 0.8:
            local = f"{fold(given).replace(' ', '')}.{fold(family)}"
            domain = rng.choice(["example.org", "example.net", "example.com"])
            person.email = self.email(local, domain)
        if rng.random() < 0.55:
            person.phone = self.phone(country)
        if rng.random() < 0.12:
            person.website = f"https://{fold(given).replace(' ', '')}{fold(family)}.example.net"
        person.visibility_profile = rng.choices(
            ["public", "officials", "private"], weights=[60, 35, 5]
        )[0]
        person.visibility_contact = rng.choices(
            ["private", "officials", "public"], weights=[60, 30, 10]
        )[0]

        provenance = rng.choices(["mission", "self", "import"], weights=[65, 22, 13])[0]
        self.provenance(person, provenance)
        if person.provenance == "self" or (person.email and rng.random() < 0.2):
            self.member_account(person)
        if rng.random() < (0.45 if person.provenance != "self" else 0.2):
            self.verify(person)
        listed = rng.random() < 0.85
        contact = rng.random() < (0.7 if listed else 0.2)
        self.restrict_unclaimed(person)
        self.consent(person, listed, contact, person.created_at)
        db.session.add(person)
        return person

    def countries_for(self, count: int) -> list[str]:
        """Every demo country at least once (when count allows), then by weight."""
        codes = list(data.COUNTRIES)
        weights = [data.COUNTRIES[c]["weight"] for c in codes]
        chosen = codes[:count]
        chosen += self.rng.choices(codes, weights=weights, k=max(0, count - len(codes)))
        return chosen

    # --- associations --------------------------------------------------------------------

    def associations(self, people: list[Person], fixed: dict[str, Person]) -> list[Association]:
        rng = self.rng
        by_country: dict[str, list[Person]] = {}
        for person in people:
            by_country.setdefault(person.country, []).append(person)
        created = []
        for name, name_en, kind, country, city, slug, fields, founded in data.ASSOCIATIONS:
            mission = self.mission_by_country.get(country)
            country_vi = country_name(country, "vi")
            if kind == "hometown":
                province = province_by_slug(slug)
                description = (
                    f"Nơi gắn kết bà con quê {province.name_vi} sinh sống tại {country_vi}: "
                    "sinh hoạt văn hóa, đón tiếp sinh viên mới sang và hướng về quê hương."
                )
            elif kind == "professional":
                labels = ", ".join(self.label(c, "vi") for c in fields)
                description = (
                    f"Mạng lưới chuyên gia và trí thức người Việt tại {country_vi} "
                    f"trong các lĩnh vực {labels}."
                )
            else:
                description = (
                    f"Kết nối doanh nghiệp người Việt tại {country_vi}, xúc tiến thương mại "
                    "và đầu tư với các địa phương trong nước."
                )
            association = Association(
                name=name,
                name_en=name_en,
                kind=kind,
                province_slug=slug,
                country=country,
                city=city,
                founded_year=founded,
                fields=list(fields),
                email=f"lienhe@hoi-{len(created) + 1:02d}.example.org",
                website=f"https://hoi-{len(created) + 1:02d}.example.org",
                description=description,
                provenance="mission",
                created_at=self.past(800, 100),
            )
            association.provenance_mission_id = mission.id if mission else None
            if country == "FR":
                association.created_by_id = self.users["paris@demo.kieubao.vn"].id
            if mission is not None and rng.random() < 0.6:
                association.verified_by_mission_id = mission.id
                association.verified_at = self.past(90)
            candidates = list(by_country.get(country, []))
            if kind == "hometown":
                # People of the province first: a hometown association is theirs.
                candidates.sort(key=lambda p: p.hometown_province != slug)
            else:
                rng.shuffle(candidates)
            members = self.roster(association, candidates, fixed, founded)
            association.member_count = max(len(members), rng.randint(40, 1200))
            db.session.add(association)
            created.append(association)
        return created

    def roster(self, association, candidates, fixed, founded) -> list[Person]:
        rng = self.rng
        chosen: list[tuple[Person, str]] = []
        if association.name.startswith("Hội đồng hương Quảng Nam"):
            chosen += [(fixed["member"], "president"), (fixed["expert"], "member")]
        elif association.name.startswith("Hội Trí thức Khoa học"):
            chosen += [(fixed["expert"], "vice_president")]
        taken = {p.id for p, _ in chosen}
        roles = ["president", "vice_president", "secretary", "treasurer"]
        roles = [r for r in roles if r not in {role for _, role in chosen}]
        size = rng.randint(5, 12)
        for person in candidates:
            if len(chosen) >= size:
                break
            if person.id in taken:
                continue
            role = roles.pop(0) if roles else "member"
            chosen.append((person, role))
            taken.add(person.id)
        start_year = max(founded, self.now.year - 12)
        # The demo stands for established data: its memberships are recorded as accepted
        # (new ones made in the application are proposals until the person accepts them).
        settled = {
            "status": "accepted",
            "proposed_at": association.created_at,
            "decided_at": association.created_at,
        }
        for person, role in chosen:
            association.memberships.append(
                Membership(
                    person=person,
                    role=role,
                    start_date=date(rng.randint(start_year, self.now.year - 1), 1, 1)
                    + timedelta(days=rng.randint(0, 364)),
                    **settled,
                )
            )
        if chosen and rng.random() < 0.35:
            # A former president whose term ended: leadership history on the page.
            former = next((p for p in candidates if p.id not in taken), None)
            if former is not None:
                association.memberships.append(
                    Membership(
                        person=former,
                        role="president",
                        start_date=date(start_year, 3, 1),
                        end_date=date(min(self.now.year - 1, start_year + 4), 2, 28),
                        **settled,
                    )
                )
        return [p for p, _ in chosen]


@dataclass
class SeedSummary:
    people: int
    countries: int
    missions: int
    associations: int
    memberships: int
    accounts_created: list[str]
    accounts_skipped: list[str]


def seed_demo(people: int = DEFAULT_PEOPLE, seed: int = DEFAULT_SEED) -> SeedSummary:
    """Fill an empty database with the demo directory; commits once at the end."""
    sync_reference_data()
    gen = _Generator(seed)
    gen.missions_()
    skipped = gen.accounts()
    fixed = gen.fixed_people()
    db.session.flush()
    everyone = list(fixed.values())
    for country in gen.countries_for(max(0, people - len(fixed))):
        everyone.append(gen.generated_person(country))
    db.session.flush()
    associations = gen.associations(everyone, fixed)
    db.session.flush()
    for person in everyone:
        enqueue("person", person.id)
    for association in associations:
        enqueue("association", association.id)
    # The embedded engine applies these rows right after the commit; with Meilisearch,
    # ``flask search worker`` does (or ``flask search reindex`` rebuilds everything).
    db.session.commit()
    seed_initiatives(gen.now)
    return SeedSummary(
        people=len(everyone),
        countries=len({p.country for p in everyone}),
        missions=len(gen.missions),
        associations=len(associations),
        memberships=sum(len(a.memberships) for a in associations),
        accounts_created=[a.email for a in DEMO_ACCOUNTS if a not in skipped],
        accounts_skipped=[a.email for a in skipped],
    )
