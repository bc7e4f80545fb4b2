"""Search while the index lags behind the database, on BOTH engines.

The index here is updated only by ``sync()`` (the worker): the embedded engine's inline apply
is off, and nothing runs the Meilisearch worker. Between a change and ``sync()``, what a
search shows (hits, totals, facet counts, highlights) must follow the database.
"""

from __future__ import annotations

import json
import logging
from collections import Counter

import pytest
from werkzeug.datastructures import MultiDict

from directory.associations.search import association_document
from directory.extensions import db
from directory.people import data_protection
from directory.people import services as people_services
from directory.people.search import person_document
from directory.search import documents
from directory.search.services import parse_search_args, run_search
from directory.search.stale import StaleSet, display_text, evaluate
from directory.search.sync import pending_count
from search_index import get_backend
from search_index.base import Audience, SearchQuery
from search_index.matching import analyze, typed_groups
from tests.conftest import _reset_database
from tests.factories import PersonFactory, UserFactory
from tests.search.data import build_directory


@pytest.fixture(params=["sqlite", "meilisearch"])
def backend_name(request):
    return request.param


@pytest.fixture
def app(request, make_app, backend_name):
    """The application on the engine under test, its index fed by ``sync()`` only."""
    config = {"SEARCH_SYNC_INLINE": False}
    if backend_name == "meilisearch":
        server = request.getfixturevalue("meili_server")
        config.update(
            SEARCH_BACKEND="meilisearch",
            MEILI_URL=server.url,
            MEILI_MASTER_KEY=server.key,
            MEILI_INDEX_PREFIX="test",
        )
    app = make_app(**config)
    with app.app_context():
        _reset_database(app)
        yield app
        db.session.remove()


@pytest.fixture
def d(app, sync):
    data = build_directory()
    sync()
    assert pending_count() == 0
    return data


def search(user=None, *pairs, **args):
    return run_search(parse_search_args(MultiDict(list(pairs) + list(args.items()))), user)


def ids(result) -> list[str]:
    return [h["id"] for h in result.hits]


def member(person):
    """The member's own account (members decide their visibility and consent)."""
    return person.user or UserFactory(role="member", person_id=person.id)


def make_contact(person, level: str) -> None:
    people_services.set_visibility(
        person, profile=person.visibility_profile, contact=level, by=member(person)
    )
    assert pending_count() > 0  # the index has not caught up


def no_counts(result) -> bool:
    return all(not counts for counts in result.facets.values())


# --- contact details made private -------------------------------------------------------------


def test_contact_details_made_private_are_no_longer_found_while_the_index_lags(d):
    assert ids(search(q="lan@example.org")) == [d.lan.id]
    make_contact(d.lan, "private")
    result = search(q="lan@example.org")
    assert result.hits == []
    assert result.total == 0
    assert no_counts(result)


def test_the_api_neither_finds_nor_highlights_contact_details_made_private(d, client):
    before = client.get("/api/v1/search?q=lan").get_json()
    assert "email" in next(h for h in before["hits"] if h["id"] == d.lan.id)["highlights"]
    make_contact(d.lan, "private")
    body = client.get("/api/v1/search?q=lan@example.org").get_json()
    assert body["total"] == 0 and body["hits"] == []
    assert all(not counts for counts in body["facets"].values())
    body = client.get("/api/v1/search?q=lan").get_json()
    hit = next(h for h in body["hits"] if h["id"] == d.lan.id)  # still found by her name
    assert "email" not in hit["highlights"]
    assert "lan@example.org" not in json.dumps(body)


def test_the_results_page_shows_no_snippet_of_contact_details_made_private(d, client):
    assert "@example.org" in client.get("/search?q=lan").get_data(as_text=True)
    make_contact(d.lan, "private")
    html = client.get("/search?q=lan").get_data(as_text=True)
    assert "Đặng Thị <mark>Lan</mark>" in html
    assert "@example.org" not in html


