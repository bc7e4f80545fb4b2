"""Searching the directory: parameters, the viewer's audience, results from the database.

The engine (``search_index``) returns ids, counts and highlights for what the viewer may see;
records are loaded from the database and serialised with the same functions as the rest of
the application (``person_to_dict``, ``association_to_dict``), and checked once more against
the policy in case the index lags behind a change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from directory import policy
from directory.core.errors import ValidationError
from directory.extensions import db
from search_index import get_backend
from search_index.base import FACETS, SORTS, Audience, SearchQuery, SearchUnavailable
from search_index.matching import distance
from search_index.normalize import fold_words

KINDS = ("expert", "entrepreneur", "association")
BOOLEAN_FACETS = ("verified", "representative")
MAX_QUERY_LENGTH = 200
MAX_PAGE = 1000
TRUE_WORDS = {"true", "1", "yes", "on", "co", "có"}
FALSE_WORDS = {"false", "0", "no", "off", "khong", "không"}

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

    def without(self, facet: str | None = None) -> SearchParams:
        filters = {} if facet is None else {k: v for k, v in self.filters.items() if k != facet}
        return SearchParams(self.q, filters, 1, self.per_page, self.sort)


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

    def boolean(v: str):
        low = v.lower()
        return "true" if low in TRUE_WORDS else "false" if low in FALSE_WORDS else None

    return boolean


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
    sort = (args.get("sort") or "relevance").strip()
    if sort not in SORTS:
        errors["sort"] = _("Choose one of: %(choices)s", choices=", ".join(SORTS))
        sort = "relevance"
    if errors:
        raise ValidationError(errors, _("Some search parameters are not valid."))
    return SearchParams(q=q, filters=filters, page=page, per_page=per_page, sort=sort)


# --- who is searching -----------------------------------------------------------------------


def audience_for(user) -> Audience:
    """The index-level view of a searcher: visibility level, listed-only, own profile."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Audience(level=0, listed_only=True)
    if policy.is_admin(user):
        return Audience(level=2, listed_only=False)
    if policy.is_official(user):
        return Audience(level=1, listed_only=False, own_person_id=user.person_id)
    return Audience(level=0, listed_only=True, own_person_id=user.person_id)


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
    )


def _serialise(hits, viewer) -> list[dict]:
    """Load the hits' records and serialise what the viewer may see, in the engine's order."""
    from directory.associations.models import Association
    from directory.associations.services import association_to_dict
    from directory.people.models import Person
    from directory.people.serializers import person_to_dict

    person_ids = [h.entity_id for h in hits if h.entity_type == "person"]
    assoc_ids = [h.entity_id for h in hits if h.entity_type == "association"]
    people = (
        {p.id: p for p in db.session.scalars(sa.select(Person).where(Person.id.in_(person_ids)))}
        if person_ids
        else {}
    )
    assocs = (
        {
            a.id: a
            for a in db.session.scalars(sa.select(Association).where(Association.id.in_(assoc_ids)))
        }
        if assoc_ids
        else {}
    )
    out = []
    for hit in hits:
        if hit.entity_type == "person":
            person = people.get(hit.entity_id)
            # The index may lag behind a change for a moment: the policy has the last word.
            if person is None or not policy.can(viewer, "person.view", person):
                continue
            data = person_to_dict(person, viewer)
            if not data:
                continue
        else:
            association = assocs.get(hit.entity_id)
            if association is None or not policy.can(viewer, "association.view", association):
                continue
            data = association_to_dict(association, viewer)
        data["type"] = hit.entity_type
        data["highlights"] = hit.highlights
        out.append(data)
    return out


def run_search(params: SearchParams, viewer) -> SearchResult:
    """Search as ``viewer`` (a User or None); raises SearchUnavailable when the engine is down."""
    audience = audience_for(viewer)
    backend = get_backend()
    response = backend.search(_query(params, audience))
    # Most frequent values first, whatever order the engine returned them in.
    facets = {
        name: dict(sorted(response.facets.get(name, {}).items(), key=lambda kv: (-kv[1], kv[0])))
        for name in FACETS
    }
    for name, values in params.filters.items():
        for value in values:
            facets[name].setdefault(value, 0)
    result = SearchResult(
        params=params,
        hits=_serialise(response.hits, viewer),
        total=response.total,
        facets=facets,
    )
    if response.total == 0:
        if params.q:
            result.suggestion = did_you_mean(params, audience)
        if params.filters:
            probe = backend.search(_query(params.without(), audience))
            result.total_without_filters = probe.total
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


def did_you_mean(params: SearchParams, audience: Audience) -> str | None:
    """A corrected query that finds something for this audience, or None."""
    backend = get_backend()
    words = fold_words(params.q)
    corrected = [_closest(w, backend) for w in words]
    if corrected == words:
        return None
    text = " ".join(corrected)
    probe = SearchParams(q=text, filters=params.filters, per_page=1)
    if backend.search(_query(probe, audience)).total:
        return text
    return None
