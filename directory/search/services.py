"""Searching the directory: parameters, the viewer's audience, results from the database.

The engine (``search_index``) returns ids and counts for what the viewer may see; records are
loaded from the database and serialised with the same functions as the rest of the
application (``person_to_dict``, ``association_to_dict``), and checked once more against the
policy.

The index may lag behind the database (pending outbox rows). What a search shows is computed
from the current records, never from the index alone (see :mod:`directory.search.stale`):

- the entities with pending changes (the stale set, at most ``SEARCH_STALE_LIMIT``, 500 by
  default) are left out of the engine's answer, and their current documents are evaluated
  here against the same query; their matches add to the total and to the facet counts, and
  come after the engine's hits (pages run over engine hits, then these, so that page
  boundaries stay consistent);
- highlights are computed from the documents of the page's records, built now, at the
  viewer's levels;
- a hit of the engine whose entity has a change pending that was not evaluated (more
  pending changes than the limit, or a change committed while the search ran) is shown only
  when its current document matches the query.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from directory import policy
from directory.core.errors import ValidationError
from directory.extensions import db
from directory.search import documents
from directory.search import stale as stale_index
from directory.search.outbox import SearchOutbox
from directory.search.stale import StaleSet
from directory.text import yes_no
from search_index import get_backend
from search_index.base import FACETS, SORTS, Audience, Hit, SearchQuery, SearchUnavailable
from search_index.matching import (
    analyze,
    distance,
    field_key,
    highlights_for,
    term_key,
    typed_groups,
)
from search_index.normalize import fold_words

KINDS = ("expert", "entrepreneur", "association", "business")
BOOLEAN_FACETS = ("verified", "representative")
MAX_QUERY_LENGTH = 200
MAX_PAGE = 1000
# Pending changes evaluated per search, at most (beyond: see _answer).
STALE_LIMIT = 500
# app.extensions key: the current documents of the pending entities, kept between searches.
STALE_CACHE = "search_stale_documents"

__all__ = [
    "FACETS",
    "SearchParams",
    "SearchResult",
    "SearchUnavailable",
    "audience_for",
    "parse_search_args",
    "run_search",
]


@dataclass
class SearchParams:
    """Validated search parameters (filters hold canonical values: codes and slugs)."""

    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    page: int = 1
    per_page: int = 20
    sort: str = "relevance"
    # Only records created on or after this day (in Vietnam): ``added_since=YYYY-MM-DD``.
    added_since: date | None = None

    def without(self, facet: str | None = None) -> SearchParams:
        """The same search without ``facet``'s filter, or without any filter (``None``: the
        facets and the creation date)."""
        if facet is None:
            return SearchParams(self.q, {}, 1, self.per_page, self.sort)
        filters = {k: v for k, v in self.filters.items() if k != facet}
        return SearchParams(self.q, filters, 1, self.per_page, self.sort, self.added_since)

    @property
    def filtered(self) -> bool:
        """Whether any filter narrows the search (a facet value or the creation date)."""
        return bool(self.filters) or self.added_since is not None


# The product's days are days in Vietnam (due dates, terms, the dashboards' periods).
VIETNAM = timezone(timedelta(hours=7))


def day_start(day: date) -> datetime:
    """The first instant of ``day`` in Vietnam: where "added since <day>" begins."""
    return datetime.combine(day, time.min, tzinfo=VIETNAM)


@dataclass
class SearchResult:
    params: SearchParams
    hits: list[dict]
    total: int
    facets: dict[str, dict[str, int]]
    suggestion: str | None = None
    total_without_filters: int | None = None

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.params.per_page)) if self.total else 0

    def to_api(self) -> dict:
        """The contract's ``GET /api/v1/search`` shape."""
        data = {
            "hits": self.hits,
            "total": self.total,
            "page": self.params.page,
            "per_page": self.params.per_page,
            "facets": self.facets,
        }
        if self.suggestion:
            data["suggestion"] = self.suggestion
        return data


# --- parameters -----------------------------------------------------------------------------