def test_officials_still_find_contact_details_opened_to_officials(d):
    make_contact(d.lan, "officials")
    assert search(q="lan@example.org").total == 0
    result = search(d.users.province, q="lan@example.org")
    assert ids(result) == [d.lan.id] and result.total == 1
    assert "<mark>lan</mark>" in result.hits[0]["highlights"]["email"]
    assert result.facets["country"] == {"DE": 1}


# --- profiles made visible --------------------------------------------------------------------


def test_contact_details_made_public_are_found_before_the_index_catches_up(d):
    assert search(q="zephyrmail").total == 0
    make_contact(d.dung, "public")
    result = search(q="zephyrmail")
    assert ids(result) == [d.dung.id] and result.total == 1
    assert result.facets["country"] == {"FR": 1}
    assert result.hits[0]["highlights"]["email"] == "<mark>zephyrmail</mark>@example.net"


def test_contact_details_opened_to_officials_are_found_by_officials_only(d):
    make_contact(d.dung, "officials")
    assert search(q="zephyrmail").total == 0
    assert ids(search(d.users.province, q="zephyrmail")) == [d.dung.id]


def test_a_new_profile_is_found_and_counted_before_it_is_indexed(d):
    newcomer = PersonFactory(full_name="Phó Đức Khiêm", country="CA", hometown_province="hue")
    assert pending_count() > 0
    result = search(q="pho duc khiem")
    assert ids(result) == [newcomer.id] and result.total == 1
    assert result.facets["country"] == {"CA": 1}
    assert result.hits[0]["highlights"]["full_name"] == (
        "<mark>Phó</mark> <mark>Đức</mark> <mark>Khiêm</mark>"
    )
    assert ids(search(country="CA")) == [newcomer.id]


def test_a_withdrawn_consent_takes_the_profile_out_of_public_results_and_counts(d):
    people_services.set_consent(d.nam, listed=False, contact=True, by=member(d.nam))
    result = search(q="nam electronics")
    assert result.total == 0 and result.hits == [] and no_counts(result)
    everyone = search()
    assert d.nam.id not in ids(everyone)
    assert everyone.total == 4
    assert "hue" not in everyone.facets["province"]
    assert ids(search(d.users.embassy, q="nam electronics")) == [d.nam.id]


def test_an_anonymised_profile_is_found_by_no_one(d):
    data_protection.anonymise_person(d.lan, d.users.admin)
    db.session.commit()
    assert pending_count() > 0
    for user in (None, d.users.embassy, d.users.admin):
        result = search(user, q="Schmidt")
        assert result.total == 0 and result.hits == [] and no_counts(result)


# --- counts and pages over indexed and pending results ------------------------------------------


def facet_tally(hits, facet: str) -> Counter:
    tally: Counter = Counter()
    for hit in hits:
        if facet == "country":
            tally[hit["country"]] += 1
        elif facet == "province":
            tally[hit.get("hometown_province") or hit.get("province")] += 1
        elif facet == "kind":
            tally.update(hit.get("kinds") or [hit["type"]])
    return tally


def test_facet_counts_equal_the_hits_while_changes_are_pending(d):
    people_services.set_consent(d.nam, listed=False, contact=True, by=member(d.nam))
    make_contact(d.dung, "public")
    PersonFactory(
        full_name="Phó Đức Khiêm", kinds=["entrepreneur"], country="DE", hometown_province="hue"
    )
    cases = [
        (None, {}),
        (None, {"q": "example"}),
        (None, {"country": "FR"}),
        (None, {"kind": "entrepreneur"}),
        (d.users.embassy, {}),
        (d.users.embassy, {"q": "ky su"}),
    ]
    for user, args in cases:
        result = search(user, per_page="100", **args)
        assert result.total == len(result.hits) > 0, args
        for facet in ("country", "province", "kind"):
            if facet in args:
                continue  # a filtered facet counts its other values too
            assert Counter(result.facets[facet]) == facet_tally(result.hits, facet), (args, facet)


