"""Hostile text in every free-text field comes back escaped on every page that shows it.

The records are written through the JSON API (as each role would), with a corpus of script
injections in every free-text field; then every page that shows them is read as each viewer
who may see them, and no payload may appear as markup. Links a member gives must stay http(s).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from directory.accounts.tokens import create_token
from directory.extensions import db
from tests.factories import make_cast

# Each payload is refused as markup when it appears unescaped: the marker is what must never
# reach a page as it was typed.
PAYLOADS = [
    '<script>alert("x1")</script>',
    '"><img src=x onerror=alert(2)>',
    "'><svg onload=alert(3)>",
    "</textarea><iframe src=javascript:alert(4)>",
    '<a href="javascript:alert(5)">x</a>',
]
MARKERS = ["<script>alert(", "<img src=x", "<svg onload", "<iframe src", 'href="javascript:']


def text(n: int, base: str) -> str:
    """A valid value with payload ``n`` inside (some fields need letters around it)."""
    return f"{base} {PAYLOADS[n % len(PAYLOADS)]} {base}"


@pytest.fixture
def world(app, client):
    cast = make_cast()
    db.session.commit()

    def headers(user):
        _token, raw = create_token(user)
        db.session.commit()
        return {"Authorization": f"Bearer {raw}", "Accept-Language": "en"}

    # The member writes their own profile (public, listed), every free-text field hostile.
    person_id = cast.owned.id
    person = client.patch(
        f"/api/v1/people/{person_id}",
        json={
            "full_name": text(0, "Nguyễn Văn"),
            "city": text(1, "Paris"),
            "title": text(2, "Kỹ sư"),
            "organization": text(3, "CNRS"),
            "bio": text(4, "Chuyên gia"),
            "education": text(0, "Grenoble INP"),
            "skills": [text(1, "VLSI")],
            "other_names": [text(2, "Jean")],
            "company": text(3, "Startup"),
            "consent_listed": True,
            "visibility": {"profile": "public", "contact": "officials"},
        },
        headers=headers(cast.owner),
    )
    assert person.status_code == 200, person.get_json()
    association = client.post(
        "/api/v1/associations",
        json={
            "name": text(1, "Hội đồng hương"),
            "kind": "hometown",
            "province": "Đà Nẵng",
            "country": "FR",
            "description": text(2, "Hội"),
        },
        headers=headers(cast.embassy),
    )
    assert association.status_code == 201, association.get_json()
    need = client.post(
        "/api/v1/needs",
        json={
            "title": text(3, "Đào tạo vi mạch"),
            "description": text(4, "Mô tả"),
            "type": "training",
            "fields": ["semiconductors"],
            "countries": ["FR"],
            "milestones": [{"title": text(0, "Khóa đầu"), "due": "2027-01-15"}],
            "deadline": (date.today() + timedelta(days=30)).isoformat(),
            "audience": "public",
        },
        headers=headers(cast.officer),
    )
    assert need.status_code == 201, need.get_json()
    need_id = need.get_json()["id"]
    member = headers(cast.member)
    initiative = client.post(
        "/api/v1/initiatives",
        json={
            "province": "da-nang",
            "title": text(1, "Sáng kiến"),
            "fields": ["semiconductors"],
            "text": text(2, "Nội dung"),
            "links": ["https://example.org/plan"],
        },
        headers=member,
    )
    assert initiative.status_code == 201, initiative.get_json()
    initiative_id = initiative.get_json()["id"]
    officer = headers(cast.officer)
    base = f"/api/v1/initiatives/{initiative_id}"
    for action, body in (
        ("note", {"text": text(3, "Ghi chú")}),
        ("triage", {}),
        ("assign", {"assignee_id": cast.officer.id}),
        ("review", {}),
        ("answer", {"answer": text(4, "Trả lời")}),
    ):
        response = client.post(f"{base}/{action}", json=body, headers=officer)
        assert response.status_code in (200, 201), (action, response.get_json())
    request = client.post(
        "/api/v1/contact-requests",
        json={
            "person_id": cast.member_person.id,
            "message": text(0, "Xin chào"),
            "need_id": need_id,
        },
        headers=officer,
    )
    assert request.status_code == 201, request.get_json()
    return cast, person_id, association.get_json()["id"], need_id, initiative_id


def test_hostile_text_is_escaped_on_every_page_that_shows_it(client, login, world):
    cast, person_id, association_id, need_id, initiative_id = world
    pages = {
        None: [
            f"/people/{person_id}",
            "/search?q=Nguyen+Van",
            "/search?q=script+alert",
            f"/associations/{association_id}",
            f"/needs/{need_id}",
            "/needs",
            "/",
        ],
        "embassy": [f"/people/{person_id}", "/mission/people", "/search?q=Nguyen+Van"],
        "owner": [f"/people/{person_id}/edit", "/people/me", "/people/me/privacy"],
        "officer": [
            f"/people/{person_id}",
            f"/needs/{need_id}",
            f"/initiatives/{initiative_id}",
            "/initiatives",
            "/inbox",
            "/dashboard/province/da-nang",
            "/contact-requests",
        ],
        "member": [f"/initiatives/{initiative_id}", "/inbox", "/contact-requests"],
        "admin": ["/admin/audit", "/dashboard/overview", f"/people/{person_id}"],
    }
    checked = 0
    for role, urls in pages.items():
        if role is not None:  # the anonymous visitor comes first
            login(cast[role])
        for url in urls:
            response = client.get(url, headers={"Accept-Language": "en"})
            assert response.status_code == 200, (role, url, response.status_code)
            html = response.get_data(as_text=True)
            if any(p in html for p in ("&lt;script&gt;", "&lt;img", "&lt;svg", "&lt;iframe")):
                checked += 1
            assert_no_markup(html, f"{url} as {role}")
    assert checked >= 15  # the payloads were on the pages, escaped


def assert_no_markup(html: str, where: str) -> None:
    for marker in MARKERS:
        assert marker not in html, f"{marker!r} unescaped on {where}"


@pytest.mark.parametrize(
    "link", ["javascript:alert(1)", "data:text/html,<script>", "  JaVaScRiPt:x"]
)
def test_links_other_than_http_are_refused(client, world, link):
    cast, person_id, *_rest = world
    _token, raw = create_token(cast.owner)
    db.session.commit()
    response = client.patch(
        f"/api/v1/people/{person_id}",
        json={"website": link},
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code in (400, 422), response.get_json()
    page = client.get(f"/people/{person_id}").get_data(as_text=True)
    assert not re.search(r'href="\s*(javascript|data):', page, re.I)
