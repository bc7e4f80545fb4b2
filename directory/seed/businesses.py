"""Demo businesses: about forty diaspora companies across the demo countries.

Each is registered through ``directory.businesses.services`` (the only writer), on a day of the
demo's past: by the Paris or Berlin mission for the countries they cover, by the admin
elsewhere. Most are listed (the admin records their consent); about half of those in the Paris
and Berlin missions' countries are verified by that mission. A few demo entrepreneurs' own
companies are registered with the entrepreneur linked as owner, founder or executive, the link
accepted by the person (a claimed profile) or by the mission that registered the profile. A
handful look to invest in Đà Nẵng (sectors, ticket band) and one German logistics company
already has a joint venture there.

Deterministic: a ``random.Random`` seeded from the demo's seed, people chosen by stable keys.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from directory import policy
from directory.businesses import services
from directory.businesses.inputs import resolve_sector, sector_index
from directory.businesses.models import Business
from directory.core.models import as_of
from directory.people.models import Person
from directory.seed import data
from directory.seed.history import Actors, askable_by, people

TOTAL = 40
LINKED = 8
LINK_ROLES = ("owner", "founder", "executive")

# A sector's word in a Vietnamese company name.
SECTOR_WORDS = {
    "food-processing": "Thực phẩm",
    "seafood-export": "Hải sản",
    "import-export": "Xuất nhập khẩu",
    "wholesale-retail": "Siêu thị Á Đông",
    "e-commerce": "Thương mại điện tử",
    "transportation": "Vận tải",
    "hospitality": "Nhà hàng",
    "ict": "Phần mềm",
    "finance-banking": "Đầu tư Tài chính",
    "real-estate": "Bất động sản",
    "professional-services": "Tư vấn",
    "healthcare": "Y tế",
    "education-training": "Giáo dục",
    "textiles-garments": "Dệt may",
    "manufacturing": "Cơ khí",
    "electronics-manufacturing": "Điện tử",
    "construction": "Xây dựng",
    "energy": "Năng lượng",
    "agriculture": "Nông sản",
    "investment": "Đầu tư",
    "wood-furniture": "Nội thất",
    "marketing": "Truyền thông",
}
# The brand a company may use abroad, by its Vietnamese brand.
BRANDS = {
    "Sen Vàng": "Golden Lotus",
    "Sao Mai": "Morning Star",
    "Hồng Hà": "Red River",
    "Phương Nam": "Southern",
    "Việt Á": "VietAsia",
    "Rồng Xanh": "Blue Dragon",
    "Hạ Long": "Halong Bay",
    "Trường Sơn": "Truong Son",
    "Lạc Hồng": "Lac Hong",
    "Cửu Long": "Nine Dragons",
    "An Phát": "An Phat",
    "Mekong": "Mekong",
    "Tre Việt": "Bamboo",
    "Hoa Sen": "Lotus",
    "Bến Thành": "Ben Thanh",
}


@dataclass(frozen=True)
class Special:
    """A hand-written business the Đà Nẵng scenarios rely on."""

    name: str
    country: str
    city: str
    sectors: tuple[str, ...]
    size_band: str
    founded_year: int
    ticket_band: str | None = None  # an investment interest in Đà Nẵng
    presence: str | None = None  # a presence in Đà Nẵng
    other_name: str | None = None
    description: str = ""


SPECIALS = (
    Special(
        "Rồng Xanh Logistik GmbH",
        "DE",
        "Hamburg",
        ("transportation", "import-export"),
        "medium",
        2004,
        ticket_band="1m_10m",
        presence="joint_venture",
        other_name="Blue Dragon Logistics",
        description="Vận tải và kho lạnh giữa Hamburg và miền Trung; liên doanh kho vận tại "
        "cảng Tiên Sa, Đà Nẵng từ năm 2019.",
    ),
    Special(
        "Vận tải Mekong Spedition GmbH",
        "DE",
        "Leipzig",
        ("transportation",),
        "small",
        2011,
        ticket_band="100k_1m",
        description="Giao nhận hàng hóa đường sắt Á – Âu; tìm đối tác kho vận tại Đà Nẵng.",
    ),
    Special(
        "Phần mềm Sao Mai SAS",
        "FR",
        "Lyon",
        ("ict",),
        "small",
        2015,
        ticket_band="100k_1m",
        other_name="Morning Star Software",
        description="Phần mềm quản lý logistics; dự định mở trung tâm phát triển tại Đà Nẵng.",
    ),
    Special(
        "Năng lượng Hoa Sen LLC",
        "US",
        "Houston",
        ("energy", "investment"),
        "medium",
        2009,
        ticket_band="over_10m",
        other_name="Lotus Energy",
        description="Đầu tư điện mặt trời áp mái cho khu công nghiệp.",
    ),
    Special(
        "Hải sản Cửu Long K.K.",
        "JP",
        "Osaka",
        ("seafood-export", "food-processing"),
        "small",
        2007,
        ticket_band="1m_10m",
        description="Nhập khẩu hải sản Việt Nam vào Nhật Bản; tìm nhà máy chế biến tại Đà Nẵng.",
    ),
    Special(
        "Đầu tư Lạc Hồng Pty Ltd",
        "AU",
        "Sydney",
        ("investment", "real-estate"),
        "micro",
        2018,
        ticket_band="under_100k",
        description="Quỹ nhỏ của kiều bào đầu tư vào khởi nghiệp miền Trung.",
    ),
)


def _registrar(cast: Actors, country: str):
    for officer in (cast.paris, cast.berlin):
        if officer is not None and officer.mission is not None and officer.mission.covers(country):
            return officer
    return cast.admin


def _acceptor(cast: Actors, person: Person):
    """Who accepts a link to ``person``: the person, or the mission that registered the
    unclaimed profile (the Paris and Berlin officers only); None when neither acts here."""
    if person.user is not None:
        return person.user if person.user.is_active else None
    for officer in (cast.paris, cast.berlin):
        if officer is not None and policy.is_registering_mission(officer, person):
            return officer
    return None


def _website(name: str, taken: set[str]) -> str:
    from search_index.normalize import fold

    words = [w for w in fold(name).replace(".", "").replace(",", "").split() if w.isalnum()]
    slug = "-".join(words[:3]) or "business"
    domain, n = f"{slug}.example.com", 2
    while domain in taken:
        domain, n = f"{slug}-{n}.example.com", n + 1
    taken.add(domain)
    return f"https://{domain}"


def _register(cast: Actors, values: dict, days_ago: float, *, listed: bool, verify: bool):
    registrar = _registrar(cast, values["country"])
    with as_of(cast.ago(days_ago)):
        business = services.create_business(values, registrar)
    if listed:
        with as_of(cast.ago(days_ago - 1)):
            services.update_business(business, {"consent_listed": True}, cast.admin)
    if verify and registrar is not cast.admin:
        with as_of(cast.ago(days_ago - 2)):
            services.verify_business(business, registrar)
    return business, registrar


def _contact_person(cast: Actors, business: Business) -> None:
    """The joint venture's contact person: an entrepreneur with an account whom the Đà Nẵng
    officer may ask (in the business's country if there is one), linked and accepted, so that
    "ask to be put in touch" with the business reaches somebody."""
    askable = askable_by(cast.officer)
    found = people(
        [Person.company.is_not(None)],
        member=True,
        keep=lambda p: "entrepreneur" in (p.kinds or []) and askable(p),
    )
    found.sort(key=lambda p: p.country != business.country)  # stable: the country's first
    if not found:
        return
    person = found[0]
    registrar = _registrar(cast, business.country)
    with as_of(cast.ago(150)):
        link, _ = services.link_person(
            business, {"person_id": person.id, "role": "contact_person"}, registrar
        )
        if not link.accepted:
            services.decide_link(link, True, person.user)


def seed_businesses(cast: Actors, seed: int) -> list[Business]:
    """Register the demo businesses; returns them in the order made."""
    rng = random.Random(f"{seed}-businesses")
    index = sector_index()
    made: list[Business] = []
    names: set[tuple[str, str]] = set()
    domains: set[str] = set()

    for n, special in enumerate(SPECIALS):
        values = {
            "name": special.name,
            "country": special.country,
            "cities": [special.city],
            "sectors": list(special.sectors),
            "size_band": special.size_band,
            "founded_year": special.founded_year,
            "website": _website(special.name, domains),
            "description": special.description,
            "interests": [
                {
                    "kind": "investment",
                    "sectors": list(special.sectors),
                    "provinces": ["da-nang"],
                    "ticket_band": special.ticket_band,
                }
            ],
        }
        if special.other_name:
            values["other_names"] = [special.other_name]
        if special.presence:
            values["presence_in_vietnam"] = [{"kind": special.presence, "province": "da-nang"}]
        business, _ = _register(cast, values, 200 - n * 7, listed=True, verify=n % 2 == 0)
        names.add((special.name, special.country))
        made.append(business)

    _contact_person(cast, made[0])

    # Demo entrepreneurs' own companies, with the entrepreneur linked (accepted).
    entrepreneurs = people(
        [Person.company.is_not(None)],
        keep=lambda p: "entrepreneur" in (p.kinds or []) and _acceptor(cast, p) is not None,
    )
    linked = 0
    for person in entrepreneurs:
        if linked >= LINKED:
            break
        sector = resolve_sector(person.company_sector or "", index)
        if sector is None or (person.company, person.country) in names:
            continue
        names.add((person.company, person.country))
        values = {
            "name": person.company,
            "country": person.country,
            "cities": [person.city] if person.city else [],
            "sectors": [sector],
            "size_band": rng.choice(("micro", "small", "small", "medium")),
            "founded_year": rng.randint(1995, 2022),
            "website": _website(person.company, domains),
        }
        days = 170 - linked * 9
        business, registrar = _register(
            cast, values, days, listed=rng.random() < 0.8, verify=linked % 2 == 0
        )
        role = LINK_ROLES[linked % len(LINK_ROLES)]
        with as_of(cast.ago(days - 3)):
            link, _ = services.link_person(
                business, {"person_id": person.id, "role": role}, registrar
            )
            if not link.accepted:
                services.decide_link(link, True, _acceptor(cast, person))
        made.append(business)
        linked += 1

    # The rest: across the demo countries, weighted as the directory's people.
    countries = sorted(data.COUNTRIES)
    weights = [data.COUNTRIES[c]["weight"] for c in countries]
    sectors = sorted(SECTOR_WORDS)
    brands = sorted(BRANDS)
    while len(made) < TOTAL:
        country = rng.choices(countries, weights)[0]
        info = data.COUNTRIES[country]
        sector = rng.choice(sectors)
        brand = rng.choice(brands)
        name = f"{SECTOR_WORDS[sector]} {brand} {rng.choice(info['company_suffix'])}"
        if (name, country) in names:
            continue
        names.add((name, country))
        values = {
            "name": name,
            "country": country,
            "cities": [rng.choice(info["cities"])],
            "sectors": [sector] + ([rng.choice(sectors)] if rng.random() < 0.3 else []),
            "size_band": rng.choice(("micro", "small", "small", "medium", "large")),
            "founded_year": rng.randint(1985, 2023),
            "website": _website(name, domains),
        }
        if rng.random() < 0.35:
            values["other_names"] = [f"{BRANDS[brand]} {data.COMPANY_WORDS.get(sector, 'Group')}"]
        if rng.random() < 0.15:
            values["presence_in_vietnam"] = [
                {"kind": "representative_office", "province": rng.choice(("ha-noi", "ho-chi-minh"))}
            ]
        if rng.random() < 0.2:
            values["interests"] = [{"kind": "export", "products": [SECTOR_WORDS[sector]]}]
        business, _ = _register(
            cast,
            values,
            rng.randint(20, 330),
            listed=rng.random() < 0.8,
            verify=rng.random() < 0.5,
        )
        made.append(business)
    return made
