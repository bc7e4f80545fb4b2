"""The state of one demo run (one seeded Random, the records made so far) and the helpers
that write records as the services would: missions, people, hometowns, consent, provenance,
member accounts, verification."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from directory.accounts.models import User
from directory.core.models import new_id, utcnow
from directory.extensions import db
from directory.missions.models import Mission, MissionCountry
from directory.people.models import Person
from directory.people.services import add_consent_records, build_person
from directory.reference.contact import InvalidValue, normalize_email, normalize_phone
from directory.reference.fields import shipped_fields
from directory.reference.provinces import resolve_province
from directory.seed import data
from search_index.normalize import name_key

IMPORT_SOURCE = "import:danh-sach-kieu-bao-2025.xlsx"


class DemoBuilder:
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

    # --- missions ------------------------------------------------------------------------

    def create_missions(self) -> None:
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
            person.record_verification(
                mission.id, min(self.now, person.created_at + timedelta(days=30))
            )
            person.verified_by_mission = mission