def _values(args, name: str) -> list[str]:
    out: list[str] = []
    for raw in args.getlist(name):
        out.extend(v.strip() for v in str(raw).split(",") if v.strip())
    return list(dict.fromkeys(out))


def _resolver(name: str):
    from directory.reference.countries import resolve_country, resolve_language
    from directory.reference.fields import field_index, resolve_field
    from directory.reference.provinces import resolve_province

    if name == "kind":
        return lambda v: v.lower() if v.lower() in KINDS else None
    if name == "field":
        index = field_index()
        return lambda v: resolve_field(v, index)
    if name == "country":
        return resolve_country
    if name == "province":
        # Any current or legacy name: "Yên Bái" -> lao-cai, which includes those who gave it.
        return resolve_province
    if name == "language":
        return resolve_language
    if name in ("interest_province", "presence_province"):
        return resolve_province
    if name in ("sector", "presence", "size"):
        return _business_resolver(name)

    def boolean(v: str):
        answer = yes_no(v)
        return None if answer is None else "true" if answer else "false"

    return boolean


def _business_resolver(name: str):
    """The businesses' facets: a sector (code or label), a kind of presence, a size band."""
    from directory.businesses.inputs import resolve_sector, sector_index
    from directory.businesses.models import PRESENCE_KINDS, SIZE_BANDS

    if name == "sector":
        index = sector_index()
        return lambda v: resolve_sector(v, index)
    choices = PRESENCE_KINDS if name == "presence" else SIZE_BANDS
    return lambda v: v.lower() if v.lower() in choices else None


def _int(args, name: str, default: int, high: int, errors: dict) -> int:
    raw = args.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        errors[name] = _("Must be a whole number.")
        return default
    if not 1 <= value <= high:
        errors[name] = _("Must be between %(low)s and %(high)s.", low=1, high=high)
        return default
    return value


def parse_search_args(args, max_per_page: int | None = None) -> SearchParams:
    """Validate query-string arguments; raise ValidationError naming each bad parameter."""
    errors: dict[str, str] = {}
    q = (args.get("q") or "").strip()[:MAX_QUERY_LENGTH]
    filters: dict[str, list[str]] = {}
    for name in FACETS:
        values = _values(args, name)
        if not values:
            continue
        resolve = _resolver(name)
        resolved = []
        for value in values:
            canonical = resolve(value)
            if canonical is None:
                errors[name] = _("Unknown value: %(value)s", value=value[:60])
                break
            resolved.append(canonical)
        filters[name] = list(dict.fromkeys(resolved))
    limit = max_per_page or current_app.config.get("API_MAX_PER_PAGE", 100)
    page = _int(args, "page", 1, MAX_PAGE, errors)
    per_page = _int(args, "per_page", 20, limit, errors)
    added_since = None
    raw_since = (args.get("added_since") or "").strip()
    if raw_since:
        try:
            added_since = date.fromisoformat(raw_since[:40])
        except ValueError:
            errors["added_since"] = _("Use a date written as %(example)s.", example="2026-09-01")
    sort = (args.get("sort") or "relevance").strip()
    if sort not in SORTS:
        errors["sort"] = _("Choose one of: %(choices)s", choices=", ".join(SORTS))
        sort = "relevance"
    if errors:
        raise ValidationError(errors, _("Some search parameters are not valid."))
    return SearchParams(
        q=q, filters=filters, page=page, per_page=per_page, sort=sort, added_since=added_since
    )


# --- who is searching -----------------------------------------------------------------------


def audience_for(user) -> Audience:
    """The index-level view of a searcher: visibility level, listed-only, own profile."""
    from directory.policy.people import search_reach

    level, listed_only, own_person_id = search_reach(user)
    return Audience(level=level, listed_only=listed_only, own_person_id=own_person_id)


# --- searching ------------------------------------------------------------------------------


def _query(params: SearchParams, audience: Audience) -> SearchQuery:
    from directory.reference.provinces import without_unit_words

    return SearchQuery(
        # "Thành phố Huế", "TP. Huế", "Hue City": the province's name is what is searched.
        text=without_unit_words(params.q),
        filters=params.filters,
        audience=audience,
        page=params.page,
        per_page=params.per_page,
        sort=params.sort,
        created_since=(
            day_start(params.added_since).timestamp() if params.added_since is not None else None
        ),
    )


