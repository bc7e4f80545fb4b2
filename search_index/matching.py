"""Query analysis and highlighting shared by both backends.

A query is folded (:func:`search_index.normalize.fold`) and cut into *groups*: one group per
word, one per taxonomy phrase ("bán dẫn", "machine learning") with every equivalent phrase
of the taxonomy as an alternative, or one per multi-word province name, current or legacy
("Quảng Nam", "Yên Bái"). Each group must match (AND); its alternatives are ORed; a phrase
matches as such, never as words scattered over the profile. The last word matches as a prefix
(search as you type); words carry a typo budget (:func:`search_index.base.typo_budget`).

Highlighting works on the ORIGINAL text of the fields the searcher may see, with the same
rules, so that both engines mark the same words and only our own ``<mark>`` is unescaped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from markupsafe import Markup, escape

from search_index.base import typo_budget
from search_index.normalize import fold, fold_words

MAX_QUERY_WORDS = 12
# Taxonomy labels run to 9 words ("Tăng trưởng xanh và phát thải ròng bằng 0").
MAX_PHRASE_WORDS = 10
_TOKEN = re.compile(r"\w+", re.UNICODE)
# Keys (see directory.search.documents): a field the profile holds, a field its title states, a
# province of its hometown. Distinct prefixes: no key is the beginning of a key of another kind.
FIELD_PREFIX = "zf"
TITLE_PREFIX = "zt"
PROVINCE_PREFIX = "zp"
KEY_PREFIXES = (FIELD_PREFIX, TITLE_PREFIX, PROVINCE_PREFIX)
# Other multi-word names people give for a province (see directory.reference.provinces).
PROVINCE_ALIASES = ("Sài Gòn", "Hà Tây", "Vũng Tàu", "Đắc Lắc", "Đắk Lắc")


@dataclass
class Group:
    """One slot of the query: the words typed, and the phrases that satisfy it.

    ``kind``: ``word``, ``taxonomy`` (a phrase or synonym of the field taxonomy) or
    ``province`` (a multi-word province name).
    """

    words: tuple[str, ...]
    alternatives: list[tuple[str, ...]] = field(default_factory=list)
    prefix: bool = False
    kind: str = "word"

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1 or len(self.alternatives) > 1


def joined(words, prefix: str) -> str:
    """Words as one key token ("quảng nam" -> "zpquangnam"). The prefix keeps it apart from
    ordinary words: Meilisearch would otherwise also match "quangnam" split in two ("quang"
    and "nam" anywhere in one attribute)."""
    return prefix + "".join(words)


def field_key(code: str, prefix: str = FIELD_PREFIX) -> str:
    """The key of a taxonomy field ("renewable-energy" -> "zfrenewableenergy")."""
    return joined(code.split("-"), prefix)


def term_key(group: Group, synonyms: dict[str, list[str]], prefix: str = FIELD_PREFIX) -> str:
    """The key of the field that a taxonomy term names. The first equivalent of a phrase in
    :func:`synonym_table` is its field's code (no name belongs to two fields)."""
    return joined(synonyms[" ".join(group.words)][0].split(), prefix)


_province_names: Callable[[], Iterable[str]] = tuple


def use_province_names(provider: Callable[[], Iterable[str]]) -> None:
    """Where province names come from (the application's reference data, given at start-up)."""
    global _province_names
    _province_names = provider
    province_phrases.cache_clear()
    _provinces_by_first_word.cache_clear()


@lru_cache(maxsize=1)
def province_phrases() -> frozenset[str]:
    """Every multi-word province name, folded: current (Vietnamese and English), former,
    legacy, and the usual other names ("sai gon")."""
    names = [*PROVINCE_ALIASES, *_province_names()]
    phrases = (" ".join(fold_words(n)) for n in names)
    return frozenset(p for p in phrases if " " in p)


@lru_cache(maxsize=1)
def _provinces_by_first_word() -> dict[str, tuple[str, ...]]:
    index: dict[str, list[str]] = {}
    for phrase in sorted(province_phrases()):
        index.setdefault(phrase.split()[0], []).append(f" {phrase} ")
    return {word: tuple(phrases) for word, phrases in index.items()}


def provinces_in(folded: str) -> list[str]:
    """The province names (folded phrases) that occur in ``folded`` words."""
    index = _provinces_by_first_word()
    starts = [w for w in dict.fromkeys(folded.split()) if w in index]
    if not starts:
        return []
    padded = f" {folded} "
    return sorted(p.strip() for w in starts for p in index[w] if p in padded)


