"""A member previews their own profile as the public and as an official see it.

The preview is decided by the same policy as the real viewers' pages (``visible_groups`` for a
stand-in viewer), so it shows exactly what they are shown.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from directory.audit import AuditEvent

VALUES = {
    "title": "Kỹ sư trưởng thiết kế",
    "organization": "STMicroelectronics Grenoble",
    "city": "Grenoble",
    "bio": "Hai mươi năm thiết kế vi mạch.",
    "email": "tuan.hoang@example.net",
    "phone": "+33612345678",
    "website": "https://tuan.example.net",
}


def _article(html: str) -> str:
    match = re.search(r"<article class=\"person\".*?</article>", html, re.S)
    assert match, html[:500]
    return match.group(0)


def _shown(html: str) -> dict[str, bool]:
    article = _article(html)
    return {field: value in article for field, value in VALUES.items()}


@pytest.fixture
def owned(cast, db):
    person = cast.owned
    for field, value in VALUES.items():
        setattr(person, field, value)
    person.visibility_profile, person.visibility_contact = "officials", "private"
    db.session.commit()
    return person


def test_the_public_preview_hides_exactly_what_an_anonymous_visitor_is_not_shown(
    client, cast, owned, login, db
):
    anonymous = client.get(f"/people/{owned.id}").get_data(as_text=True)
    login(cast.owner)
    response = client.get(f"/people/{owned.id}?as=public")
    assert response.status_code == 200
    preview = response.get_data(as_text=True)
    assert _shown(preview) == _shown(anonymous)
    assert not any(_shown(preview).values())  # the professional profile is for officials
    assert _article(preview) == _article(anonymous)
    assert "Xem trước" in preview or "Preview" in preview
    assert f'href="/people/{owned.id}"' in preview.split("</header>", 1)[1]  # back link

    # Made public, the profile shows the same in both.
    owned.visibility_profile = "public"
    db.session.commit()
    anonymous_client = client.application.test_client()
    anonymous = anonymous_client.get(f"/people/{owned.id}").get_data(as_text=True)
    preview = client.get(f"/people/{owned.id}?as=public").get_data(as_text=True)
    assert _shown(preview) == _shown(anonymous)
    assert _shown(preview)["title"] and not _shown(preview)["email"]


def test_the_official_preview_shows_what_an_unrelated_official_is_shown(
    client, cast, owned, login, db
):
    login(cast.other_officer)
    official = client.get(f"/people/{owned.id}").get_data(as_text=True)
    login(cast.owner)
    preview = client.get(f"/people/{owned.id}?as=official").get_data(as_text=True)
    assert _shown(preview) == _shown(official)
    assert _shown(preview)["title"] and not _shown(preview)["phone"]
    # No action of the owner nor of an official is offered in a preview.
    assert f"/people/{owned.id}/edit" not in _article(preview)
    assert "/contact-requests" not in _article(preview)
    # The owner's preview is not a view of contact details by an official.
    assert not db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "person.contact_view")
    ).all()


def test_the_owner_sees_everything_and_links_to_both_previews(client, cast, owned, login):
    login(cast.owner)
    html = client.get(f"/people/{owned.id}").get_data(as_text=True)
    assert all(_shown(html).values())
    assert f"/people/{owned.id}?as=public" in html and f"/people/{owned.id}?as=official" in html
    mine = client.get("/people/me").get_data(as_text=True)
    assert f"/people/{owned.id}?as=public" in mine and f"/people/{owned.id}?as=official" in mine


def test_an_unlisted_profile_previewed_as_the_public_says_it_is_not_shown(
    client, cast, owned, login, db
):
    owned.consent_listed = False
    db.session.commit()
    assert client.get(f"/people/{owned.id}").status_code == 404
    login(cast.owner)
    response = client.get(f"/people/{owned.id}?as=public")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<article class="person"' not in html
    assert VALUES["title"] not in html


def test_only_the_owner_gets_a_preview(client, cast, owned, login):
    login(cast.embassy)  # the registering side sees more than the public: no preview for them
    html = client.get(f"/people/{owned.id}?as=public").get_data(as_text=True)
    assert "preview-banner" not in html
    login(cast.owner)
    html = client.get(f"/people/{owned.id}?as=whatever").get_data(as_text=True)
    assert "preview-banner" not in html and all(_shown(html).values())
