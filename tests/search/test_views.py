"""The /search page: box, facet sidebar with counts, filters in the URL, states, fragment."""

from __future__ import annotations

import re

import pytest

from tests.search.data import build_directory


@pytest.fixture
def d(app, sync):
    data = build_directory()
    sync()
    return data


def test_every_page_has_a_search_box(client, d):
    html = client.get("/").get_data(as_text=True)
    assert 'action="/search"' in html and 'name="q"' in html


def test_results_page_lists_hits_with_highlights_and_facet_counts(client, d):
    response = client.get("/search?q=ban+dan", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Nguyễn Văn Dũng" in html
    assert re.search(r'name="country" value="FR"', html)
    assert "France" in html  # facet labels are names, not codes
    assert "/static/js/search.js" in html
    assert 'id="search-results"' in html


def test_facet_checkboxes_reflect_the_url_and_counts_match_results(client, d):
    html = client.get("/search?country=FR&kind=expert", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert re.search(r'name="country" value="FR" checked', html)
    assert re.search(r'name="kind" value="expert" checked', html)
    assert "2 results" in html
    # Removing one filter is a link that keeps the other.
    assert 'href="/search?kind=expert"' in html


def test_province_facet_shows_province_names(client, d):
    html = client.get("/search", headers={"Accept-Language": "vi"}).get_data(as_text=True)
    assert "Lào Cai" in html and "Đà Nẵng" in html


def test_user_text_is_escaped_and_only_marks_are_html(client, d):
    html = client.get("/search?q=solar").get_data(as_text=True)
    assert "<mark>solar</mark>" in html
    assert "<script>alert" not in html
    html = client.get("/search?q=<script>alert(1)</script>").get_data(as_text=True)
    assert "<script>alert(1)" not in html


def test_the_fragment_is_served_for_search_as_you_type(client, d):
    response = client.get("/search?q=dung", headers={"X-Search-Fragment": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html and "Nguyễn Văn <mark>Dũng</mark>" in html
    assert "X-Search-Fragment" in response.headers["Vary"]


def test_empty_results_suggest_removing_filters(client, d):
    html = client.get("/search?q=Schmidt&country=FR", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert "Nothing matches this search." in html
    assert "Remove the filters to see 1 result" in html


def test_empty_results_offer_did_you_mean(client, d):
    html = client.get("/search?q=schmitd", headers={"Accept-Language": "en"}).get_data(as_text=True)
    if "Nothing matches" in html:
        assert "Did you mean" in html


def test_pages_link_to_each_other(client, d):
    html = client.get("/search?per_page=2").get_data(as_text=True)
    assert 'rel="next"' in html and "page=2" in html


def test_invalid_filter_is_a_400_page_with_a_message(client, d):
    response = client.get("/search?country=Atlantis", headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "Some search parameters are not valid." in response.get_data(as_text=True)


def test_engine_down_is_a_translated_503_page(app, client, d):
    from search_index.base import SearchUnavailable

    class Down:
        def search(self, query):
            raise SearchUnavailable("connection refused")

    app.extensions["search_backend"] = Down()
    response = client.get("/search?q=dung", headers={"Accept-Language": "vi"})
    assert response.status_code == 503
    assert "Tìm kiếm tạm thời không hoạt động" in response.get_data(as_text=True)


def test_officials_see_more_in_the_page_than_the_public(client, login, d):
    link = f"/people/{d.ha.id}"
    assert link not in client.get("/search?q=ha").get_data(as_text=True)
    login(d.users.province)
    assert link in client.get("/search?q=ha").get_data(as_text=True)


@pytest.mark.parametrize(
    ("locale", "chip", "error"),
    [("en", "Added since", "Use a date"), ("vi", "Thêm từ", "Ghi ngày")],
)
def test_the_added_since_filter_is_kept_shown_and_removable(client, d, locale, chip, error):
    headers = {"Accept-Language": locale}
    html = client.get("/search?country=FR&added_since=2020-01-01", headers=headers).get_data(
        as_text=True
    )
    assert '<input type="hidden" name="added_since" value="2020-01-01">' in html
    assert chip in html
    assert 'href="/search?country=FR"' in html  # the chip removes the date, keeps the rest
    bad = client.get("/search?added_since=yesterday", headers=headers)
    assert bad.status_code == 400 and error in bad.get_data(as_text=True)


def test_each_hit_says_why_it_matched_in_the_pages_language(client, d):
    html = client.get("/search?q=ban+dan", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Matched on:" in html and "field Semiconductors" in html
    html = client.get("/search?q=ban+dan", headers={"Accept-Language": "vi"}).get_data(as_text=True)
    assert "Khớp theo:" in html and "lĩnh vực Bán dẫn" in html
