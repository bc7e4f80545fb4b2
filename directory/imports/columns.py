"""The import file's columns (docs/contract.md "Import file columns"), in English or Vietnamese:
people's, or businesses' for a batch of businesses."""

from __future__ import annotations

from directory.people.fields import PERSON_FIELDS
from search_index.normalize import fold

# canonical name -> Vietnamese header in the contract, then other spellings people use: the
# declared person fields that are file columns, then the consent the batch may attest.
COLUMNS: dict[str, tuple[str, ...]] = {
    **{f.column: f.headers for f in PERSON_FIELDS if f.exported},
    "consent_listed": ("Đồng ý công khai", "consent listed", "consent"),
}

# The contract's headers, for the template file and the help text.
HEADERS_EN = tuple(COLUMNS)
HEADERS_VI = tuple(
    names[0] if name not in ("email", "website") else name for name, names in COLUMNS.items()
)


# A business per row: canonical name -> its Vietnamese header, then other spellings.
BUSINESS_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("Tên doanh nghiệp", "business name", "company", "company name", "tên công ty", "tên"),
    "other_names": ("Tên khác", "other names", "brand", "thương hiệu"),
    "legal_form": ("Loại hình", "legal form", "loại hình doanh nghiệp", "hình thức pháp lý"),
    "country": ("Quốc gia", "country of registration", "quốc gia đăng ký", "nước"),
    "operates_in": ("Hoạt động tại", "operates in", "also operates in", "countries"),
    "cities": ("Thành phố", "city", "cities"),
    "sectors": ("Ngành", "sector", "sectors", "ngành nghề", "lĩnh vực kinh doanh"),
    "size_band": ("Quy mô", "size", "size band", "employees"),
    "founded_year": ("Năm thành lập", "founded", "founded year", "year founded", "founded in"),
    "website": ("Trang web", "web", "site"),
    "email": ("Thư điện tử", "e-mail", "mail"),
    "phone": ("Điện thoại", "telephone", "số điện thoại"),
    "description": ("Mô tả", "description", "giới thiệu"),
    "presence_in_vietnam": (
        "Hiện diện tại Việt Nam",
        "presence",
        "presence in vietnam",
        "hiện diện",
    ),
    "interests": ("Quan tâm", "interests", "interest", "mối quan tâm"),
}
BUSINESS_HEADERS_EN = tuple(BUSINESS_COLUMNS)
BUSINESS_HEADERS_VI = tuple(names[0] for names in BUSINESS_COLUMNS.values())
KINDS_COLUMNS = {"people": COLUMNS, "businesses": BUSINESS_COLUMNS}
# The column a file of each kind cannot do without.
NAME_COLUMN = {"people": "full_name", "businesses": "name"}


def _key(text: str) -> str:
    return fold(text).replace("_", " ").replace("-", " ").replace("  ", " ").strip()


def _index(columns: dict[str, tuple[str, ...]]) -> dict[str, str]:
    index: dict[str, str] = {}
    for name, aliases in columns.items():
        for alias in (name, *aliases):
            index[_key(alias)] = name
            index[_key(alias).replace(" ", "")] = name
    return index


_INDEXES = {kind: _index(columns) for kind, columns in KINDS_COLUMNS.items()}
_INDEX = _INDEXES["people"]


def canonical_column(header: str, kind: str = "people") -> str | None:
    """The canonical column for a header written in English or Vietnamese, any case or accents."""
    key = _key(header)
    index = _INDEXES[kind]
    return index.get(key) or index.get(key.replace(" ", ""))


def detect_kind(headers: list[str]) -> str:
    """ "businesses" when a header names a business's own column (sector, legal form, size,
    presence in Vietnam…) and none names a person's own (full name, hometown, birth year…);
    otherwise "people" (a header such as "name" or "email" says neither)."""
    business_only = people_only = 0
    for header in headers:
        if not header:
            continue
        person, business = canonical_column(header), canonical_column(header, "businesses")
        business_only += bool(business and not person)
        people_only += bool(person and not business)
    return "businesses" if business_only and not people_only else "people"


def match_headers(
    headers: list[str], kind: str = "people"
) -> tuple[list[str | None], list[str], list[str]]:
    """(canonical name or None per position, unknown headers, duplicated headers)."""
    columns: list[str | None] = []
    seen: dict[str, str] = {}
    unknown: list[str] = []
    duplicated: list[str] = []
    for header in headers:
        if not header:
            columns.append(None)
            continue
        name = canonical_column(header, kind)
        if name is None:
            unknown.append(header)
        elif name in seen:
            duplicated.append(f"{seen[name]} / {header}")
            name = None
        else:
            seen[name] = header
        columns.append(name)
    return columns, unknown, duplicated
