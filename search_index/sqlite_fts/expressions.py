"""FTS5 MATCH expressions for a query: its words with their typo expansions, the ranking
tiers, the filters as facet tokens; and the id lists they select."""

from __future__ import annotations

import numpy as np

from search_index.base import RANK_GROUPS, TEXT_GROUPS, TWO_TYPOS_MIN, SearchQuery, typo_budget
from search_index.matching import (
    FIELD_PREFIX,
    PROVINCE_PREFIX,
    TITLE_PREFIX,
    Group,
    distance,
    joined,
    province_query,
    taxonomy_query,
    term_key,
)
from search_index.sqlite_fts.schema import FACET_COLUMNS, LIVE, facet_token, near_terms, quote, read

MAX_EXPANSIONS = 30


def ids(conn, sql: str, params: tuple) -> np.ndarray:
    rows = read(conn, sql, params).fetchall()
    return np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))


def matches(conn, expr: str) -> np.ndarray:
    """Rowids matching ``expr`` (ascending), unranked."""
    return ids(conn, f"SELECT rowid FROM {LIVE}fts WHERE {LIVE}fts MATCH ?", (expr,))


def expansions(conn, word: str) -> list[str]:
    """Indexed words within ``word``'s typo budget (first letter kept)."""
    budget = typo_budget(word)
    if not budget:
        return []
    found = set(near_terms(conn, word))
    if budget >= 2 and len(word) >= TWO_TYPOS_MIN:
        low = word[:2]
        high = low[:-1] + chr(ord(low[-1]) + 1)
        found.update(
            r[0]
            for r in read(
                conn,
                f"SELECT term FROM {LIVE}vocab WHERE term >= ? AND term < ? "
                f"AND length(term) BETWEEN ? AND ?",
                (low, high, len(word) - 2, len(word) + 2),
            )
        )
    close = [
        (distance(t, word, budget), t)
        for t in found
        if t != word and t[:1] == word[:1] and distance(t, word, budget) <= budget
    ]
    return [t for _d, t in sorted(close)[:MAX_EXPANSIONS]]


def match_expression(conn, groups: list[Group], columns: list[str], typos: bool, cache=None) -> str:
    """Every group in ``columns`` (each in any of them); ``cache``: word -> expansions,
    shared by the expressions of one search."""
    cache = {} if cache is None else cache
    parts = []
    for group in groups:
        terms: list[str] = []
        if typos and len(group.words) == 1:
            if group.words[0] not in cache:
                cache[group.words[0]] = expansions(conn, group.words[0])
            terms = cache[group.words[0]]
        parts.append(group_expression(group, terms))
    return "{" + " ".join(columns) + "} : (" + " AND ".join(parts) + ")"


def group_expression(group: Group, terms: list[str]) -> str:
    """A group's alternatives (its last word a prefix if it is one), or ``terms``."""
    alts = [quote(" ".join(alt)) + (" *" if group.prefix else "") for alt in group.alternatives]
    alts += [quote(t) for t in terms]
    return "(" + " OR ".join(dict.fromkeys(alts)) + ")"


def tiers(conn, groups, columns, cache, synonyms) -> list[tuple]:
    """The query's tiers, best first: (kind, MATCH expression). A document ranks in the
    first tier it matches (see :func:`search_index.sqlite_fts.ranking.page`); the ``name``
    tier (every word in the name, typos allowed) is split further by
    :func:`search_index.sqlite_fts.names.name_tiers`."""
    by_group = {g: [c for c in columns if c.rsplit("_", 1)[0] == g] for g in TEXT_GROUPS}
    found: list[tuple] = []
    if taxonomy_query(groups):
        # "bán dẫn": the people whose title states the field, then those who hold it.
        tags = "{" + " ".join(by_group["tags"]) + "} : "
        for prefix in (TITLE_PREFIX, FIELD_PREFIX):
            found.append(("plain", tags + quote(term_key(groups[0], synonyms, prefix))))
        return found
    if province_query(groups):
        # "Quảng Nam": the people of that hometown before the names "… Quang Nam".
        home = quote(joined(groups[0].words, PROVINCE_PREFIX))
        found.append(("plain", "{" + " ".join(by_group["place"]) + "} : " + home))
    found.append(("name", match_expression(conn, groups, by_group["name"], True, cache)))
    for g in RANK_GROUPS:
        if g != "name":
            for typos in (False, True):
                expr = match_expression(conn, groups, by_group[g], typos, cache)
                found.append(("plain", expr))
    found.append(("plain", match_expression(conn, groups, columns, False, cache)))
    seen: set[str] = set()
    return [t for t in found if not (t[1] in seen or seen.add(t[1]))]


def filter_expression(query: SearchQuery) -> str:
    """The query's filters as facet tokens (ANDed across facets, ORed within one)."""
    parts = []
    for facet, values in sorted(query.filters.items()):
        if values and facet in FACET_COLUMNS:
            tokens = " OR ".join(quote(facet_token(facet, v)) for v in values)
            parts.append(f"({{facets}} : ({tokens}))")
    return " AND ".join(parts)
