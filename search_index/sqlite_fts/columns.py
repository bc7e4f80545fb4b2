"""The column store: every document's visibility, sort keys, quality and facet values in
memory (NumPy arrays, one per process), brought up to date from the index's generation
before each query."""

from __future__ import annotations

import numpy as np

from search_index.sqlite_fts.schema import (
    FACET_COLUMNS,
    FACET_SEP,
    LIVE,
    META,
    VALUE_SEP,
    fts_has_facets,
    read,
)

QUALITY_MAX = 15


def name_key(name: str) -> int:
    """The first 8 bytes of a folded name as a number: the same order as the strings, up to
    ties that the exact comparison then settles."""
    return int.from_bytes(name.encode()[:8].ljust(8, b"\0"), "big")


class Columns:
    """Every document's visibility, sort keys and facet values, as arrays indexed by rowid.

    Immutable once published: :meth:`updated_with` returns a new instance, so a query holds
    one consistent snapshot while another thread refreshes.
    """

    def __init__(self, epoch: int, gen: int) -> None:
        self.epoch = epoch
        self.gen = gen
        self.size = 0
        self.alive = np.zeros(0, dtype=bool)
        self.listed = np.zeros(0, dtype=bool)
        self.name_key = np.zeros(0, dtype=np.uint64)
        self.updated = np.zeros(0, dtype=np.float64)
        self.created = np.zeros(0, dtype=np.float64)
        self.quality = np.zeros(0, dtype=np.int8)
        # facet -> (rows x slots) value ids, -1 where empty; value ids per facet.
        self.values: dict[str, np.ndarray] = {
            f: np.full((0, 1), -1, dtype=np.int32) for f in FACET_COLUMNS
        }
        self.ids: dict[str, dict[str, int]] = {f: {} for f in FACET_COLUMNS}
        self.names: dict[str, list[str]] = {f: [] for f in FACET_COLUMNS}
        self.fts_facets = True

    def updated_with(self, gen: int, rows: list, gone: list[int], epoch: int) -> Columns:
        """A copy with ``gone`` rowids removed, then ``rows`` written (in that order)."""
        size = max([self.size, *(r[0] + 1 for r in rows)])
        new = Columns.__new__(Columns)
        new.epoch, new.gen, new.size = epoch, gen, size
        grow = size - self.size

        def copy(array: np.ndarray, fill) -> np.ndarray:
            if not grow:
                return array.copy()
            extra = np.full((grow, *array.shape[1:]), fill, dtype=array.dtype)
            return np.concatenate([array, extra])

        new.alive = copy(self.alive, False)
        new.listed = copy(self.listed, False)
        new.name_key = copy(self.name_key, 0)
        new.updated = copy(self.updated, 0.0)
        new.created = copy(self.created, 0.0)
        new.quality = copy(self.quality, 0)
        new.values = {f: copy(a, -1) for f, a in self.values.items()}
        new.ids = {f: dict(v) for f, v in self.ids.items()}
        new.names = {f: list(v) for f, v in self.names.items()}
        new.fts_facets = self.fts_facets
        if gone:
            new.alive[np.asarray(gone, dtype=np.int64)] = False
        if rows:
            new._write(rows)
        return new

    def _write(self, rows: list) -> None:
        rowids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        self.alive[rowids] = True
        self.listed[rowids] = np.fromiter((bool(r[1]) for r in rows), dtype=bool, count=len(rows))
        self.name_key[rowids] = np.fromiter(
            (name_key(r[2] or "") for r in rows), dtype=np.uint64, count=len(rows)
        )
        self.updated[rowids] = np.fromiter((r[3] or 0.0 for r in rows), dtype=np.float64)
        self.created[rowids] = np.fromiter((r[6] or 0.0 for r in rows), dtype=np.float64)
        self.quality[rowids] = np.fromiter(
            (min(max(r[5] or 0, 0), QUALITY_MAX) for r in rows), dtype=np.int8, count=len(rows)
        )
        # (slot, facet) -> rows and value ids, assigned column by column.
        per_facet: dict[str, list[list[int]]] = {f: [] for f in FACET_COLUMNS}
        for position, row in enumerate(rows):
            counts: dict[str, int] = {}
            for item in row[4].split(FACET_SEP) if row[4] else ():
                facet, _sep, value = item.partition(VALUE_SEP)
                ids = self.ids.get(facet)
                if ids is None:
                    continue
                vid = ids.get(value)
                if vid is None:
                    vid = ids[value] = len(self.names[facet])
                    self.names[facet].append(value)
                slot = counts.get(facet, 0)
                counts[facet] = slot + 1
                per_facet[facet].append([position, slot, vid])
        for facet, assigned in per_facet.items():
            array = self.values[facet]
            array[rowids] = -1
            if not assigned:
                continue
            triples = np.asarray(assigned, dtype=np.int64)
            slots = int(triples[:, 1].max()) + 1
            if slots > array.shape[1]:
                array = np.concatenate(
                    [array, np.full((array.shape[0], slots - array.shape[1]), -1, np.int32)],
                    axis=1,
                )
                self.values[facet] = array
            array[rowids[triples[:, 0]], triples[:, 1]] = triples[:, 2]

    def live(self, rowids: np.ndarray) -> np.ndarray:
        """``rowids`` (from FTS5) that this snapshot knows and that are alive."""
        rowids = rowids[rowids < self.size]
        return rowids[self.alive[rowids]]

    def mask(self, facet: str, wanted: list[str], rowids: np.ndarray) -> np.ndarray:
        """Which of ``rowids`` have one of the ``wanted`` values of ``facet``."""
        ids = [self.ids[facet][v] for v in wanted if v in self.ids[facet]]
        if not ids or not len(rowids):
            return np.zeros(len(rowids), dtype=bool)
        return np.isin(self.values[facet][rowids], ids).any(axis=1)

    def counts(self, facet: str, rowids: np.ndarray) -> dict[str, int]:
        """Value -> number of ``rowids`` having it."""
        if not len(rowids) or not self.names[facet]:
            return {}
        found = self.values[facet][rowids].ravel()
        tally = np.bincount(found[found >= 0], minlength=len(self.names[facet]))
        names = self.names[facet]
        return {names[i]: int(tally[i]) for i in np.flatnonzero(tally)}


def generation(conn) -> tuple[int, int, int]:
    """The index's (epoch, generation, oldest generation whose removals are still logged)."""
    meta = dict(read(conn, f"SELECT k, v FROM {META}").fetchall())
    return meta.get("epoch", 0), meta.get("generation", 0), meta.get("gone_floor", 0)


def refreshed(conn, current: Columns | None, epoch: int, gen: int, floor: int) -> Columns:
    """``current`` brought up to generation ``gen`` (a new store), or a store loaded whole
    when there is none, the index was replaced, or its removals are no longer all logged."""
    select = (
        f"SELECT rowid, listed, name_sort, updated_at, facets, quality, created_at FROM {LIVE}docs"
    )
    if current is None or current.epoch != epoch or current.gen < floor:
        rows = read(conn, select).fetchall()
        fresh = Columns(epoch, gen).updated_with(gen, rows, [], epoch)
        fresh.fts_facets = fts_has_facets(conn, LIVE)
        return fresh
    # Rows read here may be newer than ``gen``: applying them again later is harmless
    # (removals first, then the rows present now).
    gone = [r[0] for r in read(conn, f"SELECT doc FROM {LIVE}gone WHERE gen > ?", (current.gen,))]
    rows = read(conn, f"{select} WHERE gen > ?", (current.gen,)).fetchall()
    return current.updated_with(gen, rows, gone, epoch)
