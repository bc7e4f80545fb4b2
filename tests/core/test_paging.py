"""Paging: every list, HTML or JSON, survives any ``page`` and ``per_page`` without a 500.

HTML lists show the first page for an unusable ``page`` and the last page for one past the
end; the JSON API answers a 400 naming the parameter; the search page and its API keep their
own validation (a 400 naming the parameter as well).
"""

from __future__ import annotations

import inspect
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from directory.accounts.tokens import create_token
from directory.associations import views as association_views
from directory.associations.models import Association
from directory.core import paging
from directory.imports.models import ImportBatch, ImportRow
from directory.needs.models import Need, ShortlistEntry
from directory.representatives.models import Nomination
from tests.factories import AssociationFactory, MissionFactory, PersonFactory, UserFactory

HUGE = "99999999999999999999"
BAD_PAGES = [HUGE, "-1", "0", "abc"]
BAD_PER_PAGES = ["0", str(10**20)]

# Every list, as the role that can see it: endpoint -> (path, role, kind).
# kind: "html" (forgiving: 200), "api" (strict: 400 naming the parameter), "search" (the
# search page validates its own parameters: 400 naming the parameter).
LISTS = {
    "associations.index": ("/associations", "anonymous", "html"),
    "representatives.register": ("/representatives", "anonymous", "html"),
    "people.mission_list": ("/mission/people", "embassy", "html"),
    "representatives.index": ("/nominations", "approver", "html"),
    "initiatives.inbox": ("/initiatives", "approver", "html"),
    "initiatives.mine": ("/initiatives/mine", "member", "html"),
    "initiatives_api.list_initiatives": ("/api/v1/initiatives", "approver", "api"),
    "notices.inbox": ("/inbox", "approver", "html"),
    "contacts.index": ("/contact-requests", "approver", "html"),
    "admin.users": ("/admin/users", "admin", "html"),
    "admin.audit": ("/admin/audit", "admin", "html"),
    "admin.audit_object": ("/admin/audit/users/{admin_id}", "admin", "html"),
    "imports.preview": ("/imports/{batch_id}/preview", "embassy", "html"),
    "search.results": ("/search", "anonymous", "search"),
    "associations_api.list_associations": ("/api/v1/associations", "anonymous", "api"),
    "associations_api.list_memberships": ("/api/v1/memberships", "embassy", "api"),
    "people_api.list_people": ("/api/v1/people", "embassy", "api"),
    "representatives_api.list_nominations": ("/api/v1/nominations", "approver", "api"),
    "representatives_api.list_representatives": ("/api/v1/representatives", "anonymous", "api"),
    "search_api.search": ("/api/v1/search", "anonymous", "api"),
    "needs.index": ("/needs", "anonymous", "html"),
    "needs.detail": ("/needs/{need_id}", "approver", "html"),
    "needs_api.list_needs": ("/api/v1/needs", "anonymous", "api"),
    "needs_api.matches": ("/api/v1/needs/{need_id}/matches", "approver", "api"),
    "needs_api.get_shortlist": ("/api/v1/needs/{need_id}/shortlist", "approver", "api"),
    "contacts_api.list_requests": ("/api/v1/contact-requests", "approver", "api"),
    "businesses.index": ("/businesses", "anonymous", "html"),
    "businesses_api.list_businesses": ("/api/v1/businesses", "anonymous", "api"),
    "savedsearch_api.list_saved_searches": ("/api/v1/saved-searches", "member", "api"),
}


