"""The relevance benchmark's synthetic directory (see bench/relevance.py): people whose right
answers are known, with their application rows, fields and hometowns."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

FAMILY = [
    ("Nguyễn", 380), ("Trần", 110), ("Lê", 95), ("Phạm", 70), ("Hoàng", 50), ("Huỳnh", 40),
    ("Phan", 45), ("Vũ", 40), ("Võ", 30), ("Đặng", 20), ("Bùi", 20), ("Đỗ", 15), ("Hồ", 15),
    ("Ngô", 13), ("Dương", 10), ("Lý", 5), ("Đinh", 6), ("Trương", 6), ("Lương", 4),
    ("Cao", 4), ("Mai", 4), ("Lâm", 4), ("Đoàn", 5), ("Hà", 4), ("Tô", 2), ("Châu", 2),
    ("Quách", 2), ("Tạ", 2), ("Lưu", 3), ("Kiều", 1),
]  # fmt: skip
MIDDLE_M = ["Văn", "Văn", "Văn", "Minh", "Quốc", "Hữu", "Đức", "Thanh", "Hoàng", "Anh",
            "Xuân", "Gia", "Công", "Đình", "Quang", "Ngọc", "Bảo", "Trọng", "Tuấn", "Hải",
            "Thành", "Duy", "Mạnh", "Tiến"]  # fmt: skip
MIDDLE_F = ["Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Kim", "Bích", "Phương", "Mỹ",
            "Hồng", "Thùy", "Minh", "Diệu", "Hải", "Khánh", "Lan", "Quỳnh", "Bảo", "Hoài"]  # fmt: skip
GIVEN_M = ["Dũng", "Nam", "Quân", "Tuấn", "Hùng", "Long", "Hải", "Sơn", "Khoa", "Đức", "Huy",
           "Việt", "Phúc", "Trung", "Hiếu", "Đạt", "Thắng", "Lộc", "Bình", "Minh", "An",
           "Khánh", "Phong", "Thành", "Tài", "Hoàng", "Duy", "Kiên", "Nhân", "Tâm", "Tùng",
           "Vinh", "Cường", "Hưng", "Hòa", "Quang", "Thái", "Toàn", "Tú", "Định", "Giang",
           "Ninh", "Dương", "Lâm", "Phú", "Nghĩa", "Thịnh", "Bảo", "Trí", "Anh"]  # fmt: skip
GIVEN_F = ["Hương", "Lan", "Hà", "Linh", "Trang", "Phương", "Thảo", "Mai", "Vy", "Thủy",
           "Nhung", "Hạnh", "Quỳnh", "Yến", "Ngân", "Giang", "Châu", "Oanh", "Anh", "Hằng",
           "Huyền", "Loan", "Nga", "Nhi", "Hoa", "Thư", "Uyên", "Vân", "Huế", "Ninh", "Dung",
           "Tâm", "Hiền", "Trâm", "Diệp", "Ly", "My", "Ngọc", "Thu", "Bình"]  # fmt: skip
GIVEN_F2 = ["Thu Hà", "Bảo Anh", "Ngọc Lan", "Minh Châu", "Phương Thảo", "Thanh Hương",
            "Hồng Nhung", "Thu Trang", "Kim Ngân", "Diệu Linh", "Hải Yến", "Mai Anh"]  # fmt: skip
FOREIGN = ["Martin", "Schmidt", "Smith", "Tanaka", "Novak", "Dubois", "Müller", "Johnson",
           "Rossi", "Jansen", "Nilsson", "Peeters"]  # fmt: skip
COUNTRIES = {
    "FR": (["Paris", "Lyon", "Toulouse", "Grenoble", "Marseille"], "fr"),
    "DE": (["Berlin", "München", "Hamburg", "Leipzig"], "de"),
    "US": (["San Jose", "Houston", "Boston", "Seattle", "Orange County"], "en"),
    "JP": (["Tokyo", "Osaka", "Nagoya"], "ja"),
    "KR": (["Seoul", "Busan"], "ko"),
    "AU": (["Sydney", "Melbourne"], "en"),
    "CA": (["Toronto", "Montréal", "Vancouver"], "en"),
    "GB": (["London", "Manchester"], "en"),
    "CZ": (["Praha", "Brno"], "cs"),
    "RU": (["Moskva", "Sankt-Peterburg"], "ru"),
    "TW": (["Taipei", "Đài Trung"], "zh"),
    "SG": (["Singapore"], "en"),
}
COUNTRY_WEIGHTS = [22, 14, 18, 10, 6, 7, 7, 5, 4, 3, 2, 2]
ORGS = ["CNRS", "Samsung", "Intel", "Bosch", "Toyota", "Siemens", "Google", "CEA", "Airbus",
        "Đại học Paris-Saclay", "TU München", "University of Tokyo", "Thales", "Nokia",
        "Công ty TNHH Sao Việt", "Vietnam Airlines", "Deloitte", "BNP Paribas"]  # fmt: skip
TITLES_VI = ["Kỹ sư", "Giáo sư", "Tiến sĩ", "Nghiên cứu viên", "Giám đốc", "Bác sĩ",
             "Chuyên viên", "Trưởng nhóm", "Giảng viên"]  # fmt: skip
TITLES_EN = ["Senior engineer", "Professor", "Researcher", "Founder", "CEO", "Consultant",
             "Lecturer", "Project manager"]  # fmt: skip
# Everyday sentences whose words are also names or hometown syllables ("dụng", "Nam",
# "Quảng", "Hà"...): the distractors a name or province query must not rank first.
FILLERS = [
    "Yêu quê hương Việt Nam, thường về nước vào dịp Tết.",
    "Quảng bá ẩm thực Việt tại {city}.",
    "Tham gia hội sinh viên Việt Nam tại {city}.",
    "Có kinh nghiệm ứng dụng công cụ số trong quản lý.",
    "Sẵn sàng kết nối với các địa phương ở Việt Nam.",
    "Từng làm việc tại Hà Nội và Sài Gòn trước khi ra nước ngoài.",
    "Thích đọc sách, chạy bộ và du lịch cùng gia đình.",
    "Happy to mentor young Vietnamese professionals in {city}.",
    "Born in Vietnam, moved to {city} as a student.",
]


@dataclass
class Profile:
    """One synthetic person and what the bench knows about them."""

    row: dict
    family: str
    given: str
    middle: list[str]
    fields: set[str] = field(default_factory=set)  # tagged or named in public text
    province: str = ""
    as_given: str = ""


def _weighted(rng: random.Random, pairs) -> str:
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


def make_name(rng: random.Random) -> tuple[str, list[str], str]:
    family = _weighted(rng, FAMILY)
    female = rng.random() < 0.5
    roll = rng.random()
    if roll < 0.04:
        return family, [], rng.choice(GIVEN_F if female else GIVEN_M)
    if female and roll < 0.16:
        return family, [rng.choice(MIDDLE_F)], rng.choice(GIVEN_F2)
    middle = rng.choice(MIDDLE_F if female else MIDDLE_M)
    given = rng.choice(GIVEN_F if female else GIVEN_M)
    if given == middle:
        given = rng.choice(GIVEN_F if female else GIVEN_M)
    return family, [middle], given


def generate(n: int, seed: int) -> list[Profile]:
    """``n`` synthetic people with their application rows (see the module docstring)."""
    from directory.reference.fields import shipped_fields
    from directory.reference.provinces import all_provinces, resolve_province
    from search_index.normalize import fold, name_key

    rng = random.Random(seed)
    fields = list(shipped_fields())
    provinces = list(all_provinces())
    countries = list(COUNTRIES)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    people: list[Profile] = []
    for i in range(n):
        if people and rng.random() < 0.05:
            # A namesake: the very same name, or the same written without diacritics (as a
            # mission abroad may have typed it).
            twin = rng.choice(people)
            family, middle, given = twin.family, list(twin.middle), twin.given
            if rng.random() < 0.3:
                family, middle, given = (
                    fold(family).title(),
                    [fold(m).title() for m in middle],
                    (fold(given).title()),
                )
        else:
            family, middle, given = make_name(rng)
        full_name = " ".join([family, *middle, given])
        country = rng.choices(countries, COUNTRY_WEIGHTS)[0]
        cities, language = COUNTRIES[country]
        city = rng.choice(cities)
        province = rng.choice(provinces)
        legacy = [name for name in province.legacy_names if name != province.name_vi]
        roll = rng.random()
        if legacy and roll < 0.45:
            as_given = rng.choice(legacy)
        elif roll < 0.8:
            as_given = province.name_vi
        elif roll < 0.93:
            as_given = fold(rng.choice([province.name_vi, *legacy])).title()
        else:
            as_given = ("Tỉnh " if province.kind == "province" else "TP. ") + province.name_vi
        slug = resolve_province(as_given)
        assert slug == province.slug, (as_given, slug, province.slug)
        kind = rng.random()
        thin = kind < 0.2
        picked = rng.sample(fields, 1 if thin else rng.randint(1, 3))
        tagged = [f["code"] for f in picked]
        verified = rng.random() < (0.1 if thin else 0.4)
        mentioned = []
        title = organization = bio = education = None
        if not thin:
            title = rng.choice(TITLES_VI if rng.random() < 0.6 else TITLES_EN)
            organization = rng.choice(ORGS)
            parts = []
            for f in picked:
                if rng.random() < 0.5:
                    parts.append(f"Chuyên gia {f['label_vi'].lower()} tại {city}.")
                else:
                    parts.append(f"Works in {f['label_en'].lower()} in {city}.")
            if rng.random() < 0.2:
                # A field named in the bio only (not tagged): relevant all the same.
                extra = rng.choice(fields)
                mentioned.append(extra["code"])
                parts.append(f"Quan tâm đến {extra['label_vi'].lower()}.")
            parts.append(rng.choice(FILLERS).format(city=city))
            rng.shuffle(parts)
            bio = " ".join(parts)
            if rng.random() < 0.5:
                education = rng.choice(["Thạc sĩ", "Tiến sĩ", "Master", "PhD"]) + f" ({city})"
        when = start + timedelta(hours=i)
        visibility = "public" if rng.random() < 0.8 else "officials"
        other_names = []
        if rng.random() < 0.08:
            other_names = [f"{given.split()[-1]} {rng.choice(FOREIGN)}"]
        row = {
            "id": f"{i:016x}",
            "full_name": full_name,
            "other_names": other_names,
            "kinds": rng.choice([["expert"], ["expert"], ["entrepreneur"]]),
            "fields": tagged,
            "skills": [],
            "title": title,
            "organization": organization,
            "education": education,
            "languages": sorted({"vi", language}),
            "country": country,
            "city": city,
            "hometown_province": slug,
            "hometown_as_given": as_given,
            "email": f"p{i}@example.net",
            "phone": None,
            "links": [],
            "bio": bio,
            "name_key": name_key(full_name),
            "visibility_profile": visibility,
            "visibility_contact": "private",
            "consent_listed": rng.random() < 0.92,
            "consent_contact": rng.random() < 0.5,
            "provenance": "mission",
            "field_sources": {},
            "verified_at": when if verified else None,
            "created_at": when,
            "updated_at": when + timedelta(days=rng.randint(0, 400)),
        }
        profile = Profile(row, family, given, middle, province=province.slug, as_given=as_given)
        profile.fields = set(tagged)
        if visibility == "public":
            profile.fields |= set(mentioned)
            for part in (title, bio):
                profile.fields |= _named_fields(part or "")
        people.append(profile)
    return people


_FIELD_NAMES: dict[str, list[str]] = {}


def field_names() -> dict[str, list[str]]:
    """Field code -> its folded names (code, labels, synonyms)."""
    if not _FIELD_NAMES:
        from directory.reference.fields import shipped_fields
        from search_index.normalize import fold_words

        for f in shipped_fields():
            names = [f["code"].replace("-", " "), f["label_vi"], f["label_en"], *f["synonyms"]]
            _FIELD_NAMES[f["code"]] = [" ".join(fold_words(x)) for x in names if x]
    return _FIELD_NAMES


def _named_fields(text: str) -> set[str]:
    """Fields whose names occur as a phrase in ``text`` (what a reader would understand)."""
    from search_index.normalize import fold_words

    padded = f" {' '.join(fold_words(text))} "
    return {
        code
        for code, names in field_names().items()
        if any(len(n) >= 3 and f" {n} " in padded for n in names)
    }
