"""Search results computed from the database when the index lags behind it.

The index is kept in step through the outbox (``directory.search.sync``): a change commits with a
pending ``search_outbox`` row, and the index holds the new document only once the row is
applied (by the worker for Meilisearch, right after the commit for the embedded engine).
Until then the indexed document of that entity may match text the viewer may no longer see
(contact details just made private) or miss a profile just made public.

- :class:`StaleSet`: the entities with pending rows (read once per search, at most a limit),
  and their current documents (built from the database when a pending change is first
  seen, then kept, by the caller, for as long as no further change is pending);
- :func:`evaluate`: which of those documents match a query for its audience (visibility,
  filters, text at the audience's levels), in a stable order, and the facet counts they add;
- :class:`TextMatcher`: the engines' matching rules (folded words, the typo budget, the last
  word as a prefix, a taxonomy phrase as consecutive words) applied to documents' folded
  attributes.

The search service (:mod:`directory.search.services`) asks the engine to leave the stale set
out, adds what :func:`evaluate` finds, and computes every highlight from the database.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa

from directory.policy import LEVEL_ORDER
from directory.search import documents
from directory.search.outbox import SearchOutbox
from search_index.base import TEXT_GROUPS, Audience, SearchQuery
from search_index.matching import Group, word_matches

Key = tuple[str, str]  # (entity type, entity id)


@dataclass
class StaleSet:
    """Entities whose indexed document may differ from the database (pending outbox rows)."""

    keys: frozenset[Key] = frozenset()
    # False when more entities were pending than were read: the engine cannot leave them out.
    complete: bool = True
    # Entity -> a fingerprint of its pending rows (count, highest and sum of their ids, latest
    # creation time): any change committed since adds a row, so an unchanged fingerprint means
    # an unchanged record (the time tells apart a row rolled back and a later one given its id).
    versions: dict[Key, tuple] = field(default_factory=dict, repr=False)
    _docs: list[Current] | None = field(default=None, repr=False)

    @classmethod
    def load(cls, session, limit: int) -> StaleSet:
        """At most ``limit`` pending entities (one query); ``complete`` says whether that is all."""
        rows = session.execute(
            sa.select(
                SearchOutbox.entity_type,
                SearchOutbox.entity_id,
                sa.func.count(),
                sa.func.max(SearchOutbox.id),
                sa.func.sum(SearchOutbox.id),
                sa.func.max(SearchOutbox.created_at),
            )
            .where(SearchOutbox.done_at.is_(None))
            .group_by(SearchOutbox.entity_type, SearchOutbox.entity_id)
            .limit(limit + 1)
        ).all()
        if len(rows) > limit:
            return cls(complete=False)
        versions = {(r[0], r[1]): (int(r[2]), int(r[3]), int(r[4]), r[5]) for r in rows}
        return cls(keys=frozenset(versions), versions=versions)

    def documents(self, session, cache: dict | None = None) -> list[Current]:
        """The current documents of the stale entities (none for the gone and anonymised).

        ``cache`` (kept by the caller between searches: entity -> (fingerprint, Current))
        spares rebuilding the documents of entities that did not change since; it is left
        holding the entities of this set only.
        """
        if self._docs is None:
            cache = {} if cache is None else cache
            # One lookup per key: another search may replace the cache's content meanwhile.
            known = {k: hit for k in self.keys if (hit := cache.get(k)) is not None}
            todo = [k for k in self.keys if k not in known or known[k][0] != self.versions.get(k)]
            built = {
                (d["type"], d["entity_id"]): Current(d) for d in current_documents(session, todo)
            }
            for key in todo:
                known[key] = (self.versions.get(key), built.get(key))
            cache.clear()
            cache.update(known)
            self._docs = [known[k][1] for k in sorted(self.keys) if known[k][1] is not None]
        return self._docs


def current_documents(session, keys) -> list[dict]:
    """The search documents of these entities, built now from the database."""
    by_type: dict[str, list[str]] = {}
    for kind, entity_id in sorted(keys):
        by_type.setdefault(kind, []).append(entity_id)
    docs: list[dict] = []
    for kind, ids in by_type.items():
        if kind in documents.indexed_types():
            docs.extend(documents.build(session, kind, ids)[0])
    return docs


def display_text(entity_type: str, record) -> dict[int, dict[str, str]] | None:
    """The original text a document shows for highlighting, by level, built from the record:
    what :mod:`directory.search.documents` files under ``show_<level>``, without the folding and
    taxonomy work of a whole document. None when the record is not indexed (anonymised)."""
    show: dict[int, dict[str, str]] = {lvl: {} for lvl in documents.LEVELS}

    def add(level: int, **values) -> None:
        show[level].update({key: value for key, value in values.items() if value})

    spec = documents.indexed(entity_type)
    if spec is not None and spec.display is not None:
        return spec.display(record)
    if entity_type == "association":
        add(0, name=record.name, name_en=record.name_en, city=record.city)
        add(0, description=record.description)
        return show
    if record.anonymised_at is not None:
        return None
    profile = LEVEL_ORDER.get(record.visibility_profile or "private", 2)
    contact = LEVEL_ORDER.get(record.visibility_contact or "private", 2)
    add(0, full_name=record.full_name, hometown_as_given=record.hometown_as_given)
    add(
        profile,
        other_names="; ".join(record.other_names or []),
        skills=", ".join(record.skills or []),
        city=record.city,
        title=record.title,
        organization=record.organization,
        company=record.company,
        education=record.education,
        bio=record.bio,
    )
    add(contact, email=record.email, phone=record.phone, website=record.website)
    return show


# --- matching a document ------------------------------------------------------------------


def visible(doc: dict, audience: Audience) -> bool:
    """Whether the audience may find this document at all (the engines' visibility filter)."""
    if not audience.listed_only:
        return True
    own = audience.own_person_id
    return bool(doc.get("listed")) or (own is not None and doc.get("owner") == own)


def recent(doc: dict, since: float | None) -> bool:
    """Whether the document's record was created at or after ``since`` (no bound: all)."""
    return since is None or float(doc.get("created_at") or 0) >= since


def facet_values(doc: dict, facet: str) -> list[str]:
    """The document's values for ``facet``, as the engines count them ("true"/"false")."""
    value = doc.get(facet)
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if isinstance(value, list | tuple):
        return [str(v) for v in value if v]
    return [str(value)] if value else []


def passes(doc: dict, filters: dict[str, list[str]], skip: str | None = None) -> bool:
    """Whether the document has one of the wanted values of every filter (but ``skip``)."""
    for facet, wanted in filters.items():
        if facet == skip or not wanted:
            continue
        if not set(wanted) & set(facet_values(doc, facet)):
            return False
    return True


class Current:
    """A current document, with the words of its searchable attributes split once."""

    __slots__ = ("doc", "_columns")

    def __init__(self, doc: dict) -> None:
        self.doc = doc
        self._columns: dict[str, tuple[list[str], frozenset[str]]] = {}

    def column(self, name: str) -> tuple[list[str], frozenset[str]]:
        """The attribute's folded words, in order and as a set."""
        found = self._columns.get(name)
        if found is None:
            words = (self.doc.get(name) or "").split()
            found = self._columns[name] = (words, frozenset(words))
        return found


class TextMatcher:
    """The query's groups, matched against documents as the engines match them.

    ``groups``: :func:`search_index.matching.typed_groups` of the query, what the engines
    match (taxonomy equivalences are in the documents). Each attribute is a string of folded
    words, as indexed; every group must match in one of the attributes at ``levels``, a
    phrase inside one attribute. The words of ``docs`` that satisfy each query word (typos,
    prefix) are found once, among those sharing its first letter (the engines never fuzz
    the first letter); a document then matches by set intersection.
    """

    def __init__(self, groups: list[Group], levels, docs: list[Current]) -> None:
        self.groups = groups
        self.names = [f"{g}_{lvl}" for g in TEXT_GROUPS for lvl in levels]
        by_letter: dict[str, set[str]] = {}
        if groups:
            vocabulary: set[str] = set()
            for current in docs:
                for name in self.names:
                    vocabulary |= current.column(name)[1]
            for word in vocabulary:
                by_letter.setdefault(word[0], set()).add(word)
        # Per group, per alternative: the satisfying words (one-word alternatives only).
        self.satisfying: list[list[frozenset[str] | None]] = [
            [
                frozenset(
                    t
                    for t in by_letter.get(alt[0][:1], ())
                    if word_matches(t, alt[0], group.prefix, alt == group.words)
                )
                if len(alt) == 1
                else None
                for alt in group.alternatives
            ]
            for group in groups
        ]

    def _group_in(self, words: list[str], distinct: frozenset[str], index: int) -> bool:
        group = self.groups[index]
        for alt, satisfying in zip(group.alternatives, self.satisfying[index], strict=True):
            if satisfying is not None:
                if not satisfying.isdisjoint(distinct):
                    return True
                continue
            if alt[0] not in distinct:
                continue
            n = len(alt)
            for i in range(len(words) - n + 1):
                if all(
                    words[i + k] == alt[k]
                    or (k == n - 1 and group.prefix and words[i + k].startswith(alt[k]))
                    for k in range(n)
                ):
                    return True
        return False

    def __call__(self, current: Current) -> bool:
        if not self.groups:
            return True
        columns = [current.column(name) for name in self.names]
        columns = [c for c in columns if c[0]]
        return all(
            any(self._group_in(words, distinct, i) for words, distinct in columns)
            for i in range(len(self.groups))
        )


def text_matches(doc: dict, groups: list[Group], levels) -> bool:
    """Every group of the query matches the document at ``levels`` (see :class:`TextMatcher`)."""
    current = Current(doc)
    return TextMatcher(groups, levels, [current])(current)


def _order(sort: str):
    if sort == "updated":
        return lambda d: (-float(d.get("updated_at") or 0.0), d["id"])
    return lambda d: (d.get("name_sort") or "", d["id"])


@dataclass
class Evaluated:
    """What the stale documents add to a query: its matches (in order) and facet counts."""

    hits: list[dict]
    facets: dict[str, dict[str, int]]


def evaluate(docs: list[Current], query: SearchQuery, groups: list[Group]) -> Evaluated:
    """The documents matching ``query`` for its audience, and their facet counts.

    A facet that has a filter is counted without its own filter, as the engines count it.
    Matches are ordered by name (by last update for ``sort=updated``), then document id.
    """
    docs = [
        c for c in docs if visible(c.doc, query.audience) and recent(c.doc, query.created_since)
    ]
    text = TextMatcher(groups, query.audience.text_levels, docs)
    found = [c.doc for c in docs if text(c)]
    hits = [d for d in found if passes(d, query.filters)]
    facets: dict[str, dict[str, int]] = {}
    for facet in query.facets:
        pool = (
            [d for d in found if passes(d, query.filters, skip=facet)]
            if query.filters.get(facet)
            else hits
        )
        counts = Counter(v for d in pool for v in set(facet_values(d, facet)))
        facets[facet] = dict(counts)
    hits.sort(key=_order(query.sort))
    return Evaluated(hits=hits, facets=facets)


def matches(doc: dict, query: SearchQuery, groups: list[Group]) -> bool:
    """Whether this one document matches ``query`` for its audience."""
    return (
        visible(doc, query.audience)
        and recent(doc, query.created_since)
        and passes(doc, query.filters)
        and text_matches(doc, groups, query.audience.text_levels)
    )
