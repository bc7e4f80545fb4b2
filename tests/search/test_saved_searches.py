"""Saved searches (pages), the shared link of a search, and the search page's export."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from directory.audit import AuditEvent
from directory.core.errors import ValidationError
from directory.core.models import utcnow
from directory.extensions import db
from directory.savedsearch import services
from directory.savedsearch.models import SavedSearch
from directory.search.services import VIETNAM
from tests.factories import PersonFactory, UserFactory
from tests.search.data import build_directory

EN = {"Accept-Language": "en"}


@pytest.fixture
def d(app, sync):
    data = build_directory()
    sync()
    return data


@pytest.fixture
def login(login, client):
    """Signed in, and reading English (the account's language would win over the browser's)."""

    def sign_in(user, lang: str = "en"):
        login(user)
        with client.session_transaction() as sess:
            sess["lang"] = lang
        return client

    return sign_in


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _saved(user) -> list[SavedSearch]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(SavedSearch).where(SavedSearch.user_id == user.id)))


def _hit_names(html: str) -> set[str]:
    return {
        unescape(re.sub(r"<[^>]+>", "", m)).strip()
        for m in re.findall(r'<h3 class="hit-title">(.*?)</h3>', html, re.S)
    }


# --- the shared link ------------------------------------------------------------------------


def _form_state(html: str) -> dict[str, list[str]]:
    """What submitting the search form sends: checked boxes, hidden inputs, the box, the sort."""
    form = html[html.index('id="search-form"') :]
    state: dict[str, list[str]] = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if not name:
            continue
        kind = re.search(r'type="([^"]+)"', tag)
        if kind and kind.group(1) == "checkbox" and " checked" not in tag:
            continue
        state.setdefault(name.group(1), []).append(unescape(value.group(1) if value else ""))
    sort = re.search(r'<option value="([^"]+)" selected>', form)
    state["sort"] = [sort.group(1) if sort else "relevance"]
    return {k: v for k, v in state.items() if any(v)}


def test_every_filter_round_trips_through_the_form_and_the_share_link(client, d, login):
    login(d.users.embassy)
    url = (
        "/search?q=vi+m%E1%BA%A1ch&kind=expert&field=semiconductors&country=FR&province=da-nang"
        "&language=fr&verified=true&added_since=2020-01-01&sort=name&page=1&per_page=5"
    )
    html = client.get(url, headers=EN).get_data(as_text=True)

    state = _form_state(html)
    assert state == {
        "q": ["vi mạch"],
        "kind": ["expert"],
        "field": ["semiconductors"],
        "country": ["FR"],
        "province": ["da-nang"],
        "language": ["fr"],
        "verified": ["true"],
        "added_since": ["2020-01-01"],
        "sort": ["name"],
        "per_page": ["5"],
    }
    share = unescape(
        re.search(r'id="share-url" type="url" readonly value="([^"]+)"', html).group(1)
    )
    assert share.startswith("http://localhost/search?")
    shared = parse_qs(urlsplit(share).query)
    assert shared == {k: v for k, v in parse_qs(urlsplit(url).query).items()}
    # Resubmitting the form finds the same people as the link.
    again = client.get("/search", query_string=state, headers=EN).get_data(as_text=True)
    assert _hit_names(again) == _hit_names(html) == {"Nguyễn Văn Dũng"}


def test_the_share_link_carries_the_page(client, d):
    html = client.get("/search?kind=expert&per_page=1&page=2", headers=EN).get_data(as_text=True)
    share = unescape(re.search(r'id="share-url"[^>]*value="([^"]+)"', html).group(1))
    assert parse_qs(urlsplit(share).query) == {"kind": ["expert"], "per_page": ["1"], "page": ["2"]}
    # The share box needs no script: a <details> with a plain link and an input without a name.
    assert '<details class="share-search">' in html
    assert re.search(r'<a href="http://localhost/search\?[^"]*page=2[^"]*" rel="nofollow">', html)


def test_a_shared_link_shows_what_the_viewer_may_see_not_what_the_sharer_saw(client, d, login):
    url = "/search?field=semiconductors"
    login(d.users.embassy)
    official = _hit_names(client.get(url, headers=EN).get_data(as_text=True))
    client.post("/logout")
    with client.session_transaction() as sess:
        sess.clear()
    anonymous = _hit_names(client.get(url, headers=EN).get_data(as_text=True))

    assert "Lê Thu Hà" in official  # unlisted: officials only
    assert "Lê Thu Hà" not in anonymous
    assert "Nguyễn Văn Dũng" in anonymous


# --- saving ---------------------------------------------------------------------------------


def test_an_anonymous_visitor_is_not_offered_saving_and_is_sent_to_sign_in(client, d):
    html = client.get("/search?q=dung", headers=EN).get_data(as_text=True)
    assert "Save this search" not in html
    response = client.get("/search/saved/new?q=dung")
    assert response.status_code in (302, 401)


def test_a_member_saves_the_current_search_with_its_filters(client, d, login):
    member = d.users.other_member
    login(member)
    html = client.get("/search?q=dung&country=FR&kind=expert&page=1", headers=EN).get_data(
        as_text=True
    )
    link = unescape(re.search(r'href="(/search/saved/new\?[^"]+)">Save this search', html).group(1))
    assert "page=" not in link
    form = client.get(link, headers=EN)
    assert form.status_code == 200
    page = form.get_data(as_text=True)
    assert "France" in page and "Expert" in page  # labels, not codes

    response = client.post(link, data={"name": "  Experts in France ", "csrf_token": _csrf(page)})

    assert response.status_code == 302
    (saved,) = _saved(member)
    assert saved.name == "Experts in France"
    assert saved.query == {"q": "dung", "kind": ["expert"], "country": ["FR"]}


def test_saving_refuses_an_empty_or_taken_name_and_writes_nothing(client, d, login):
    member = d.users.other_member
    services.save_search(member, "Mine", {"q": "lan"})
    login(member)
    page = client.get("/search/saved/new?q=dung", headers=EN).get_data(as_text=True)

    empty = client.post("/search/saved/new?q=dung", data={"name": " ", "csrf_token": _csrf(page)})
    taken = client.post(
        "/search/saved/new?q=dung", data={"name": "mine", "csrf_token": _csrf(page)}, headers=EN
    )

    assert empty.status_code == taken.status_code == 422
    assert "You already have a saved search with this name." in taken.get_data(as_text=True)
    assert [s.name for s in _saved(member)] == ["Mine"]


def test_saving_without_the_csrf_token_is_refused(client, d, login, app):
    app.config["WTF_CSRF_ENABLED"] = True
    login(d.users.other_member)
    response = client.post("/search/saved/new?q=dung", data={"name": "x"})
    assert response.status_code == 400
    assert _saved(d.users.other_member) == []


def test_invalid_search_parameters_are_not_saved(client, d, login):
    login(d.users.other_member)
    page = client.get("/search/saved/new?country=Atlantis", headers=EN)
    assert page.status_code == 400
    assert "Unknown value: Atlantis" in page.get_data(as_text=True)
    with pytest.raises(ValidationError) as refused:
        services.save_search(d.users.other_member, "x", {"country": "Atlantis"})
    assert set(refused.value.fields) == {"country"}
    assert _saved(d.users.other_member) == []


def test_the_list_opens_renames_and_deletes_ones_own(client, d, login):
    member = d.users.other_member
    saved = services.save_search(member, "Semis", {"field": "semiconductors", "sort": "name"})
    login(member)
    page = client.get("/search/saved", headers=EN)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Semis" in html and "Semiconductors" in html

    opened = client.get(f"/search/saved/{saved.id}")
    assert opened.status_code == 302
    assert parse_qs(urlsplit(opened.headers["Location"]).query) == {
        "field": ["semiconductors"],
        "sort": ["name"],
    }
    assert _saved(member)[0].last_opened_at is not None

    renamed = client.post(
        f"/search/saved/{saved.id}/rename", data={"name": "Chips", "csrf_token": _csrf(html)}
    )
    assert renamed.status_code == 302 and _saved(member)[0].name == "Chips"
    deleted = client.post(f"/search/saved/{saved.id}/delete", data={"csrf_token": _csrf(html)})
    assert deleted.status_code == 302 and _saved(member) == []


def test_nobody_else_opens_renames_or_deletes_it_not_even_the_admin(client, d, login):
    saved = services.save_search(d.users.other_member, "Mine", {"q": "lan"})
    for user in (d.users.admin, d.users.embassy):
        login(user)
        html = client.get("/search/saved", headers=EN).get_data(as_text=True)
        assert "Mine" not in html
        assert client.get(f"/search/saved/{saved.id}").status_code == 404
        token = _csrf(html)
        rename = client.post(
            f"/search/saved/{saved.id}/rename", data={"name": "x", "csrf_token": token}
        )
        delete = client.post(f"/search/saved/{saved.id}/delete", data={"csrf_token": token})
        assert rename.status_code == delete.status_code == 404
    (kept,) = _saved(d.users.other_member)
    assert (kept.name, kept.last_opened_at) == ("Mine", None)


def test_new_since_last_opened_counts_what_the_owner_may_see(client, d, login, sync):
    official = d.users.embassy
    saved = services.save_search(official, "Semis", {"field": "semiconductors"})
    saved.last_opened_at = utcnow() - timedelta(days=2)
    db.session.commit()
    PersonFactory(full_name="Phan Văn Mới", fields=["semiconductors"], consent_listed=False)
    sync()
    login(official)

    html = client.get("/search/saved", headers=EN).get_data(as_text=True)

    # Everyone of the small directory was created today, after "two days ago": 2 visible before
    # (Dũng, Hà: officials see the unlisted) and the new one.
    assert re.search(r">\s*3 new since", html)
    link = unescape(re.search(r'href="(/search/saved/[^"]+new=1)"', html).group(1))
    target = client.get(link).headers["Location"]
    assert parse_qs(urlsplit(target).query)["added_since"] == [
        (utcnow() - timedelta(days=2)).astimezone(VIETNAM).date().isoformat()
    ]


def test_the_account_menu_and_the_search_page_link_to_the_list(client, d, login):
    login(d.users.other_member)
    html = client.get("/search?q=lan", headers=EN).get_data(as_text=True)
    assert html.count('href="/search/saved"') >= 2  # the account menu and the search page


def test_the_pages_speak_vietnamese(client, d, login):
    services.save_search(d.users.other_member, "Của tôi", {"q": "lan"})
    login(d.users.other_member, "vi")
    html = client.get("/search/saved").get_data(as_text=True)
    assert "My saved searches" not in html and "Rename" not in html


def test_closing_the_account_deletes_its_saved_searches(d):
    from directory.people.data_protection import delete_account

    member = d.users.ha
    services.save_search(member, "Mine", {"q": "lan"})
    services.save_search(d.users.other_member, "Theirs", {"q": "lan"})

    delete_account(member)

    assert _saved(member) == []
    assert len(_saved(d.users.other_member)) == 1


def test_the_data_download_holds_the_members_saved_searches(d):
    from directory.people.data_protection import export_person_data

    services.save_search(d.users.ha, "Chips", {"field": "Bán dẫn", "country": "Pháp"})

    data = export_person_data(d.ha, d.users.ha)

    (item,) = data["saved_searches"]
    assert item["name"] == "Chips"
    assert item["query"] == {"field": ["semiconductors"], "country": ["FR"]}


# --- the export of a search -----------------------------------------------------------------


def _export_rows(client, query: str) -> list[list[str]]:
    body = client.get(f"/imports/exports/search.csv?{query}", headers=EN).data
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))[1:]


@pytest.mark.parametrize(
    "query",
    ["country=FR", "q=dung", "kind=expert&kind=association", "field=semiconductors", ""],
)
def test_the_export_holds_exactly_the_count_the_search_page_offers(client, d, login, query):
    login(d.users.embassy)
    html = client.get(f"/search?{query}", headers=EN).get_data(as_text=True)
    offered = int(re.search(r'data-export-count="(\d+)"', html).group(1))
    href = unescape(re.search(r'href="(/imports/exports/search\.csv[^"]*)"', html).group(1))

    rows = _export_rows(client, urlsplit(href).query)

    assert len(rows) == offered
    total = int(re.search(r"(\d+) results?", html).group(1))
    if "country=FR" in query or query == "":
        assert offered == total - 1  # the association in France is a result, not a row
        assert "people among these results" in html
    (event,) = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "export").order_by(AuditEvent.at.desc())
    ).all()[:1]
    assert event.details["count"] == offered


def test_the_export_event_keeps_the_searchs_filters(client, d, login):
    login(d.users.embassy)
    rows = _export_rows(
        client, "q=vi+mach&country=Ph%C3%A1p&kind=expert&sort=name&added_since=2020-01-01"
    )

    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "export")).one()
    assert event.details["search"] == {
        "q": "vi mach",
        "filters": {"kind": ["expert"], "country": ["FR"]},
        "sort": "name",
        "added_since": "2020-01-01",
    }
    assert event.details["count"] == len(rows) and "Nguyễn Văn Dũng" in {r[0] for r in rows}


def test_the_export_follows_the_exporters_visibility(client, d, login):
    other = UserFactory(role="province", province_slug="ha-noi")
    login(other)
    rows = _export_rows(client, "field=semiconductors")
    names = {r[0] for r in rows}
    assert "Lê Thu Hà" in names  # officials see unlisted profiles
    assert all("zephyrmail" not in cell for r in rows for cell in r)  # private contact stays out


def test_odd_parameter_names_neither_break_the_share_box_nor_reach_the_saved_search(
    client, d, login
):
    login(d.users.other_member)
    url = "/search?q=lan&endpoint=x&_external=1&_anchor=y&page=1"
    response = client.get(url, headers=EN)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    share = unescape(re.search(r'id="share-url"[^>]*value="([^"]+)"', html).group(1))
    assert "endpoint=x" in share  # the link is the page's own address
    link = unescape(re.search(r'href="(/search/saved/new\?[^"]+)">Save this search', html).group(1))
    assert parse_qs(urlsplit(link).query) == {"q": ["lan"]}