@dataclass
class _Answer:
    """The hits of one page, the total and the facet counts, stale set included."""

    hits: list[Hit]
    total: int
    facets: dict[str, dict[str, int]]
    # Entities whose current document was matched against the query here.
    checked: frozenset[tuple[str, str]] = frozenset()


def _synonyms(backend) -> dict[str, list[str]]:
    """The taxonomy's equivalences, as the engine uses them (the backend's cached loader)."""
    loader = getattr(backend, "_synonyms_loader", None)
    return loader() if loader is not None else {}


def _answer(backend, query: SearchQuery, stale: StaleSet, synonyms) -> _Answer:
    """The engine's answer, corrected for the entities whose index entry lags behind."""
    return _answers(backend, [query], stale, synonyms)[0]


def _answers(backend, queries: list[SearchQuery], stale: StaleSet, synonyms) -> list[_Answer]:
    """:func:`_answer` for several queries, sent to the engine in one round trip where it
    allows (``search_many``)."""
    if stale.keys:
        queries = [replace(query, exclude=stale.keys) for query in queries]
    many = getattr(backend, "search_many", None)
    if len(queries) > 1 and many is not None:
        responses = many(queries)
    else:
        responses = [backend.search(query) for query in queries]
    return [
        _corrected(query, response, stale, synonyms)
        for query, response in zip(queries, responses, strict=True)
    ]


def _corrected(query: SearchQuery, response, stale: StaleSet, synonyms) -> _Answer:
    if not stale.keys:
        # Nothing pending (the index equals the database), or more than the limit: then
        # the page's pending hits are checked one by one in _serialise.
        return _Answer(response.hits, response.total, response.facets)
    docs = stale.documents(db.session, current_app.extensions.setdefault(STALE_CACHE, {}))
    extra = stale_index.evaluate(docs, query, typed_groups(analyze(query.text, synonyms)))
    facets = {name: dict(response.facets.get(name) or {}) for name in query.facets}
    for name, counts in extra.facets.items():
        merged = facets.setdefault(name, {})
        for value, count in counts.items():
            merged[value] = merged.get(value, 0) + count
    # Pages run over the engine's hits, then the stale matches.
    hits = list(response.hits)
    start = max(0, query.offset - response.total)
    stop = query.offset + query.per_page - response.total
    if stop > 0:
        hits += [
            Hit(doc_id=doc["id"], entity_type=doc["type"], entity_id=doc["entity_id"])
            for doc in extra.hits[start:stop]
        ]
    return _Answer(hits, response.total + len(extra.hits), facets, stale.keys)


def _pending(model, entity_type: str):
    """Whether the record has an index change pending (a correlated EXISTS)."""
    return (
        sa.exists()
        .where(
            SearchOutbox.done_at.is_(None),
            SearchOutbox.entity_type == entity_type,
            SearchOutbox.entity_id == model.id,
        )
        .label("pending")
    )


def _load(model, entity_type: str, ids: list[str]) -> dict:
    """id -> (record, has a pending index change), in one query."""
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(model, _pending(model, entity_type)).where(model.id.in_(ids))
    ).all()
    return {record.id: (record, bool(pending)) for record, pending in rows}


