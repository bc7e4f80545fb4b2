"""Vietnamese folding shared by both search backends, dedupe and reference lookups."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^\w\s]+", re.UNICODE)


def fold(text: str | None) -> str:
    """Lower-case, strip diacritics (đ -> d included) and collapse white space.

    ``fold("Nguyễn Văn Dũng") == "nguyen van dung"``, ``fold("ĐẶNG") == "dang"``.
    """
    if not text:
        return ""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped.lower()).strip()


def fold_words(text: str | None) -> list[str]:
    """Folded words, punctuation removed: the tokens both backends and dedupe compare."""
    return [w for w in _NON_WORD.sub(" ", fold(text)).split() if w]


def name_key(full_name: str | None) -> str:
    """An order-insensitive key for a person's name, for probable-duplicate checks.

    "Nguyễn Văn An", "An Nguyen Van" and "NGUYEN  Van An" share the key "an nguyen van".
    """
    return " ".join(sorted(fold_words(full_name)))
