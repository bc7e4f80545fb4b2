"""Text helpers every domain may use: Vietnamese-safe cleaning and the yes/no words.

A bottom-layer module: it imports nothing from the application's domains.
"""

from __future__ import annotations

import re
import unicodedata

from search_index.normalize import fold

# One list for every yes/no input (forms, imports, API bodies, search filters), compared folded:
# "Có", "CÓ" and "co" are the same word. The empty cell of a spreadsheet means no.
YES_WORDS = frozenset({"1", "true", "yes", "y", "x", "on", "co", "dong y"})
NO_WORDS = frozenset({"0", "false", "no", "n", "off", "khong", "", "none"})
_SPACES = re.compile(r"\s+")


def clean_text(value) -> str:
    """NFC, trimmed, inner white space collapsed: the form names and short texts are kept in."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", str(value))).strip()


def clean_long_text(value) -> str:
    """NFC and trimmed, keeping the line breaks of a bio or a description."""
    text = unicodedata.normalize("NFC", str(value)).replace("\r\n", "\n").strip()
    return re.sub(r"\n{3,}", "\n\n", text)


def split_multi(value) -> list[str]:
    """A list, or a ``;``-separated string (new lines too), as cleaned non-empty items."""
    if value is None:
        return []
    items = value if isinstance(value, list | tuple | set) else re.split(r"[;\n]", str(value))
    out: list[str] = []
    for item in items:
        if item is None:
            continue
        text = clean_text(item)
        if text and text not in out:
            out.append(text)
    return out


def yes_no(word: str) -> bool | None:
    """True or False for a yes/no word in English or Vietnamese (any case, any accents), else None."""
    folded = fold(word)
    if folded in YES_WORDS:
        return True
    if folded in NO_WORDS:
        return False
    return None


def parse_bool(value) -> bool:
    """A boolean from a bool, a number or a yes/no word; ValueError (the folded word) otherwise."""
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, int):
        return value != 0
    answer = yes_no(str(value))
    if answer is None:
        raise ValueError(fold(str(value)))
    return answer