def synonym_table(fields) -> dict[str, list[str]]:
    """Folded phrase -> every equivalent folded phrase, from taxonomy rows.

    ``fields``: objects or dicts with code, label_vi, label_en, synonyms.
    """
    table: dict[str, list[str]] = {}
    for f in fields:
        get = f.get if isinstance(f, dict) else lambda k, _f=f: getattr(_f, k)
        names = [get("code").replace("-", " "), get("label_vi"), get("label_en")]
        names += list(get("synonyms") or [])
        phrases = list(dict.fromkeys(" ".join(fold_words(n)) for n in names if n))
        phrases = [p for p in phrases if p]
        for p in phrases:
            merged = table.setdefault(p, [])
            for other in phrases:
                if other not in merged:
                    merged.append(other)
    return table


def analyze(text: str | None, synonyms: dict[str, list[str]] | None = None) -> list[Group]:
    """Cut a query into groups (see the module docstring)."""
    words = fold_words(text)[:MAX_QUERY_WORDS]
    synonyms = synonyms or {}
    provinces = province_phrases() if len(words) > 1 else frozenset()
    groups: list[Group] = []
    i = 0
    while i < len(words):
        for n in range(min(MAX_PHRASE_WORDS, len(words) - i), 0, -1):
            phrase = " ".join(words[i : i + n])
            typed = tuple(words[i : i + n])
            if phrase in synonyms and (n > 1 or len(synonyms[phrase]) > 1):
                alts = [tuple(p.split()) for p in synonyms[phrase]]
                if typed not in alts:
                    alts.insert(0, typed)
                groups.append(Group(typed, alts, kind="taxonomy"))
                i += n
                break
            if n > 1 and phrase in provinces:
                groups.append(Group(typed, [typed], kind="province"))
                i += n
                break
        else:
            groups.append(Group((words[i],), [(words[i],)]))
            i += 1
    if groups and not groups[-1].is_phrase:
        groups[-1].prefix = True
    return groups


def typed_groups(groups: list[Group]) -> list[Group]:
    """What the engines match: only the words typed, a taxonomy phrase as one exact phrase.

    Equivalent phrases are in the documents (see documents.py), so they are not sent; a
    multi-word taxonomy phrase ("bán dẫn") must occur as such, not as two words anywhere.
    """
    out = [Group(g.words, [g.words], g.prefix and len(g.words) == 1, g.kind) for g in groups]
    if out and len(out[-1].words) == 1:
        out[-1].prefix = True
    return out


def taxonomy_query(groups: list[Group]) -> bool:
    """Is the whole query one taxonomy term ("bán dẫn", "Law")? It then finds the profiles
    that hold that field (tagged, or named in their text or skills, in any of its names),
    and those whose title states it first."""
    return len(groups) == 1 and groups[0].kind == "taxonomy"


def province_query(groups: list[Group]) -> bool:
    """Is the whole query one multi-word province name ("Quảng Nam", "yen bai")? Its people
    (hometown given so, or in the current province so named) then rank first."""
    return len(groups) == 1 and groups[0].kind == "province"


def distance(a: str, b: str, limit: int = 2) -> int:
    """Damerau (optimal string alignment) distance, or ``limit + 1`` when it exceeds ``limit``."""
    if a == b:
        return 0
    la, lb = len(a), len(b)
    if abs(la - lb) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(lb + 1))
    for i in range(1, la + 1):
        cur = [i] + [0] * lb
        row_min = cur[0]
        ca = a[i - 1]
        for j in range(1, lb + 1):
            cb = b[j - 1]
            cost = 0 if ca == cb else 1
            v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                v = min(v, prev2[j - 2] + 1)
            cur[j] = v
            row_min = min(row_min, v)
        if row_min > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[lb] if prev[lb] <= limit else limit + 1


@lru_cache(maxsize=100_000)
def _fold_token(token: str) -> str:
    return "".join(fold_words(token))


