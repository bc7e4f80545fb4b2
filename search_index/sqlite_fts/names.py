"""The name tier of the ranking, split further (see :func:`search_index.sqlite_fts.ranking.page`):
how closely a document's name matches the query."""

from __future__ import annotations

import numpy as np

from search_index.base import name_orders
from search_index.normalize import fold_words
from search_index.sqlite_fts.expressions import match_expression
from search_index.sqlite_fts.schema import LIVE, chunks, quote, read

# The name tier, split (best first): the name equal to the query (in its own order or another);
# the query as a phrase of a name column, its last word whole, then as a prefix; every word in
# the name; the same with one typo; the rest (more typos). See name_tier.
NAME_TIERS = (
    "equal",
    "phrase",
    "phrase_prefix",
    "all",
    "equal_typo",
    "phrase_typo",
    "all_typo",
    "fuzzy",
)
# Names read and compared in Python up to this many documents (more: two id lists).
NAME_SCAN_LIMIT = 500


def word_cost(token: str, word: str, prefix: bool, typos: set[str]) -> int | None:
    """0 when ``token`` is ``word`` (or starts with it, for a prefix), 1 when it is one of
    the word's typo expansions, else None."""
    if token == word or (prefix and token.startswith(word)):
        return 0
    return 1 if token in typos else None


def phrase_cost(columns: list[list[str]], words, prefix: bool, typos) -> tuple[int, bool] | None:
    """The fewest typos with which ``words`` occur side by side in one of ``columns``, and
    whether the last word needed to be a prefix; None when they never do."""
    best = None
    n = len(words)
    for tokens in columns:
        for start in range(len(tokens) - n + 1):
            cost, extended = 0, False
            for k in range(n):
                token, word = tokens[start + k], words[k]
                step = word_cost(token, word, prefix and k == n - 1, typos[k])
                if step is None:
                    break
                cost += step
                extended = extended or (step == 0 and token != word)
            else:
                if best is None or (cost, extended) < best:
                    best = (cost, extended)
    return best


def equal_cost(form: list[str], words, typos) -> int | None:
    """The typos with which ``form`` (a name's words) equals the query's ``words``."""
    if len(form) != len(words):
        return None
    total = 0
    for token, word, allowed in zip(form, words, typos, strict=True):
        step = word_cost(token, word, False, allowed)
        if step is None:
            return None
        total += step
    return total


def name_tier(name: str, columns: list[list[str]], groups, words, typos) -> str:
    """The :data:`NAME_TIERS` tier of a name (``name``: the folded full name; ``columns``:
    the name columns' words) for the query ``groups`` (``words`` flattened, ``typos`` per
    word)."""
    full = " ".join(fold_words(name))
    forms = [f.split() for f in (full, *name_orders(full).values()) if f]
    equal = [c for f in forms if (c := equal_cost(f, words, typos)) is not None]
    if equal and min(equal) == 0:
        return "equal"
    phrase = phrase_cost(columns, words, groups[-1].prefix, typos)
    if phrase is not None and phrase[0] == 0:
        return "phrase_prefix" if phrase[1] else "phrase"
    cost = 0
    position = 0
    for g in groups:
        n = len(g.words)
        if n == 1:
            steps = [
                word_cost(t, g.words[0], g.prefix, typos[position])
                for tokens in columns
                for t in tokens
            ]
            steps = [c for c in steps if c is not None]
            cost += min(steps) if steps else 2
        else:
            cost += 0 if phrase_cost(columns, g.words, False, [set()] * n) else 2
        position += n
    if cost == 0:
        return "all"
    if equal and min(equal) == 1:
        return "equal_typo"
    if phrase is not None and phrase[0] == 1:
        return "phrase_typo"
    return "all_typo" if cost == 1 else "fuzzy"


def name_tiers(conn, rowids, groups, names, expansions, matches) -> np.ndarray:
    """The name tier (:data:`NAME_TIERS`) of each of ``rowids``, documents that hold
    every word of the query in their name columns ``names``, typos allowed.

    Names are short: up to :data:`NAME_SCAN_LIMIT` of them are read and compared word by
    word (:func:`name_tier`), with the typo expansions the match used. More, for a very
    common name ("nguyen van"), are split by id lists (every word without typos, the
    phrase with its last word as a prefix, then whole), and only the narrowest of these
    sets is read. A single word needs nothing more than the id lists: the word whole, as
    a prefix, with a typo.
    """
    words = [w for g in groups for w in g.words]
    if len(words) > 1 and len(rowids) <= NAME_SCAN_LIMIT:
        return read_name_tiers(conn, rowids, groups, names, expansions)
    sub = np.full(len(rowids), NAME_TIERS.index("fuzzy"), dtype=np.int64)
    columns = "{" + " ".join(names) + "} : "
    phrase = quote(" ".join(words))
    steps = []
    if len(words) > 1:
        steps.append(("all", match_expression(conn, groups, names, False)))
    if groups[-1].prefix:
        steps.append(("phrase_prefix", f"{columns}({phrase} *)"))
    steps.append(("phrase", f"{columns}({phrase})"))
    for name, expr in steps:
        sub[np.isin(rowids, matches(expr))] = NAME_TIERS.index(name)
    narrow = np.flatnonzero(sub == NAME_TIERS.index("phrase"))
    if len(words) > 1 and 0 < len(narrow) <= NAME_SCAN_LIMIT:
        sub[narrow] = read_name_tiers(conn, rowids[narrow], groups, names, expansions)
    return sub


def read_name_tiers(conn, rowids, groups, names, expansions) -> np.ndarray:
    """:func:`name_tiers` for a few documents: their names read and compared."""
    words = [w for g in groups for w in g.words]
    # Per word of the query: the indexed words one typo away (none within a phrase).
    typos: list[set[str]] = []
    for g in groups:
        single = len(g.words) == 1
        typos.extend([set(expansions.get(g.words[0], ())) if single else set()] * len(g.words))
    texts: dict[int, tuple] = {}
    picked = ", ".join(f"f.{n}" for n in names)
    for chunk in chunks(rowids.tolist()):
        marks = ",".join("?" * len(chunk))
        texts.update(
            (r[0], r[1:])
            for r in read(
                conn,
                f"SELECT d.rowid, d.name_sort, {picked} FROM {LIVE}docs d "
                f"JOIN {LIVE}fts f ON f.rowid = d.rowid WHERE d.rowid IN ({marks})",
                chunk,
            ).fetchall()
        )
    sub = np.full(len(rowids), NAME_TIERS.index("fuzzy"), dtype=np.int64)
    for i, rowid in enumerate(rowids.tolist()):
        if rowid in texts:
            name_sort, *columns = texts[rowid]
            tokens = [c.split() for c in columns if c]
            sub[i] = NAME_TIERS.index(name_tier(name_sort, tokens, groups, words, typos))
    return sub
