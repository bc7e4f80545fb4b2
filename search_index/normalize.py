"""Vietnamese folding shared by both search backends, dedupe and reference lookups."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"\w+")


class _StripTable(dict):
    """Code point -> the character without its diacritics (``str.translate`` table).

    Filled on first sight of each character: the canonical decomposition (NFD) without its
    non-spacing marks (category Mn), ``đ``/``Đ`` -> ``d``/``D``. Folding a text is then one
    ``translate`` pass in C instead of a Python loop over its decomposition; the result is the
    same, since NFD decomposes character by character and only reorders the marks it drops.
    """

    def __missing__(self, code: int) -> str | None:
        char = chr(code)
        if char in "đĐ":
            value = "d" if char == "đ" else "D"
        else:
            decomposed = unicodedata.normalize("NFD", char)
            value = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
        self[code] = value
        return value


_STRIP = _StripTable()
# ASCII is unchanged: map it to itself up front so common text never reaches __missing__.
_STRIP.update({code: chr(code) for code in range(128)})


def _strip(text: str) -> str:
    """``text`` without diacritics (ASCII text is returned as it is)."""
    return text if text.isascii() else text.translate(_STRIP)


def fold(text: str | None) -> str:
    """Lower-case, strip diacritics (đ -> d included) and collapse white space.

    ``fold("Nguyễn Văn Dũng") == "nguyen van dung"``, ``fold("ĐẶNG") == "dang"``.
    """
    if not text:
        return ""
    return _SPACES.sub(" ", _strip(text).lower()).strip()


def fold_words(text: str | None) -> list[str]:
    """Folded words, punctuation removed: the tokens both backends and dedupe compare.

    The runs of word characters of the folded text (what splitting it at white space and
    punctuation gives), in one regular-expression pass.
    """
    if not text:
        return []
    return _WORD.findall(_strip(text).lower())


def name_key(full_name: str | None) -> str:
    """An order-insensitive key for a person's name, for probable-duplicate checks.

    "Nguyễn Văn An", "An Nguyen Van" and "NGUYEN  Van An" share the key "an nguyen van".
    """
    return " ".join(sorted(fold_words(full_name)))
