"""The one interface both search engines implement, and the values that cross it.

The application speaks to an engine only through :class:`SearchBackend`: documents
(built by the application, ``directory.search.documents``, to the schema below) go in, ids, facet counts and highlights come out. Records are
always loaded from the database afterwards; the index is derived data, and it may lag behind
the database: the search service (``directory.search.services``) excludes the entities with
pending changes from the engine's answer (``SearchQuery.exclude``), evaluates their current
documents itself, and computes the highlights of the page from the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol, runtime_checkable

from search_index.normalize import fold_words

# --- the document schema ---------------------------------------------------------------------
# What a document holds, as the engines rely on it; the application builds the documents
# (``directory.search.documents``) and hands them over.

TEXT_GROUPS = ("name", "tags", "place", "text")
LEVELS = (0, 1, 2)
SEARCHABLE = tuple(f"{g}_{lvl}" for g in TEXT_GROUPS for lvl in LEVELS)
# The order in which both engines rank the groups a query matches in: the hometown before
# the tags, so that a province name's words count where the hometown is (field words are rarely
# place names, and a query that names a field matches through the joined keys).
RANK_GROUPS = ("name", "place", "tags", "text")
# The full name in other orders (level 0, like the name itself), and the keys.
NAME_ORDERS = ("given_first_0", "western_0")
KEYS = tuple(f"key_{lvl}" for lvl in LEVELS)


def key_tokens(value) -> list[str]:
    """The keys of a ``key_<level>`` value (see KEY_OFFSET)."""
    return " ".join(value or []).split()


# Keys are a list: empty strings, then the keys. Meilisearch moves each value of a list several
# positions on, empty or not, so the keys start past position 64, where its attribute rule gives
# every position the same cost: their order (alphabetical) must not rank documents, quality must.
KEY_OFFSET = ("",) * 9
FILTERABLE = (
    "type",
    "listed",
    "owner",
    "kind",
    "field",
    "country",
    "province",
    "language",
    "verified",
    "representative",
    # When the record was created (seconds since the epoch, UTC): the "added since" filter.
    "created_at",
    # Businesses: their sectors, kinds of presence in Vietnam, provinces of interest, size,
    # and the provinces where they have a presence of any kind.
    "sector",
    "presence",
    "interest_province",
    "size",
    "presence_province",
)
SORTABLE = ("name_sort", "updated_at")
RANKING = ("quality", "updated_at")
# Long fields are cropped around the first match when highlighted.
LONG_FIELDS = ("bio", "education", "description")


def person_doc_id(person_id: str) -> str:
    return f"person-{person_id}"


def association_doc_id(association_id: str) -> str:
    return f"association-{association_id}"


def business_doc_id(business_id: str) -> str:
    return f"business-{business_id}"


def name_orders(full_name: str | None) -> dict[str, str]:
    """The folded full name given name first and in Western order (family name last).

    "Nguyễn Văn Dũng" -> "dung nguyen van" and "van dung nguyen"; a two-word name has one
    other order ("Lê Hà" -> "ha le"), a one-word name none.
    """
    words = fold_words(full_name)
    if len(words) < 2:
        return dict.fromkeys(NAME_ORDERS, "")
    family, rest = words[0], words[1:]
    given_first = " ".join([rest[-1], family, *rest[:-1]])
    western = " ".join([*rest, family])
    return {NAME_ORDERS[0]: given_first, NAME_ORDERS[1]: western if western != given_first else ""}


# Facets every backend counts, in the order the UI shows them.
FACETS = (
    "kind",
    "field",
    "country",
    "province",
    "language",
    "verified",
    "representative",
    "sector",
    "presence",
    "interest_province",
    "size",
    "presence_province",
)
SORTS = ("relevance", "name", "updated")

# Typo tolerance shared by both engines: one typo (a swap of two letters counts as one) from
# 4 letters, two from 8. Vietnamese syllables are short, and people misspell them ("Dnug" for
# Dũng), so 4-letter words are fuzzed; the price is that "dung" also reaches dang or hung, which
# rank below exact matches (both engines rank fewer typos first). Words expanded from the
# taxonomy are never fuzzed (see matching.py), so "chip" does not reach "Chi".
ONE_TYPO_MIN = 4
TWO_TYPOS_MIN = 8


@lru_cache(maxsize=10_000)
def typo_budget(term: str) -> int:
    """How many typos a query word of this length may carry."""
    if any(ch.isdigit() for ch in term):
        return 0
    if len(term) >= TWO_TYPOS_MIN:
        return 2
    if len(term) >= ONE_TYPO_MIN:
        return 1
    return 0


class SearchUnavailable(RuntimeError):
    """The engine cannot answer (down, misconfigured, index missing)."""


@dataclass(frozen=True)
class Audience:
    """Who is searching, reduced to what the index can filter on.

    ``level``: the visibility level the searcher reaches on other people's profiles
    (0 public, 1 officials, 2 private: see ``directory.policy.viewer_level``); text stored at a
    higher level is neither matched nor highlighted. ``listed_only``: only members who consented
    to be listed (anonymous visitors and members), plus ``own_person_id``, the searcher's own
    profile, which they always see.
    """

    level: int = 0
    listed_only: bool = True
    own_person_id: str | None = None

    @property
    def text_levels(self) -> tuple[int, ...]:
        return tuple(range(self.level + 1))


@dataclass
class SearchQuery:
    """A validated query, ready for any backend."""

    text: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)  # facet -> values (OR)
    audience: Audience = field(default_factory=Audience)
    page: int = 1
    per_page: int = 20
    sort: str = "relevance"
    facets: tuple[str, ...] = FACETS
    # Only the records created at or after this instant (seconds since the epoch, UTC): the
    # lists behind the dashboards' "new in the last N days".
    created_since: float | None = None
    # (entity type, entity id) of documents the engine must leave out of the hits, the total
    # and the facet counts: those whose indexed document may no longer match the database.
    exclude: frozenset[tuple[str, str]] = frozenset()
    # False: the hits come without highlights (the search service computes them from the
    # database), which spares the engine that work.
    highlight: bool = True
    # False: the total may be the engine's estimate (Meilisearch then skips counting every
    # match exactly): for callers that only take the first hits (the needs' recall).
    exact_total: bool = True

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def excluded_doc_ids(self) -> list[str]:
        """The document ids of ``exclude``, sorted."""
        make = {
            "person": person_doc_id,
            "association": association_doc_id,
            "business": business_doc_id,
        }
        return sorted(make[kind](entity_id) for kind, entity_id in self.exclude if kind in make)


@dataclass
class Hit:
    """One result: the document id, the entity it stands for, and its highlights (safe HTML,
    from the indexed text: the search service recomputes them from the database)."""

    doc_id: str
    entity_type: str
    entity_id: str
    highlights: dict[str, str] = field(default_factory=dict)


@dataclass
class SearchResponse:
    hits: list[Hit]
    total: int
    facets: dict[str, dict[str, int]]


@runtime_checkable
class SearchBackend(Protocol):
    """What every search engine must do."""

    name: str

    def configure(self) -> None:
        """Create the index (tables) and apply its settings; idempotent."""

    def upsert(self, docs: Iterable[dict]) -> None:
        """Add or replace documents (by ``id``); raise on failure."""

    def delete(self, ids: Iterable[str]) -> None:
        """Remove documents by id (missing ids are fine); raise on failure."""

    def search(self, query: SearchQuery) -> SearchResponse:
        """Ids, total, facet counts and highlights, for what ``query.audience`` may see,
        leaving out the documents of ``query.exclude``."""

    def search_many(self, queries: list[SearchQuery]) -> list[SearchResponse]:
        """``[search(q) for q in queries]``, in as few round trips as the engine allows."""

    def rebuild(self, batches: Iterable[list[dict]]) -> None:
        """Build a fresh index from ``batches`` and swap it in (search keeps answering)."""

    def suggestions(self, word: str) -> list[str]:
        """Indexed words close to ``word`` (for "did you mean"); may be empty."""

    def reset(self) -> None:
        """Remove every document (tests)."""

    def health(self) -> bool:
        """True when the engine answers."""

    def document_counts(self) -> dict[str, int]:
        """How many documents the index holds, per entity type (``person``, ``association``, ``business``)."""
