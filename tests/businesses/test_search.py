"""Businesses in the directory's search, on BOTH engines (SQLite FTS5 and Meilisearch):
``kind=business``, Vietnamese-aware and typo-tolerant names, the businesses' facets, who finds
what, and the index following every change."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from werkzeug.datastructures import MultiDict

from directory.businesses import services
from directory.search.services import parse_search_args, run_search
from directory.search.status import index_status
from tests.businesses.conftest import make_business
from tests.factories import PersonFactory, UserFactory
from tests.search.conftest import app, meili_server, sync  # noqa: F401 - the engines' fixtures


@pytest.fixture(params=["sqlite", "meilisearch"])
def backend_name(request):
    return request.param


@pytest.fixture
def d(app, sync):  # noqa: F811
    data = SimpleNamespace(
        hansa=make_business(
            name="Hansa Logistik Việt GmbH",
            country="DE",
            sectors=["transportation"],
            size_band="medium",
            description="Dịch vụ logistics và kho vận giữa Hamburg và Đà Nẵng.",
            presence_in_vietnam=[{"kind": "joint_venture", "province": "da-nang"}],
            interests=[
                {
                    "kind": "investment",
                    "sectors": ["transportation"],
                    "provinces": ["da-nang"],
                    "products": [],
                    "ticket_band": "1m_10m",
                }
            ],
            consent_listed=True,
            visibility_profile="public",
        ),
        rhein=make_business(
            name="Rhein Cargo GmbH",
            country="DE",
            sectors=["transportation"],
            size_band="small",
            interests=[
                {
                    "kind": "investment",
                    "sectors": [],
                    "provinces": ["hai-phong"],
                    "products": [],
                    "ticket_band": None,
                }
            ],
            consent_listed=True,
        ),
        pho=make_business(
            name="Phở Sài Gòn SARL",
            country="FR",
            sectors=["hospitality"],
            size_band="micro",
            consent_listed=True,
        ),
        hidden=make_business(
            name="Berlin Đồng Xanh Import",
            country="DE",
            sectors=["food-processing"],
            interests=[
                {
                    "kind": "import",
                    "sectors": [],
                    "provinces": ["da-nang"],
                    "products": ["thanh long"],
                    "ticket_band": None,
                }
            ],
        ),
        expert=PersonFactory(full_name="Trần Văn Hải", country="DE", city="Hamburg"),
        officer=UserFactory(province_officer=True),
    )
    sync()
    return data


def search(user=None, *pairs, **args):
    return run_search(parse_search_args(MultiDict(list(pairs) + list(args.items()))), user)


def ids(result) -> list[str]:
    return [h["id"] for h in result.hits]


def test_kind_business_finds_businesses_only_each_marked_business(d):
    result = search(d.officer, kind="business")
    assert set(ids(result)) == {d.hansa.id, d.rhein.id, d.pho.id, d.hidden.id}
    assert {(h["type"], h["kind"]) for h in result.hits} == {("business", "business")}
    everyone = search(d.officer, q="")
    assert d.expert.id in ids(everyone) and d.hansa.id in ids(everyone)


def test_names_are_found_without_diacritics_and_with_typos(d):
    assert ids(search(None, q="pho sai gon"))[:1] == [d.pho.id]
    assert ids(search(None, q="Phở Sài Gòn"))[:1] == [d.pho.id]
    assert ids(search(None, q="hansa logistk"))[:1] == [d.hansa.id]  # a letter missing
    assert ids(search(None, q="Rhien Cargo"))[:1] == [d.rhein.id]  # two letters swapped


def test_the_public_finds_listed_businesses_only(d):
    assert d.hidden.id not in ids(search(None, kind="business"))
    assert d.hidden.id in ids(search(d.officer, kind="business"))
    assert d.hidden.id not in ids(search(None, q="thanh long"))


def test_the_facets_of_businesses(d):
    result = search(d.officer, kind="business")
    facets = result.facets
    assert facets["sector"] == {"transportation": 2, "hospitality": 1, "food-processing": 1}
    assert facets["country"]["DE"] == 3 and facets["country"]["FR"] == 1
    assert facets["presence"] == {"joint_venture": 1}
    assert facets["interest_province"] == {"da-nang": 2, "hai-phong": 1}
    assert facets["size"] == {"medium": 1, "small": 1, "micro": 1}
    assert facets["kind"]["business"] == 4


def test_businesses_in_germany_in_logistics_interested_in_da_nang_come_first(d):
    """The province's question, as filters and as words."""
    result = search(
        d.officer,
        kind="business",
        country="Đức",
        sector="Giao thông vận tải",
        interest_province="Quảng Nam",  # a legacy name of today's Đà Nẵng
    )
    assert ids(result) == [d.hansa.id]
    result = search(d.officer, ("country", "DE"), q="logistics Đà Nẵng", kind="business")
    assert ids(result)[0] == d.hansa.id
    # In words only, in Vietnamese: the business in Germany interested in Đà Nẵng first.
    result = search(d.officer, q="doanh nghiệp logistics Đức Đà Nẵng")
    assert ids(result)[0] == d.hansa.id
    result = search(d.officer, presence="joint_venture", size="medium")
    assert ids(result) == [d.hansa.id]


