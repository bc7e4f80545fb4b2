"""The generated bulk of the demo: people with plausible names, fields, employers, bios,
contacts, hometowns and consent, spread over the demo countries."""

from __future__ import annotations

from directory.extensions import db
from directory.people.models import Person
from directory.seed import data
from directory.seed.builder import DemoBuilder
from search_index.normalize import fold, name_key


def random_name(builder: DemoBuilder) -> tuple[str, str, str, str]:
    """(full name, sex, family name, given name), not clashing with earlier keys."""
    for _attempt in range(50):
        sex = "m" if builder.rng.random() < 0.55 else "f"
        family = builder.weighted(data.FAMILY_NAMES)
        middle = builder.rng.choice(data.MIDDLE_NAMES[sex])
        given = builder.rng.choice(data.GIVEN_NAMES[sex])
        if middle in (given, family) or middle in given.split():
            continue
        full = f"{family} {middle} {given}"
        if name_key(full) not in builder.name_keys:
            return full, sex, family, given
    return full, sex, family, given


def other_names(builder: DemoBuilder, sex: str, family: str, given: str, country: str) -> list[str]:
    roll = builder.rng.random()
    ascii_family = fold(family).title()
    ascii_given = fold(given).title()
    if sex == "f" and roll < 0.10:
        return [f"{given} {builder.rng.choice(data.MARRIED_NAMES[country])}"]
    if roll < 0.22:
        return [f"{builder.rng.choice(data.FOREIGN_GIVEN[sex])} {ascii_family}"]
    if roll < 0.30:
        return [f"{ascii_given} {ascii_family}"]
    return []


def generated_person(builder: DemoBuilder, country: str) -> Person:
    rng = builder.rng
    info = data.COUNTRIES[country]
    full, sex, family, given = random_name(builder)
    person = builder.new_person(country, full, builder.past(900))
    person.other_names = other_names(builder, sex, family, given, country)
    roll = rng.random()
    kinds = ["expert"] if roll < 0.6 else ["entrepreneur"] if roll < 0.88 else None
    person.kinds = kinds or ["expert", "entrepreneur"]
    pool = data.EXPERT_FIELDS if person.kinds[0] == "expert" else data.ENTREPRENEUR_FIELDS
    fields = [builder.weighted(pool)]
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
    since = max(1990, builder.now.year - years)

    company = None
    if "entrepreneur" in person.kinds:
        sector = next((c for c in fields if c in data.COMPANY_WORDS), None)
        word = data.COMPANY_WORDS[sector] if sector else rng.choice(["Consulting", "Labs"])
        sector = sector or "professional-services"
        suffix = rng.choice(info["company_suffix"])
        company = f"{rng.choice(data.COMPANY_BRANDS)} {word} {suffix}"
        person.company = company
        person.company_sector = builder.label(sector, "vi", mid_sentence=False)
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
        school = rng.choice([u for u, _city in info["universities"] if u != person.organization])
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
            field=builder.label(fields[0], lang),
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
        builder.hometown(person, builder.weighted(data.HOMETOWN_WORDINGS))
    if rng.random() < 0.65:
        person.birth_year = rng.randint(1955, 1998)

    if rng.random() < 0.8:
        local = f"{fold(given).replace(' ', '')}.{fold(family)}"
        domain = rng.choice(["example.org", "example.net", "example.com"])
        person.email = builder.email(local, domain)
    if rng.random() < 0.55:
        person.phone = builder.phone(country)
    if rng.random() < 0.12:
        person.website = f"https://{fold(given).replace(' ', '')}{fold(family)}.example.net"
    person.visibility_profile = rng.choices(
        ["public", "officials", "private"], weights=[60, 35, 5]
    )[0]
    person.visibility_contact = rng.choices(
        ["private", "officials", "public"], weights=[60, 30, 10]
    )[0]

    provenance = rng.choices(["mission", "self", "import"], weights=[65, 22, 13])[0]
    builder.provenance(person, provenance)
    if person.provenance == "self" or (person.email and rng.random() < 0.2):
        builder.member_account(person)
    if rng.random() < (0.45 if person.provenance != "self" else 0.2):
        builder.verify(person)
    listed = rng.random() < 0.85
    contact = rng.random() < (0.7 if listed else 0.2)
    builder.restrict_unclaimed(person)
    builder.consent(person, listed, contact, person.created_at)
    db.session.add(person)
    return person


def countries_for(builder: DemoBuilder, count: int) -> list[str]:
    """Every demo country at least once (when count allows), then by weight."""
    codes = list(data.COUNTRIES)
    weights = [data.COUNTRIES[c]["weight"] for c in codes]
    chosen = codes[:count]
    chosen += builder.rng.choices(codes, weights=weights, k=max(0, count - len(codes)))
    return chosen
