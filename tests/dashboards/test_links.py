"""The dashboards' link builder writes exactly what ``url_for`` writes (it only builds each
endpoint's path once per request)."""

from __future__ import annotations

import pytest
from flask import url_for

from directory.dashboards.contents import business_search, link, people_search
from directory.people.models import KINDS


@pytest.mark.parametrize(
    ("endpoint", "query"),
    [
        ("search.results", {}),
        ("search.results", {"kind": list(KINDS), "country": "FR"}),
        ("search.results", {"kind": list(KINDS), "province": "da-nang", "field": "ai"}),
        (
            "search.results",
            {"kind": "business", "sector": "logistics", "added_since": "2026-09-05"},
        ),
        ("search.results", {"q": "Nguyễn Văn An & co/1", "page": 2, "missing": None}),
        ("initiatives.inbox", {"province": "central", "overdue": 1}),
        ("needs.index", {"field": "semiconductors", "status": "open"}),
    ],
)
def test_link_is_url_for(app, endpoint, query):
    with app.test_request_context("/dashboard/overview"):
        assert link(endpoint, **query) == url_for(endpoint, **query)


def test_search_links(app):
    with app.test_request_context("/"):
        assert people_search(country="DE") == url_for(
            "search.results", kind=list(KINDS), country="DE"
        )
        assert business_search(sector="logistics") == url_for(
            "search.results", kind="business", sector="logistics"
        )
