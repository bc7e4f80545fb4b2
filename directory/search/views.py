"""The results page: ``/search`` (and its results fragment for search-as-you-type)."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from directory.core.errors import ValidationError
from directory.search.services import (
    FACETS,
    SearchParams,
    SearchUnavailable,
    parse_search_args,
    run_search,
)

bp = Blueprint("search", __name__)

HTML_PER_PAGE = 20
FRAGMENT_HEADER = "X-Search-Fragment"


def facet_titles() -> dict[str, str]:
    return {
        "kind": _("Kind"),
        "field": _("Field"),
        "country": _("Country"),
        "province": _("Hometown"),
        "language": _("Language"),
        "verified": _("Verified"),
        "representative": _("Representative"),
        # Not a facet: the creation-date filter, named in error messages.
        "added_since": _("Added since"),
        "sector": _("Business sector"),
        "presence": _("Presence in Vietnam"),
        "interest_province": _("Province of interest"),
        "size": _("Business size"),
        "presence_province": _("Present in province"),
    }


def reason_labels() -> dict[str, str]:
    """Why a hit matched (``services.match_reasons``), as the results say it."""
    return {
        "name": _("the name"),
        "hometown": _("the hometown"),
        "work": _("the position or organisation"),
        "place": _("the city"),
        "about": _("the description"),
        "contact": _("the contact details"),
    }


def kind_labels() -> dict[str, str]:
    return {
        "expert": _("Expert"),
        "entrepreneur": _("Entrepreneur"),
        "association": _("Association"),
        "business": _("Business"),
        "true": _("Yes"),
        "false": _("No"),
    }


def business_labels() -> dict[str, str]:
    """The labels of the businesses' presence kinds and size bands (their own catalog)."""
    from directory.businesses.inputs import PRESENCE_LABELS, SIZE_LABELS

    return {k: str(v) for k, v in {**PRESENCE_LABELS, **SIZE_LABELS}.items()}


def facet_entries(result, top: int = 8) -> dict[str, tuple[list, list]]:
    """Per facet: the values shown (selected first, then by count) and the rest."""
    out = {}
    for name in FACETS:
        counts = result.facets.get(name, {}) if result else {}
        selected = result.params.filters.get(name, []) if result else []
        ordered = sorted(counts.items(), key=lambda kv: (kv[0] not in selected, -kv[1], kv[0]))
        shown = [kv for i, kv in enumerate(ordered) if kv[0] in selected or i < top]
        out[name] = (shown, [kv for kv in ordered if kv not in shown])
    return out


@bp.get("/search")
def results():
    """Search the directory; the facet sidebar, hits and pagination are one fragment."""
    user = current_user if current_user.is_authenticated else None
    errors: dict[str, str] = {}
    status = 200
    result = None
    unavailable = False
    try:
        params = parse_search_args(request.args, max_per_page=50)
        if "per_page" not in request.args:
            params.per_page = HTML_PER_PAGE
    except ValidationError as exc:
        errors, status = exc.fields, 400
        params = SearchParams(q=(request.args.get("q") or "").strip()[:200])
    if not errors:
        try:
            result = run_search(params, user)
        except SearchUnavailable as exc:
            current_app.logger.warning("search unavailable: %s", exc)
            unavailable, status = True, 503
    fragment = request.headers.get(FRAGMENT_HEADER) == "1"
    template = "search/_results.html" if fragment else "search/results.html"
    response = current_app.make_response(
        (
            render_template(
                template,
                params=params,
                result=result,
                errors=errors,
                unavailable=unavailable,
                facets=FACETS,
                facet_entries=facet_entries(result),
                facet_titles=facet_titles(),
                kind_labels={**kind_labels(), **business_labels()},
                reason_labels=reason_labels(),
            ),
            status,
        )
    )
    response.headers["Vary"] = FRAGMENT_HEADER
    return response