@pytest.fixture
def world(db):
    """A little of everything, so that every list has something to page through."""
    mission = MissionFactory(code="FR-PAR", countries=["FR"])
    people = [PersonFactory(full_name=f"Nguyễn Văn {n}") for n in ("An", "Bình", "Chi")]
    AssociationFactory.create_batch(3)
    db.session.add(
        Nomination(
            province_slug="da-nang",
            person_id=people[0].id,
            country="FR",
            region="",
            rationale="Ứng viên",
            state="active",
        )
    )
    users = SimpleNamespace(
        anonymous=None,
        embassy=UserFactory(role="embassy", mission=mission),
        approver=UserFactory(approver=True),
        admin=UserFactory(admin=True),
        member=UserFactory(role="member"),
    )
    batch = ImportBatch(
        file_name="people.csv",
        mission_id=mission.id,
        uploaded_by_id=users.embassy.id,
        status="ready",
        total_rows=2,
    )
    db.session.add(batch)
    db.session.flush()
    for number in (2, 3):
        db.session.add(ImportRow(batch_id=batch.id, row_number=number, raw={}, values={}))
    need = Need(
        province_slug="da-nang",
        title="Đào tạo thiết kế vi mạch",
        type="training",
        fields=["semiconductors"],
        countries=["FR"],
        audience="public",
    )
    db.session.add(need)
    db.session.flush()
    for person in people:
        db.session.add(ShortlistEntry(need_id=need.id, person_id=person.id))
    db.session.commit()
    return SimpleNamespace(users=users, batch=batch, need=need)


@pytest.fixture
def visit(client, login, db, world):
    """``visit(endpoint, **query)`` -> the response of that list, as the role that sees it."""
    tokens: dict[str, str] = {}

    def do(endpoint: str, **query):
        path, role, kind = LISTS[endpoint]
        path = path.format(
            admin_id=world.users.admin.id, batch_id=world.batch.id, need_id=world.need.id
        )
        user = getattr(world.users, role)
        headers = {"Accept-Language": "en"}
        if user is not None and kind == "api":
            if role not in tokens:
                _token, tokens[role] = create_token(user)
                db.session.commit()
            headers["Authorization"] = f"Bearer {tokens[role]}"
        elif user is not None:
            login(user)
        return client.get(path, query_string=query, headers=headers)

    return do


def assert_survives(response, kind: str, parameter: str) -> None:
    assert response.status_code < 500
    if kind == "html":
        assert response.status_code == 200
    elif kind == "api":
        assert response.status_code == 400
        error = response.get_json()["error"]
        assert error["code"] == "invalid_parameters" and parameter in error["fields"]
    else:
        assert response.status_code == 400
        assert f"<li>{parameter}: " in response.get_data(as_text=True)


@pytest.mark.parametrize("endpoint", sorted(LISTS))
def test_every_list_survives_any_page_and_per_page(visit, endpoint):
    kind = LISTS[endpoint][2]
    assert visit(endpoint).status_code == 200
    for value in BAD_PAGES:
        assert_survives(visit(endpoint, page=value), kind, "page")
    for value in BAD_PER_PAGES:
        assert_survives(visit(endpoint, per_page=value), kind, "per_page")


def test_the_walk_covers_every_paged_view(app):
    """A list added later that pages through the helper (or the search's own) is walked too."""
    markers = ("paging.", "page_args(", "parse_search_args(")
    paged = set()
    for endpoint, view in app.view_functions.items():
        rule = next(app.url_map.iter_rules(endpoint))
        if "GET" not in (rule.methods or ()):
            continue
        try:
            source = inspect.getsource(inspect.unwrap(view))
        except (OSError, TypeError):
            continue
        if any(marker in source for marker in markers):
            paged.add(endpoint)
    assert paged == set(LISTS)


# --- what the forgiving HTML lists show -------------------------------------------------------


@pytest.fixture
def three_associations_two_per_page(db, monkeypatch):
    monkeypatch.setattr(association_views, "PER_PAGE", 2)
    return [
        AssociationFactory(name=name).name
        for name in ("Hội Alpha", "Hội Beta", "Hội Gamma")  # ordered by name
    ]


@pytest.mark.parametrize("page", [HUGE, "3", "10000"])
def test_a_page_past_the_end_shows_the_last_page(client, three_associations_two_per_page, page):
    body = client.get("/associations", query_string={"page": page}).get_data(as_text=True)
    assert "Hội Gamma" in body and "Hội Alpha" not in body
    assert 'rel="prev"' in body and 'rel="next"' not in body