@lru_cache(maxsize=50_000)
def word_matches(token: str, word: str, prefix: bool, typos: bool = True) -> bool:
    """Does an indexed (folded) token satisfy a query word, with typos and prefix rules?

    ``typos=False`` for words the taxonomy added to the query (synonyms are exact: "chip"
    must not mark "Chi").
    """
    if token == word or (prefix and token.startswith(word)):
        return True
    if not typos or not token or token[0] != word[0]:
        return False
    budget = typo_budget(word)
    if not budget:
        return False
    if abs(len(token) - len(word)) <= budget and distance(token, word, budget) <= budget:
        return True
    # A prefix with a typo: "semiconducter" against "semiconductors".
    return (
        prefix and len(token) > len(word) and distance(token[: len(word)], word, budget) <= budget
    )


@lru_cache(maxsize=4096)
def _tokens(text: str) -> tuple[tuple[int, int, str], ...]:
    """(start, end, folded token) of each word of ``text``; a page's texts come back search
    after search (the same profiles), so they are tokenised once. 4,096 texts (about 25 pages
    of 20 profiles) hold a few megabytes per process."""
    return tuple((m.start(), m.end(), _fold_token(m.group())) for m in _TOKEN.finditer(text))


def _marked_spans(text: str, groups: list[Group]) -> list[tuple[int, int]]:
    tokens = _tokens(text)
    spans: list[tuple[int, int]] = []
    for group in groups:
        for alt in group.alternatives:
            n = len(alt)
            if n == 1:
                word = alt[0]
                typed = alt == group.words
                spans.extend(
                    (start, end)
                    for start, end, token in tokens
                    if word_matches(token, word, group.prefix, typed)
                )
                continue
            first = alt[0]
            for i in range(len(tokens) - n + 1):
                if tokens[i][2] != first:
                    continue
                if all(
                    tokens[i + k][2] == alt[k]
                    or (k == n - 1 and group.prefix and tokens[i + k][2].startswith(alt[k]))
                    for k in range(n)
                ):
                    spans.append((tokens[i][0], tokens[i + n - 1][1]))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str | None, groups: list[Group], crop: int | None = None) -> Markup | None:
    """``text`` escaped, with the matched words in ``<mark>``; None when nothing matched.

    With ``crop``, a window of about that many characters around the first match.
    """
    if not text or not groups:
        return None
    spans = _marked_spans(text, groups)
    if not spans:
        return None
    begin, end = 0, len(text)
    if crop and len(text) > crop:
        begin = max(0, spans[0][0] - crop // 3)
        while begin > 0 and not text[begin - 1].isspace():
            begin -= 1
        end = min(len(text), begin + crop)
        while end < len(text) and not text[end].isspace():
            end += 1
    out = [Markup("…") if begin > 0 else Markup("")]
    cursor = begin
    for start, stop in spans:
        if stop <= begin or start >= end:
            continue
        start, stop = max(start, begin), min(stop, end)
        out.append(escape(text[cursor:start]))
        out.append(Markup("<mark>") + escape(text[start:stop]) + Markup("</mark>"))
        cursor = stop
    out.append(escape(text[cursor:end]))
    if end < len(text):
        out.append(Markup("…"))
    return Markup("").join(out)


def folded_text(*parts) -> str:
    """Folded words of every part (strings or lists of strings), space separated."""
    flat: list[str] = []
    for part in parts:
        if not part:
            continue
        if isinstance(part, list | tuple | set):
            flat.extend(str(p) for p in part if p)
        else:
            flat.append(str(part))
    return " ".join(fold_words(" ".join(flat)))


def highlights_for(show: dict, levels, groups: list[Group]) -> dict[str, str]:
    """Highlighted originals of the fields stored at ``levels`` (``show``: level -> {field: text}).

    Only fields the searcher may see are looked at; long fields are cropped around the match.
    """
    from search_index.base import LONG_FIELDS

    out: dict[str, str] = {}
    if not groups:
        return out
    for lvl in levels:
        for key, text in (show.get(str(lvl)) or show.get(lvl) or {}).items():
            marked = highlight(text, groups, crop=160 if key in LONG_FIELDS else None)
            if marked is not None:
                out[key] = str(marked)
    return out


__all__ = [
    "Group",
    "analyze",
    "distance",
    "fold",
    "folded_text",
    "highlight",
    "highlights_for",
    "joined",
    "field_key",
    "term_key",
    "FIELD_PREFIX",
    "KEY_PREFIXES",
    "PROVINCE_PREFIX",
    "TITLE_PREFIX",
    "province_phrases",
    "province_query",
    "provinces_in",
    "taxonomy_query",
    "synonym_table",
    "typed_groups",
    "word_matches",
]