def _serialise(answer: _Answer, viewer, query: SearchQuery, synonyms) -> list[dict]:
    """Load the hits' records and serialise what the viewer may see, in the answer's order,
    with highlights computed from the records as they are now."""
    from directory.associations.models import Association
    from directory.associations.services import association_to_dict
    from directory.people.models import Person
    from directory.people.serializers import person_to_dict

    hits = answer.hits
    people = _load(Person, "person", [h.entity_id for h in hits if h.entity_type == "person"])
    assocs = _load(
        Association,
        "association",
        [h.entity_id for h in hits if h.entity_type == "association"],
    )
    loaded = {"person": people, "association": assocs}
    for kind in documents.indexed_types():  # kinds registered later (businesses)
        spec = documents.indexed(kind)
        if kind not in loaded and spec.to_dict is not None:
            wanted = [h.entity_id for h in hits if h.entity_type == kind]
            loaded[kind] = _load(spec.model, kind, wanted)
    # Engine hits whose record changed after the index entry was written, and that were not
    # matched here already: their current document must match the query to be shown.
    unchecked = {
        (h.entity_type, h.entity_id)
        for h in hits
        if loaded.get(h.entity_type, {}).get(h.entity_id, (None, False))[1]
        and (h.entity_type, h.entity_id) not in answer.checked
    }
    current = {
        (doc["type"], doc["entity_id"]): doc
        for doc in stale_index.current_documents(db.session, unchecked)
    }
    marked = analyze(query.text, synonyms) if query.text else []
    typed = typed_groups(marked)
    levels = query.audience.text_levels
    out = []
    for hit in hits:
        key = (hit.entity_type, hit.entity_id)
        record = loaded.get(hit.entity_type, {}).get(hit.entity_id, (None, False))[0]
        if record is None:
            continue
        spec = documents.indexed(hit.entity_type)
        if spec is not None and spec.to_dict is not None:
            if not policy.can(viewer, spec.view_action, record):
                continue
            data = spec.to_dict(record, viewer)
            if not data:
                continue
        elif hit.entity_type == "person":
            # The policy has the last word.
            if not policy.can(viewer, "person.view", record):
                continue
            data = person_to_dict(record, viewer)
            if not data:
                continue
        else:
            if not policy.can(viewer, "association.view", record):
                continue
            data = association_to_dict(record, viewer)
        if key in unchecked:
            doc = current.get(key)
            if doc is None or not stale_index.matches(doc, query, typed):
                continue
        show = stale_index.display_text(hit.entity_type, record)
        if show is None:  # anonymised since it was indexed
            continue
        data["type"] = hit.entity_type
        data["highlights"] = highlights_for(show, levels, marked)
        data["matched"] = match_reasons(data, typed, synonyms)
        out.append(data)
    return out


# What a hit's highlights say it matched on: reason code -> the serialised keys that show it.
_HIGHLIGHT_REASONS = (
    ("name", ("full_name", "other_names", "name", "name_en")),
    ("work", ("title", "organization", "company")),
    ("place", ("city", "cities")),
    ("about", ("bio", "education", "skills", "description")),
    ("contact", ("email", "phone", "website")),
)


def match_reasons(hit: dict, groups, synonyms) -> list[str]:
    """Why a hit matched the query's words, in the order shown: ``name``, ``field:<code>`` for
    each of its fields the query names (in any language or synonym), ``hometown`` when the
    query names its hometown province (current or former name), then ``work``, ``place``,
    ``about``, ``contact`` from the text it matched in. Empty without words."""
    from directory.reference.provinces import resolve_province

    if not groups:
        return []
    highlighted = {key for key, value in (hit.get("highlights") or {}).items() if value}
    reasons = [code for code, keys in _HIGHLIGHT_REASONS[:1] if highlighted & set(keys)]
    named = {term_key(g, synonyms) for g in groups if g.kind == "taxonomy"}
    codes = list(hit.get("fields") or []) + list(hit.get("sectors") or [])
    reasons += [f"field:{code}" for code in dict.fromkeys(codes) if field_key(code) in named]
    home = hit.get("hometown_province") or hit.get("province")
    if home and (
        "hometown_as_given" in highlighted
        or any(
            g.kind in ("province", "word") and resolve_province(" ".join(g.words)) == home
            for g in groups
        )
    ):
        reasons.append("hometown")
    reasons += [code for code, keys in _HIGHLIGHT_REASONS[1:] if highlighted & set(keys)]
    return reasons


def _stale_set() -> StaleSet:
    limit = int(current_app.config.get("SEARCH_STALE_LIMIT", STALE_LIMIT))
    stale = StaleSet.load(db.session, limit)
    if not stale.complete:
        current_app.logger.warning(
            "search: more than %s entities await indexing; their hits are checked against "
            "the database page by page, and totals and facet counts come from the index",
            limit,
        )
    return stale