@pytest.mark.parametrize("sort", ["name", "relevance", "updated"])
def test_pages_run_over_indexed_and_pending_results_without_gaps_or_duplicates(d, sort):
    make_contact(d.dung, "public")  # indexed, now pending
    newcomers = [
        PersonFactory(full_name=name, country="FR", hometown_province="hue")
        for name in ("An Văn Bình", "Bế Thị Cúc", "Yên Thị Diệp")
    ]
    everyone = search(sort=sort, per_page="100")
    assert everyone.total == 8 == len(everyone.hits)
    assert {p.id for p in newcomers} <= set(ids(everyone))
    for per_page in (2, 3):
        seen: list[str] = []
        for page in range(1, 6):
            result = search(sort=sort, per_page=str(per_page), page=str(page))
            assert result.total == everyone.total
            seen += ids(result)
        assert seen == ids(everyone)


def test_each_further_change_of_a_pending_profile_is_seen(d):
    make_contact(d.lan, "private")
    assert search(q="lan@example.org").total == 0
    make_contact(d.lan, "public")
    assert ids(search(q="lan@example.org")) == [d.lan.id]
    make_contact(d.lan, "private")
    assert search(q="lan@example.org").total == 0


def test_a_search_inside_a_transaction_rolled_back_later_leaves_nothing_behind(d):
    make_contact(d.lan, "private")
    user = member(d.lan)
    d.lan.visibility_contact = "public"  # not committed: this session sees it
    assert ids(search(q="lan@example.org")) == [d.lan.id]
    db.session.rollback()
    # The next change may be given the id of the row rolled back (SQLite reuses it).
    people_services.set_visibility(d.lan, profile="public", contact="officials", by=user)
    assert search(q="lan@example.org").total == 0
    assert ids(search(d.users.embassy, q="lan@example.org")) == [d.lan.id]


# --- the same matching as the engines -----------------------------------------------------------

QUERIES = [
    "nguyen van dung",
    "Ngyuen Van Dung",
    "Nguyen Van Dnug",
    "tran min",
    "bán dẫn",
    "semiconductor",
    "semiconducter",
    "machine learning",
    "Yên Bái",
    "lao cai",
    "Schmidt",
    "dong huong da nang",
    "zephyrmail",
    "Quasarlab",
    "lan@example.org",
    "solar",
    "kỹ sư thiết kế",
]


def test_pending_documents_match_the_queries_the_engine_matches(d):
    """Evaluated from the database, the directory's documents match exactly what the
    engine finds in the index (which is up to date here)."""
    backend = get_backend()
    synonyms = backend._synonyms_loader()
    keys = {("person", p.id) for p in (d.dung, d.lan, d.quan, d.ha, d.nam)}
    docs = StaleSet(keys=frozenset(keys | {("association", d.association.id)})).documents(
        db.session
    )
    for audience in (Audience(), Audience(level=1, listed_only=False)):
        for text in QUERIES:
            query = SearchQuery(text=text, audience=audience, per_page=100)
            engine = {h.entity_id for h in backend.search(query).hits}
            groups = typed_groups(analyze(text, synonyms))
            here = {doc["entity_id"] for doc in evaluate(docs, query, groups).hits}
            assert here == engine, (text, audience)


# --- highlights come from the records ---------------------------------------------------------


def test_highlights_use_the_text_the_indexed_documents_show(d):
    complete = PersonFactory(
        full_name="Phó Đức Khiêm",
        other_names=["Kevin Pho", "Khiem P."],
        skills=["VLSI", "Verilog"],
        company="Khiem Design",
        education="INSA Lyon",
        website="https://khiem.example.org",
        visibility_profile="officials",
        visibility_contact="officials",
    )
    ctx = documents.Context.load(db.session)
    for record in (d.dung, d.lan, d.quan, d.ha, d.nam, complete):
        doc = person_document(record, ctx)
        expected = {lvl: doc[f"show_{lvl}"] for lvl in documents.LEVELS}
        assert display_text("person", record) == expected
    doc = association_document(d.association, ctx)
    expected = {lvl: doc[f"show_{lvl}"] for lvl in documents.LEVELS}
    assert display_text("association", d.association) == expected


