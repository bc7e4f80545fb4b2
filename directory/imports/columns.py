"""The import file's columns (docs/contract.md "Import file columns"), in English or Vietnamese."""

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


def _key(text: str) -> str:
    return fold(text).replace("_", " ").replace("-", " ").replace("  ", " ").strip()


_INDEX: dict[str, str] = {}
for _name, _aliases in COLUMNS.items():
    for _alias in (_name, *_aliases):
        _INDEX[_key(_alias)] = _name
        _INDEX[_key(_alias).replace(" ", "")] = _name


def canonical_column(header: str) -> str | None:
    """The canonical column for a header written in English or Vietnamese, any case or accents."""
    key = _key(header)
    return _INDEX.get(key) or _INDEX.get(key.replace(" ", ""))


def match_headers(headers: list[str]) -> tuple[list[str | None], list[str], list[str]]:
    """(canonical name or None per position, unknown headers, duplicated headers)."""
    columns: list[str | None] = []
    seen: dict[str, str] = {}
    unknown: list[str] = []
    duplicated: list[str] = []
    for header in headers:
        if not header:
            columns.append(None)
            continue
        name = canonical_column(header)
        if name is None:
            unknown.append(header)
        elif name in seen:
            duplicated.append(f"{seen[name]} / {header}")
            name = None
        else:
            seen[name] = header
        columns.append(name)
    return columns, unknown, duplicated
