"""Search parameters written as filter or query syntax are refused or searched as plain words,
on both engines: they never widen what the caller may see, and never cause a 500."""

from __future__ import annotations

import pytest

from tests.search.data import build_directory


@pytest.fixture(params=["sqlite", "meilisearch"])
def backend_name(request):
    return request.param


@pytest.fixture
def d(app, sync):
    data = build_directory()
    sync()
    return data


REFUSED = [
    ("country", "FR OR 1=1"),
    ("country", 'FR" OR listed = false OR country = "FR'),
    ("kind", "expert OR type = person"),
    ("field", 'semiconductors" OR "1"="1'),
    ("province", "da-nang) OR (listed = false"),
    ("language", "fr] OR owner EXISTS ["),
    ("verified", "true OR listed = false"),
    ("presence_province", 'da-nang" OR listed = false OR "'),
    ("added_since", "2020-01-01 OR 1=1"),
    ("sort", "name_sort:asc, listed:desc"),
]

PLAIN_WORDS = [
    "listed = false",
    '" OR listed = false OR "',
    "name_0 : quan",
    "{email_2 phone_2} : zephyrmail",
    "zephyrmail*",
    'NEAR("zephyrmail" "example", 5)',
    "facets : verified",
    "( ] [ ) \" ' \\ ; -- /* */",
    "owner EXISTS",
    "quan AND NOT nam OR ^ha",
]


@pytest.mark.parametrize(("name", "value"), REFUSED)
def test_filter_syntax_in_a_filter_is_refused(client, d, name, value):
    response = client.get("/api/v1/search", query_string={name: value})
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"]["code"] == "invalid_parameters"


@pytest.mark.parametrize("q", PLAIN_WORDS)
def test_query_syntax_in_the_text_is_searched_as_words(client, d, q):
    response = client.get("/api/v1/search", query_string={"q": q, "per_page": 100})
    assert response.status_code == 200, response.get_json()
    data = response.get_json()
    found = {hit["id"] for hit in data["hits"] if hit.get("type") == "person"}
    assert d.ha.id not in found  # the unlisted profile never appears
    for hit in data["hits"]:  # nor private contact details
        assert "zephyrmail" not in str(hit)
    page = client.get("/search", query_string={"q": q})
    assert page.status_code == 200
