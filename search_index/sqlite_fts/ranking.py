"""Ordering the results and cutting out the requested page: by tiers of relevance as
Meilisearch ranks, by name, or by recency."""

from __future__ import annotations

import numpy as np

from search_index.sqlite_fts.columns import QUALITY_MAX
from search_index.sqlite_fts.expressions import filter_expression, matches, tiers
from search_index.sqlite_fts.names import NAME_TIERS, name_tiers
from search_index.sqlite_fts.schema import LIVE, chunks, read

# Relevance keys: tier << 38 | (QUALITY_MAX - quality) << 34 | (UPDATED_MAX - updated_at).
LAST_TIER = 1 << 12
UPDATED_MAX = (1 << 34) - 1


def page(conn, cols, query, result, groups, columns, expansions, synonyms):
    """The rowids of the requested page, in order.

    Only the documents that can reach the page are ordered exactly: a numeric key
    selects them, ties included, and the exact order (key, then folded name, then
    document id) is settled on that small set.

    Relevance follows Meilisearch's ranking rules (see :mod:`search_index.meilisearch`):
    a document ranks in the first of the query's tiers it matches
    (:func:`search_index.sqlite_fts.expressions.tiers`): the hometown, for a query that is a
    province name, or a title that states the field, for a query that is a taxonomy term;
    then the name (split by :func:`search_index.sqlite_fts.names.name_tiers`: equal to the
    query, the query as a phrase of it, all its words, then the same with typos);
    then every word in the places, the tags, the text, without typos then with; then
    scattered over the profile. Within a tier: quality (verified and complete
    profiles first), then the most recently updated. Tiers are asked for one after the
    other until they fill the page, so a broad query costs a few id lists, not a score
    per match.
    """
    want = query.offset + query.per_page
    if not len(result) or query.offset >= len(result):
        return []
    if query.sort == "updated":
        key = -cols.updated[result]
        return settle(conn, result, key, want, query, lambda r, k: (-r[2], r[3]))
    if query.sort == "name" or not groups:
        key = cols.name_key[result].astype(np.float64)
        return settle(conn, result, key, want, query, lambda r, k: (r[1], r[3]))

    if len(result) > 1 and not bool(np.all(result[1:] > result[:-1])):
        result = np.sort(result)
    # An index of an earlier version has no facet tokens: tiers are then intersected
    # with the filtered result only.
    filter_expr = filter_expression(query) if cols.fts_facets else ""

    def filtered(expr: str) -> np.ndarray:
        return matches(conn, f"{expr} AND {filter_expr}" if filter_expr else expr)

    names = [c for c in columns if c.startswith("name_")]
    tier = np.full(len(result), LAST_TIER, dtype=np.int64)
    placed = 0
    ranked = tiers(conn, groups, columns, expansions, synonyms)
    for number, (kind, expr) in enumerate(ranked):
        if placed >= min(want, len(result)):
            break
        ids = filtered(expr)
        at = np.searchsorted(result, ids)
        inside = at < len(result)
        at = at[inside][result[at[inside]] == ids[inside]]
        at = at[tier[at] == LAST_TIER]
        sub = 0
        if kind == "name" and len(at):
            sub = name_tiers(conn, result[at], groups, names, expansions, filtered)
        tier[at] = number * len(NAME_TIERS) + sub
        placed += len(at)
    quality = QUALITY_MAX - cols.quality[result].astype(np.int64)
    updated = np.clip(cols.updated[result], 0, UPDATED_MAX).astype(np.int64)
    key = (tier << 38) | (quality << 34) | (UPDATED_MAX - updated)
    return settle(conn, result, key, want, query, lambda r, k: (k, r[1], r[3]), cols.name_key)


def settle(conn, rowids, key, want, query, order, name_key=None) -> list[int]:
    """The page of ``rowids``: those whose ``key`` reaches the page, ordered by
    ``order(row, key)`` over their (rowid, name_sort, updated_at, doc_id) rows. With
    ``name_key`` (the column store's name prefixes), many ties at the page's edge are cut
    by name first."""
    if len(rowids) > want:
        kth = np.partition(key, want - 1)[want - 1]
        keep = key <= kth
        if name_key is not None and keep.sum() > 4 * want:
            tie = key == kth
            room = want - int((key < kth).sum())
            names = name_key[rowids[tie]]
            edge = np.partition(names, room - 1)[room - 1]
            keep = key < kth
            keep[np.flatnonzero(tie)[names <= edge]] = True
        rowids, key = rowids[keep], key[keep]
    keys = dict(zip(rowids.tolist(), key.tolist(), strict=True))
    rows = []
    for chunk in chunks(rowids.tolist()):
        marks = ",".join("?" * len(chunk))
        rows.extend(
            read(
                conn,
                f"SELECT rowid, name_sort, updated_at, doc_id FROM {LIVE}docs "
                f"WHERE rowid IN ({marks})",
                tuple(chunk),
            ).fetchall()
        )
    rows.sort(key=lambda r: order(r, keys[r[0]]))
    return [r[0] for r in rows[query.offset : query.offset + query.per_page]]
