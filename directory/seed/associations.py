"""The demo associations (hometown, professional, business) with their leaders and members."""

from __future__ import annotations

from datetime import date, timedelta

from directory.associations.models import Association, Membership
from directory.extensions import db
from directory.people.models import Person
from directory.reference.countries import country_name
from directory.reference.provinces import province_by_slug
from directory.seed import data
from directory.seed.builder import DemoBuilder


def create_associations(
    builder: DemoBuilder, people: list[Person], fixed: dict[str, Person]
) -> list[Association]:
    rng = builder.rng
    by_country: dict[str, list[Person]] = {}
    for person in people:
        by_country.setdefault(person.country, []).append(person)
    created = []
    for name, name_en, kind, country, city, slug, fields, founded in data.ASSOCIATIONS:
        mission = builder.mission_by_country.get(country)
        country_vi = country_name(country, "vi")
        if kind == "hometown":
            province = province_by_slug(slug)
            description = (
                f"Nơi gắn kết bà con quê {province.name_vi} sinh sống tại {country_vi}: "
                "sinh hoạt văn hóa, đón tiếp sinh viên mới sang và hướng về quê hương."
            )
        elif kind == "professional":
            labels = ", ".join(builder.label(c, "vi") for c in fields)
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
            created_at=builder.past(800, 100),
        )
        association.provenance_mission_id = mission.id if mission else None
        if country == "FR":
            association.created_by_id = builder.users["paris@demo.kieubao.vn"].id
        if mission is not None and rng.random() < 0.6:
            association.verified_by_mission_id = mission.id
            association.verified_at = builder.past(90)
        candidates = list(by_country.get(country, []))
        if kind == "hometown":
            # People of the province first: a hometown association is theirs.
            candidates.sort(key=lambda p: p.hometown_province != slug)
        else:
            rng.shuffle(candidates)
        members = roster(builder, association, candidates, fixed, founded)
        association.member_count = max(len(members), rng.randint(40, 1200))
        db.session.add(association)
        created.append(association)
    return created


def roster(builder: DemoBuilder, association, candidates, fixed, founded) -> list[Person]:
    rng = builder.rng
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
    start_year = max(founded, builder.now.year - 12)
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
                start_date=date(rng.randint(start_year, builder.now.year - 1), 1, 1)
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
                    end_date=date(min(builder.now.year - 1, start_year + 4), 2, 28),
                    **settled,
                )
            )
    return [p for p, _ in chosen]
