"""The production engine: Meilisearch, through the official ``meilisearch`` client.

Every write is a Meilisearch task; each one is awaited with ``client.wait_for_task`` and a
failed task raises :class:`MeiliTaskFailed` (never ignored). The live index is
``<prefix>_people``; :meth:`MeiliBackend.rebuild` fills ``<prefix>_people_<timestamp>``, then
swaps the two with ``swap_indexes`` (atomic) and drops the old one, so search never returns
empty while it runs.

Queries are folded before they are sent (the documents hold folded text), so accents and
đ/d are handled identically by both engines; typo tolerance uses Meilisearch's own
(Damerau, ``minWordSizeForTypos`` 4/8). Taxonomy equivalences are written into the
documents (:mod:`directory.search.documents`), not into Meilisearch synonyms.

Phrases. With ``proximityPrecision: byAttribute`` (``byWord`` more than doubles indexing
time) Meilisearch only knows whether words share an attribute: a quoted phrase matches its
words anywhere in one attribute. A query that is a taxonomy term alone ("bán dẫn", "Law") is
therefore sent as the key of its field ("zfsemiconductors"), which documents carry per
visibility level when they hold the field, in any of its names (typo tolerance off there): it
matches exactly what the embedded engine matches, not "năng lượng" from one field with "tái
tạo" from another. A taxonomy phrase or a province name inside a longer query is sent quoted.

Ranking. ``rankingRules``: words, proximity (all the words in one attribute), typo,
attribute (which attribute, then the words' positions in it: the name given name first in
``given_first_0`` puts "Dung Nguyen" at the start of an attribute), exactness (the whole name
equals the query), then ``quality:desc`` (verified, complete profiles) and
``updated_at:desc``. Proximity before typo: a name typed with one typo, all of it in the name,
ranks above a typo-free match of the same words scattered over the profile. Two queries are
sent with a second word that ``matchingStrategy: last`` may drop, so that the documents with
it come first: a province name alone (``"quang nam" zpquangnam``: the people whose hometown it
is, then those who merely hold the words, a name "… Quang Nam"), and a taxonomy term alone
(``zfsemiconductors ztsemiconductors``: the people whose title states the field first).
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

import meilisearch
from meilisearch.errors import (
    MeilisearchApiError,
    MeilisearchCommunicationError,
    MeilisearchError,
    MeilisearchTimeoutError,
)

from search_index.base import (
    FILTERABLE,
    KEYS,
    LEVELS,
    NAME_ORDERS,
    ONE_TYPO_MIN,
    RANK_GROUPS,
    RANKING,
    SEARCHABLE,
    SORTABLE,
    TWO_TYPOS_MIN,
    Hit,
    SearchQuery,
    SearchResponse,
    SearchUnavailable,
)
from search_index.matching import (
    PROVINCE_PREFIX,
    TITLE_PREFIX,
    analyze,
    highlights_for,
    joined,
    province_query,
    taxonomy_query,
    term_key,
    typed_groups,
)
from search_index.normalize import fold_words

# The name with the given name first ("dung nguyen van"). Not the Western order ("van dung
# nguyen"): the attribute rule takes each word's best position in any attribute, so a
# Western-order attribute would put the middle name of "Nguyễn Phương Hương" first, and with
# "nguyen" second in her given-first order she would tie with "Nguyễn Lan Phương" for
# "Phuong Nguyen".
GIVEN_FIRST = NAME_ORDERS[0]

# Tasks of a large rebuild may queue behind each other: allow minutes, poll gently.
TASK_TIMEOUT_MS = 600_000
MAX_PENDING_TASKS = 4


# (url, index uid) -> the settings this process last applied, to skip no-op updates.
_APPLIED: dict[tuple[str, str], str] = {}


# Facets whose counts cost Meilisearch the most (many values, or values on every document):
# counted in a second request that runs beside the one fetching the hits.
HEAVY_FACETS = ("field", "province")
_POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="meilisearch")


def multi_search(client: meilisearch.Client, bodies: list[list[dict]]) -> list[dict]:
    """Send each body as one multi-search, concurrently; the results of all, in order.

    Each request opens a new connection (the client library's ``requests.post``). A kept-alive
    ``requests.Session`` was tried and is slower here: about 40 ms more per request against
    Meilisearch on 127.0.0.1 (apparently a write waiting for a delayed ACK on a reused
    connection; a fresh connection acknowledges at once), see bench/README.md.
    """
    if len(bodies) == 1:
        return client.multi_search(bodies[0])["results"]
    futures = [_POOL.submit(client.multi_search, body) for body in bodies]
    return [result for future in futures for result in future.result()["results"]]


class MeiliTaskFailed(RuntimeError):
    """A Meilisearch task ended in ``failed`` or ``canceled``."""


def settings(max_total_hits: int) -> dict:
    """The index settings (the same for the live index and a rebuild)."""
    names = [f"name_{lvl}" for lvl in LEVELS]
    others = [f"{g}_{lvl}" for g in RANK_GROUPS if g != "name" for lvl in LEVELS]
    return {
        "searchableAttributes": [*names, GIVEN_FIRST, *KEYS, *others],
        # ``id`` too: the service leaves out documents with pending changes (``exclude``).
        "filterableAttributes": [*FILTERABLE, "id"],
        "sortableAttributes": list(SORTABLE),
        "displayedAttributes": ["id", "type", "entity_id", *(f"show_{lvl}" for lvl in LEVELS)],
        # "sort" first: an explicit sort (name, recency) wins; without one it is skipped.
        # The reasons for this order are in the module docstring.
        "rankingRules": [
            "sort",
            "words",
            "proximity",
            "typo",
            "attribute",
            "exactness",
            *(f"{name}:desc" for name in RANKING),
        ],
        "typoTolerance": {
            "enabled": True,
            "minWordSizeForTypos": {"oneTypo": ONE_TYPO_MIN, "twoTypos": TWO_TYPOS_MIN},
            # Joined phrases match exactly, as phrases do on the embedded engine.
            "disableOnAttributes": list(KEYS),
        },
        # Taxonomy equivalences are in the documents (see documents.py): Meilisearch's
        # synonyms cost 10-20x per multi-word query with a taxonomy this size.
        "synonyms": {},
        # Every value of every facet comes back (none has 500), in alphabetical order: the
        # service orders them by count. Asking Meilisearch to order by count halves its
        # query throughput (p95 81 -> 40 ms at 1M documents, bench/README.md).
        "faceting": {"maxValuesPerFacet": 500, "sortFacetValuesBy": {"*": "alpha"}},
        "pagination": {"maxTotalHits": max_total_hits},
        "proximityPrecision": "byAttribute",
        "facetSearch": False,
    }


def query_parts(text: str | None, synonyms: dict[str, list[str]]) -> tuple[str, str]:
    """The folded ``q`` and its ``matchingStrategy`` (see the module docstring): words as
    typed, phrases quoted; a taxonomy term or a province name alone as keys."""
    if not fold_words(text):
        return "", "all"
    groups = typed_groups(analyze(text, synonyms))
    if taxonomy_query(groups):
        held = term_key(groups[0], synonyms)
        return f"{held} {term_key(groups[0], synonyms, TITLE_PREFIX)}", "last"
    parts = []
    for group in groups:
        phrase = " ".join(group.words)
        parts.append(f'"{phrase}"' if len(group.words) > 1 else phrase)
    if province_query(groups):
        # The second word is not quoted: the "last" strategy never drops a quoted one.
        return f"{parts[0]} {joined(groups[0].words, PROVINCE_PREFIX)}", "last"
    return " ".join(parts), "all"


def query_text(text: str | None, synonyms: dict[str, list[str]]) -> str:
    """The folded ``q`` alone (see :func:`query_parts`)."""
    return query_parts(text, synonyms)[0]


def searched_attributes(levels) -> list[str]:
    """The attributes a searcher reaching these visibility levels may match."""
    return [
        *(f"name_{lvl}" for lvl in levels),
        GIVEN_FIRST,
        *(f"key_{lvl}" for lvl in levels),
        *(f"{g}_{lvl}" for g in RANK_GROUPS if g != "name" for lvl in levels),
    ]


def _ndjson(docs: list[dict]) -> bytes:
    """Documents as NDJSON in UTF-8. The client's JSON escapes every non-ASCII character
    (\\uXXXX: most of a Vietnamese text), which makes the payload bigger and Meilisearch
    slower to read it."""
    return "\n".join(
        json.dumps(d, ensure_ascii=False, separators=(",", ":")) for d in docs
    ).encode()


def _quote(value: str) -> str:
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


class MeiliBackend:
    """Meilisearch behind the :class:`search_index.base.SearchBackend` interface."""

    name = "meilisearch"

    def __init__(
        self,
        url: str,
        api_key: str | None,
        prefix: str = "kieubao",
        synonyms_loader: Callable[[], dict[str, list[str]]] | None = None,
        timeout: int = 10,
        max_total_hits: int = 1_000_000,
    ):
        self.client = meilisearch.Client(url, api_key, timeout=timeout)
        self.uid = f"{prefix}_people"
        self.prefix = prefix
        self._synonyms_loader = synonyms_loader or (lambda: {})
        self.max_total_hits = max_total_hits
        self._configured = False

    # --- tasks ----------------------------------------------------------------------------

    def wait(self, task_info) -> None:
        """Await a task; raise when it failed or was canceled."""
        uid = getattr(task_info, "task_uid", None)
        if uid is None:
            uid = task_info["taskUid"]
        try:
            task = self.client.wait_for_task(uid, timeout_in_ms=TASK_TIMEOUT_MS, interval_in_ms=20)
        except (MeilisearchCommunicationError, MeilisearchTimeoutError) as exc:
            raise SearchUnavailable(str(exc)) from exc
        if task.status != "succeeded":
            error = task.error or {}
            raise MeiliTaskFailed(
                f"Meilisearch task {uid} ({task.type}) {task.status}: "
                f"{error.get('code')}: {error.get('message')}"
            )

    def _call(self, func, *args, **kwargs):
        try:
            return func(*args, **kwargs)
        except MeilisearchCommunicationError as exc:
            raise SearchUnavailable(str(exc)) from exc

    # --- schema ---------------------------------------------------------------------------

    def _settings(self) -> dict:
        return settings(self.max_total_hits)

    def _create(self, uid: str) -> None:
        wanted = self._settings()
        fingerprint = json.dumps(wanted, sort_keys=True)
        key = (self.client.config.url, uid)
        try:
            self.wait(self._call(self.client.create_index, uid, {"primaryKey": "id"}))
        except MeiliTaskFailed as exc:
            if "index_already_exists" not in str(exc):
                raise
            if _APPLIED.get(key) == fingerprint:
                return  # this process already gave the existing index these settings
        self.wait(self._call(self.client.index(uid).update_settings, wanted))
        _APPLIED[key] = fingerprint

    def configure(self) -> None:
        self._create(self.uid)
        self._configured = True

    def _ensure(self) -> None:
        if not self._configured:
            self.configure()

    def health(self) -> bool:
        try:
            return bool(self.client.is_healthy())
        except MeilisearchError:
            return False

    def reset(self) -> None:
        self._ensure()
        self.wait(self._call(self.client.index(self.uid).delete_all_documents))
        # Settings are checked again on next use.
        self._configured = False

    def document_counts(self) -> dict[str, int]:
        self._ensure()
        result = self._call(
            self.client.index(self.uid).search, "", {"facets": ["type"], "limit": 0}
        )
        return dict(result.get("facetDistribution", {}).get("type", {}))

    # --- writing --------------------------------------------------------------------------

    def upsert(self, docs: Iterable[dict]) -> None:
        docs = list(docs)
        if not docs:
            return
        self._ensure()
        self.wait(self._call(self.client.index(self.uid).add_documents_ndjson, _ndjson(docs), "id"))

    def delete(self, ids: Iterable[str]) -> None:
        ids = list(ids)
        if not ids:
            return
        self._ensure()
        # POST /indexes/<uid>/documents/delete-batch: the client library's delete_documents(ids)
        # sends the same request but is deprecated (a warning on every call) in favour of a
        # filter, which would need the id to be a filterable attribute.
        index = self.client.index(self.uid)
        path = f"{index.config.paths.index}/{self.uid}/{index.config.paths.document}/delete-batch"
        self.wait(self._call(index.http.post, path, ids))

    def _leftover_builds(self) -> list[str]:
        """Indexes of earlier rebuilds that never reached their swap (the process was killed):
        ``<uid>_<milliseconds>``, which nothing reads."""
        found = self._call(self.client.get_indexes, {"limit": 1000})["results"]
        prefix = f"{self.uid}_"
        return [
            index.uid
            for index in found
            if index.uid.startswith(prefix) and index.uid[len(prefix) :].isdigit()
        ]

    def rebuild(self, batches: Iterable[list[dict]]) -> None:
        # One rebuild at a time (``flask search reindex``): a build left by a killed one goes.
        for leftover in self._leftover_builds():
            with contextlib.suppress(MeilisearchError, SearchUnavailable, MeiliTaskFailed):
                self.wait(self._call(self.client.delete_index, leftover))
        fresh = f"{self.uid}_{int(time.time() * 1000)}"
        self._create(fresh)
        try:
            index = self.client.index(fresh)
            pending: list = []
            for batch in batches:
                pending.append(self._call(index.add_documents_ndjson, _ndjson(batch), "id"))
                if len(pending) >= MAX_PENDING_TASKS:
                    self.wait(pending.pop(0))
            for task in pending:
                self.wait(task)
            self._ensure()
            self.wait(self._call(self.client.swap_indexes, [{"indexes": [self.uid, fresh]}]))
            _APPLIED[(self.client.config.url, self.uid)] = _APPLIED.pop(
                (self.client.config.url, fresh), ""
            )
        finally:
            with contextlib.suppress(MeilisearchError, SearchUnavailable, MeiliTaskFailed):
                self.wait(self._call(self.client.delete_index, fresh))

    # --- reading --------------------------------------------------------------------------

    def _filter(self, query: SearchQuery, skip: str | None = None) -> str | None:
        parts = []
        if query.audience.listed_only:
            if query.audience.own_person_id:
                parts.append(f"(listed = true OR owner = {_quote(query.audience.own_person_id)})")
            else:
                parts.append("listed = true")
        for facet, values in query.filters.items():
            if facet == skip or not values:
                continue
            if facet not in FILTERABLE:
                raise ValueError(facet)
            parts.append("(" + " OR ".join(f"{facet} = {_quote(v)}" for v in values) + ")")
        if query.created_since is not None:
            parts.append(f"created_at >= {float(query.created_since)!r}")
        if query.exclude:
            parts.append(f"id NOT IN [{', '.join(_quote(i) for i in query.excluded_doc_ids)}]")
        return " AND ".join(parts) or None

    def request(self, query: SearchQuery) -> list[list[dict]]:
        """The multi-search bodies for ``query``, sent concurrently (:func:`multi_search`).

        The first body holds the hits with the counts of the cheap unfiltered facets; the
        second the counts of the other unfiltered facets (``field``, ``province``: most of
        a query's facet work) and, one query each, the facets that have a filter (counted
        without their own filter, so that their other values show what they would add).
        Meilisearch runs the queries of one body one after the other, so two bodies halve
        the latency on a server with a free core.
        """
        text, strategy = query_parts(query.text, self._synonyms_loader())
        columns = searched_attributes(query.audience.text_levels)
        plain = [f for f in query.facets if not query.filters.get(f)]
        heavy = [f for f in plain if f in HEAVY_FACETS]
        plain = [f for f in plain if f not in HEAVY_FACETS]
        main = {
            "indexUid": self.uid,
            "q": text,
            "page": query.page,
            "hitsPerPage": query.per_page,
            "attributesToSearchOn": columns,
            "attributesToRetrieve": [
                "id",
                "type",
                "entity_id",
                *(f"show_{lvl}" for lvl in query.audience.text_levels if query.highlight),
            ],
            "matchingStrategy": strategy,
            "facets": plain,
        }
        if not query.exact_total:
            del main["page"], main["hitsPerPage"]
            main["offset"], main["limit"] = query.offset, query.per_page
        flt = self._filter(query)
        if flt:
            main["filter"] = flt
        if query.sort == "name" or (query.sort == "relevance" and not text):
            main["sort"] = ["name_sort:asc"]
        elif query.sort == "updated":
            main["sort"] = ["updated_at:desc"]

        def counting(facets: list[str], flt: str | None) -> dict:
            """A query that only counts ``facets`` (no hits)."""
            body = {
                "indexUid": self.uid,
                "q": text,
                "limit": 0,
                "attributesToSearchOn": columns,
                "matchingStrategy": strategy,
                "facets": facets,
            }
            if flt:
                body["filter"] = flt
            return body

        counts = [counting(heavy, main.get("filter"))] if heavy else []
        counts += [
            counting([facet], self._filter(query, skip=facet))
            for facet in query.facets
            if query.filters.get(facet)
        ]
        return [[main], counts] if counts else [[main]]

    def search(self, query: SearchQuery) -> SearchResponse:
        self._ensure()
        results = self._send(lambda: multi_search(self.client, self.request(query)))
        return self._response(query, results)

    def search_many(self, queries: list[SearchQuery]) -> list[SearchResponse]:
        """Several searches in ONE multi-search request, answers in order.

        For callers that run a dozen searches without facets or highlights (the recall of the
        needs' matching): one round trip instead of one each. Each search's own requests
        (the hits, then any facet counts) stay together and in order in the single body.
        """
        if not queries:
            return []
        self._ensure()
        plans = [[body for group in self.request(q) for body in group] for q in queries]
        flat = [body for plan in plans for body in plan]
        results = self._send(lambda: self.client.multi_search(flat)["results"])
        out, at = [], 0
        for query, plan in zip(queries, plans, strict=True):
            out.append(self._response(query, results[at : at + len(plan)]))
            at += len(plan)
        return out

    @staticmethod
    def _send(call):
        try:
            return call()
        except (MeilisearchCommunicationError, MeilisearchTimeoutError) as exc:
            raise SearchUnavailable(str(exc)) from exc
        except MeilisearchApiError as exc:
            if getattr(exc, "code", "") == "index_not_found":
                raise SearchUnavailable(str(exc)) from exc
            raise

    def _response(self, query: SearchQuery, results: list[dict]) -> SearchResponse:
        """The hits, total and facet counts of one search from its multi-search results."""
        main = results[0]
        facets: dict[str, dict[str, int]] = {f: {} for f in query.facets}
        for result in results:
            for facet, counts in (result.get("facetDistribution") or {}).items():
                facets[facet] = dict(counts)
        groups = analyze(query.text, self._synonyms_loader()) if query.highlight else []
        hits = [
            Hit(
                doc_id=h["id"],
                entity_type=h["type"],
                entity_id=h["entity_id"],
                highlights=highlights_for(
                    {str(lvl): h.get(f"show_{lvl}") or {} for lvl in query.audience.text_levels},
                    query.audience.text_levels,
                    groups,
                )
                if query.highlight
                else {},
            )
            for h in main.get("hits", [])
        ]
        return SearchResponse(
            hits=hits, total=main.get("totalHits", main.get("estimatedTotalHits", 0)), facets=facets
        )

    def suggestions(self, word: str) -> list[str]:
        # Meilisearch exposes no vocabulary; the service falls back to the reference data.
        return []


__all__ = ["MeiliBackend", "MeiliTaskFailed", "SEARCHABLE", "multi_search", "settings"]