# --- the engines leave out what they are told to ----------------------------------------------


def test_the_engine_leaves_excluded_documents_out_of_hits_totals_and_counts(d):
    backend = get_backend()
    exclude = frozenset({("person", d.lan.id), ("association", d.association.id)})
    response = backend.search(SearchQuery(exclude=exclude, sort="name"))
    assert {h.entity_id for h in response.hits} == {d.dung.id, d.quan.id, d.nam.id}
    assert response.total == 3
    assert response.facets["country"] == {"FR": 2, "US": 1}
    filtered = backend.search(SearchQuery(filters={"country": ["FR"]}, exclude=exclude))
    assert filtered.total == 2
    assert filtered.facets["country"] == {"FR": 2, "US": 1}
    official = Audience(level=1, listed_only=False)
    response = backend.search(SearchQuery(text="quasarlab", audience=official, exclude=exclude))
    assert [h.entity_id for h in response.hits] == [d.quan.id]


# --- more pending changes than evaluated -------------------------------------------------------


def test_beyond_the_limit_each_pending_hit_is_checked_against_the_database(d, app, caplog):
    app.config["SEARCH_STALE_LIMIT"] = 1
    make_contact(d.lan, "private")
    PersonFactory(full_name="Phó Đức Khiêm")
    with caplog.at_level(logging.WARNING):
        result = search(q="lan@example.org")
    assert result.hits == []
    assert "await indexing" in caplog.text
    hit = next(h for h in search(q="lan").hits if h["id"] == d.lan.id)
    assert "email" not in hit["highlights"]


def test_a_change_committed_while_the_search_runs_is_checked_against_the_database(d, monkeypatch):
    make_contact(d.lan, "private")
    # The pending set was read before the change: the engine answers from the old document.
    monkeypatch.setattr(StaleSet, "load", classmethod(lambda cls, session, limit: cls()))
    result = search(q="lan@example.org")
    assert result.hits == []
    hit = next(h for h in search(q="lan").hits if h["id"] == d.lan.id)
    assert "email" not in hit["highlights"]


# --- several searches in one round trip (the needs' recall) -----------------------------------


def test_recall_answers_every_search_as_the_engine_would_one_by_one(d):
    """``recall`` sends its searches together (one multi-search on Meilisearch) and takes
    estimated totals; each list must still be that search's own hits, in order, with a change
    the index has not seen yet applied from the database."""
    from directory.search.services import recall

    searches = [
        ("", {"country": ["FR"]}),
        ("vi mạch", {}),
        ("", {"kind": ["entrepreneur"]}),
        ("lan", {"country": ["DE"]}),
        ("không ai có từ này", {}),
    ]
    together = recall(searches, d.users.province, 50)
    alone = [recall([one], d.users.province, 50)[0] for one in searches]
    assert together == alone
    assert ("person", d.dung.id) in together[1]
    assert together[3] == [("person", d.lan.id)] and together[4] == []
    by_search = {
        q: ids(search(d.users.province, *[(k, v) for k, vs in f.items() for v in vs], q=q))
        for q, f in searches[:2]
    }
    assert [e for _, e in together[1]] == by_search["vi mạch"]

    # A change the index has not seen: found from the database, in both ways.
    people_services.update_person(d.lan, {"title": "Kỹ sư hydro xanh"}, by=member(d.lan))
    assert pending_count() > 0
    searches.append(("hydro xanh", {}))
    together = recall(searches, d.users.province, 50)
    assert together == [recall([one], d.users.province, 50)[0] for one in searches]
    assert together[-1] == [("person", d.lan.id)]