@pytest.mark.parametrize("page", ["abc", "-1", "0", "", "1.5", "٣"])
def test_an_unusable_page_shows_the_first_page(client, three_associations_two_per_page, page):
    body = client.get("/associations", query_string={"page": page}).get_data(as_text=True)
    assert "Hội Alpha" in body and "Hội Beta" in body and "Hội Gamma" not in body
    assert 'rel="next"' in body and 'rel="prev"' not in body


def test_admin_users_past_the_end_shows_the_last_page(client, login, db, monkeypatch):
    from directory.admin import views as admin_views

    monkeypatch.setattr(admin_views, "PER_PAGE", 2)
    admin = UserFactory(admin=True, email="a@example.org")
    UserFactory(email="b@example.org")
    UserFactory(email="c@example.org")
    login(admin)
    body = client.get("/admin/users", query_string={"page": HUGE}).get_data(as_text=True)
    assert "c@example.org" in body and "a@example.org" not in body


def test_api_page_past_the_end_is_empty_with_the_total(client, db):
    AssociationFactory.create_batch(2)
    response = client.get("/api/v1/associations", query_string={"page": paging.MAX_PAGE})
    assert response.status_code == 200
    body = response.get_json()
    assert body["items"] == [] and body["total"] == 2 and body["page"] == paging.MAX_PAGE


# --- the helper itself -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        (None, 1),
        ("", 1),
        ("abc", 1),
        ("-1", 1),
        ("0", 1),
        ("1.5", 1),
        ("1e3", 1),
        ("٣", 1),  # not an ASCII digit
        ("7", 7),
        (" 7 ", 7),
        ("007", 7),
        (HUGE, paging.MAX_PAGE),
        ("9" * 5000, paging.MAX_PAGE),
    ],
)
def test_requested_page_is_forgiving(app, raw, expected):
    args = {} if raw is None else {"page": raw}
    assert paging.requested_page(args) == expected


@pytest.mark.parametrize(
    "args, fields",
    [
        ({"page": HUGE}, {"page"}),
        ({"page": "-1"}, {"page"}),
        ({"page": "0"}, {"page"}),
        ({"page": "abc"}, {"page"}),
        ({"page": ""}, {"page"}),
        ({"per_page": "0"}, {"per_page"}),
        ({"per_page": str(10**20)}, {"per_page"}),
        ({"per_page": "101"}, {"per_page"}),
        ({"page": "x", "per_page": "y"}, {"page", "per_page"}),
    ],
)
def test_api_args_name_each_bad_parameter(app, args, fields):
    with pytest.raises(paging.InvalidPaging) as refused:
        paging.api_args(args, max_per_page=100)
    assert set(refused.value.fields) == fields


def test_api_args_defaults_and_bounds(app):
    assert paging.api_args({}, max_per_page=100) == (1, 20)
    assert paging.api_args({"page": "3", "per_page": "100"}, max_per_page=100) == (3, 100)
    assert paging.api_args({"page": str(paging.MAX_PAGE)}) == (paging.MAX_PAGE, 20)


def test_fetch_loads_the_last_page_when_asked_past_the_end(app):
    rows = list(range(5))
    calls = []

    def load(page):
        calls.append(page)
        return rows[(page - 1) * 2 : page * 2], len(rows)

    page = paging.fetch(load, 2, {"page": HUGE})
    assert (page.page, page.pages, list(page.items), page.total) == (3, 3, [4], 5)
    assert calls == [paging.MAX_PAGE, 3]


def test_an_empty_list_is_page_one_of_one(app, db):
    page = paging.paginate(sa.select(Association), 20, {"page": HUGE})
    assert (page.page, page.pages, page.total, list(page.items), page.offset) == (1, 1, 0, [], 0)


def test_page_of_gives_exactly_the_page_asked_and_the_total(db):
    for name in ("Hội Alpha", "Hội Beta", "Hội Gamma"):
        AssociationFactory(name=name)
    stmt = sa.select(Association).order_by(Association.name)

    second = paging.page_of(stmt, 2, 2)
    beyond = paging.page_of(stmt, 5, 2)

    assert ([a.name for a in second.items], second.total, second.page) == (["Hội Gamma"], 3, 2)
    assert (list(beyond.items), beyond.total, beyond.page) == ([], 3, 5)