def run_search(params: SearchParams, viewer) -> SearchResult:
    """Search as ``viewer`` (a User or None); raises SearchUnavailable when the engine is down."""
    audience = audience_for(viewer)
    backend = get_backend()
    stale = _stale_set()
    synonyms = _synonyms(backend)
    query = _query(params, audience)
    answer = _answer(backend, replace(query, highlight=False), stale, synonyms)
    # Most frequent values first, whatever order the engine returned them in.
    facets = {
        name: dict(sorted(answer.facets.get(name, {}).items(), key=lambda kv: (-kv[1], kv[0])))
        for name in FACETS
    }
    for name, values in params.filters.items():
        for value in values:
            facets[name].setdefault(value, 0)
    result = SearchResult(
        params=params,
        hits=_serialise(answer, viewer, query, synonyms),
        total=answer.total,
        facets=facets,
    )
    if answer.total == 0:
        if params.q:
            result.suggestion = did_you_mean(params, audience, stale)
        if params.filtered:
            probe = _query(params.without(), audience)
            result.total_without_filters = _answer(
                backend, replace(probe, facets=(), highlight=False), stale, synonyms
            ).total
    return result


@lru_cache(maxsize=1)
def _reference_words() -> frozenset[str]:
    from directory.reference.countries import country_name
    from directory.reference.fields import shipped_fields
    from directory.reference.provinces import all_provinces

    words: set[str] = set()
    for f in shipped_fields():
        for name in (f["label_vi"], f["label_en"], *f.get("synonyms", [])):
            words.update(fold_words(name))
    for p in all_provinces():
        for name in (*p.own_wordings, *p.earlier_names):
            words.update(fold_words(name))
    import pycountry

    for c in pycountry.countries:
        for lang in ("vi", "en"):
            words.update(fold_words(country_name(c.alpha_2, lang)))
    return frozenset(w for w in words if len(w) >= 3)


def _closest(word: str, backend) -> str:
    candidates = list(backend.suggestions(word))
    if word in candidates or word in _reference_words() or len(word) < 3:
        return word
    scored = [(distance(word, c, 3), i, c) for i, c in enumerate(candidates)]
    scored += [
        (distance(word, c, 3), len(candidates) + 1, c)
        for c in _reference_words()
        if abs(len(c) - len(word)) <= 3 and c[:1] == word[:1]
    ]
    scored = [s for s in scored if s[0] <= (3 if len(word) >= 8 else 2)]
    return min(scored)[2] if scored else word


def did_you_mean(
    params: SearchParams, audience: Audience, stale: StaleSet | None = None
) -> str | None:
    """A corrected query that finds something for this audience, or None."""
    backend = get_backend()
    words = fold_words(params.q)
    corrected = [_closest(w, backend) for w in words]
    if corrected == words:
        return None
    text = " ".join(corrected)
    probe = _query(
        SearchParams(q=text, filters=params.filters, per_page=1, added_since=params.added_since),
        audience,
    )
    stale = stale if stale is not None else _stale_set()
    if _answer(
        backend, replace(probe, facets=(), highlight=False), stale, _synonyms(backend)
    ).total:
        return text
    return None


def recall(
    searches: list[tuple[str, dict[str, list[str]]]], viewer, limit: int
) -> list[list[tuple[str, str]]]:
    """For each (text, filters), the first ``limit`` (entity type, entity id) by relevance.

    What ``viewer`` may find, with the entities whose index entry lags behind evaluated from
    the database (as :func:`run_search` does), but no records loaded, no facets and no
    highlights: the recall of a caller that scores the records itself (``directory.needs``).
    """
    audience = audience_for(viewer)
    backend = get_backend()
    stale = _stale_set()
    synonyms = _synonyms(backend)
    queries = [
        replace(
            _query(
                SearchParams(q=text[:MAX_QUERY_LENGTH], filters=filters, per_page=limit), audience
            ),
            facets=(),
            highlight=False,
            exact_total=False,
        )
        for text, filters in searches
    ]
    answers = _answers(backend, queries, stale, synonyms)
    return [[(hit.entity_type, hit.entity_id) for hit in answer.hits] for answer in answers]