def test_presence_in_a_province_of_any_kind(d, sync):  # noqa: F811
    """``presence_province``: a presence of any kind in the province, legacy names resolving as
    for the hometown filter; its facet counts what the viewer may find."""
    office = make_business(
        name="Mekong Freight Pty",
        country="AU",
        sectors=["transportation"],
        presence_in_vietnam=[
            {"kind": "representative_office", "province": "da-nang"},
            {"kind": "subsidiary", "province": "hai-phong"},
        ],
        consent_listed=False,
    )
    sync()
    for name in ("da-nang", "Quảng Nam", "Đà Nẵng", "quang nam"):
        result = search(d.officer, kind="business", presence_province=name)
        assert set(ids(result)) == {d.hansa.id, office.id}, name
    assert ids(search(d.officer, presence_province="Hải Phòng")) == [office.id]
    # Rhein Cargo is interested in Hải Phòng, not present there.
    assert d.rhein.id not in ids(search(d.officer, presence_province="hai-phong"))
    facets = search(d.officer, kind="business").facets
    assert facets["presence_province"] == {"da-nang": 2, "hai-phong": 1}
    # The public finds the listed business only, and counts only it.
    public = search(None, presence_province="da-nang")
    assert ids(public) == [d.hansa.id]
    assert public.facets["presence_province"] == {"da-nang": 1}
    combined = search(d.officer, presence_province="da-nang", presence="joint_venture")
    assert ids(combined) == [d.hansa.id]


def test_unknown_business_facet_values_are_refused(d):
    from directory.core.errors import ValidationError

    for name, value in (("sector", "moon mining"), ("presence", "castle"), ("size", "huge")):
        with pytest.raises(ValidationError) as caught:
            parse_search_args(MultiDict([(name, value)]))
        assert name in caught.value.fields
    with pytest.raises(ValidationError):
        parse_search_args(MultiDict([("interest_province", "Gotham")]))
    with pytest.raises(ValidationError) as caught:
        parse_search_args(MultiDict([("presence_province", "Gotham")]))
    assert "presence_province" in caught.value.fields


def test_the_index_follows_changes(d, sync):  # noqa: F811
    admin = UserFactory(admin=True)
    services.update_business(d.pho, {"name": "Bún Chả Hà Nội SARL"}, admin)
    sync()
    assert ids(search(None, q="bun cha")) == [d.pho.id]
    assert d.pho.id not in ids(search(None, q="pho sai gon"))
    services.delete_business(d.rhein, admin)
    sync()
    assert search(d.officer, q="rhein cargo").total == 0
    status = index_status()
    assert status["database"]["business"] == 3
    assert status["documents"]["business"] == 3 and status["in_step"]


def test_the_search_api_marks_business_hits(client, d):
    body = client.get("/api/v1/search?kind=business&q=hansa").get_json()
    assert [h["id"] for h in body["hits"]] == [d.hansa.id]
    hit = body["hits"][0]
    assert hit["kind"] == "business" and hit["type"] == "business"
    assert hit["interests"][0]["provinces"] == ["da-nang"]
    assert "website" not in hit or hit["website"] is None
    assert body["facets"]["presence"] == {"joint_venture": 1}


def test_the_search_page_shows_businesses_and_their_facets(client, d):
    page = client.get(
        "/search?kind=business&interest_province=da-nang", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)
    assert f'href="/businesses/{d.hansa.id}"' in page
    assert "Province of interest" in page and "Joint venture" in page
    assert 'name="sector"' in page


def test_the_search_api_and_page_filter_on_presence_in_a_province(client, d):
    body = client.get("/api/v1/search?kind=business&presence_province=Quảng Nam").get_json()
    assert [h["id"] for h in body["hits"]] == [d.hansa.id]
    assert body["facets"]["presence_province"] == {"da-nang": 1}
    bad = client.get("/api/v1/search?presence_province=da-nang) OR (listed = false")
    assert bad.status_code == 400
    page = client.get(
        "/search?kind=business&presence_province=da-nang", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)
    assert f'href="/businesses/{d.hansa.id}"' in page
    assert "Present in province" in page and 'name="presence_province"' in page
    vi = client.get(
        "/search?kind=business&presence_province=da-nang", headers={"Accept-Language": "vi"}
    ).get_data(as_text=True)
    assert "Hiện diện tại tỉnh" in vi
