"""The home page: what the directory is, its figures (equal to the searches they link to),
the newest open needs the visitor may read and the first entries of the public register."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from directory.core.models import utcnow
from directory.extensions import db
from directory.needs.models import Need
from directory.representatives.models import Nomination
from tests.factories import make_cast

FIGURE = re.compile(r'<a class="figure" href="([^"]+)"><strong class="figure-value">(\d+)</strong>')


def _need(cast, title: str, audience: str) -> Need:
    need = Need(
        province_slug="da-nang",
        title=title,
        type="training",
        fields=["semiconductors"],
        countries=["FR"],
        milestones=[],
        deadline=date.today() + timedelta(days=60),
        audience=audience,
        status="open",
        created_by_id=cast.officer.id,
    )
    db.session.add(need)
    return need


@pytest.fixture
def cast(app):
    cast = make_cast()
    _need(cast, "Đào tạo thiết kế vi mạch", "public")
    _need(cast, "Danh sách nội bộ chuyên gia", "officials")
    db.session.add(
        Nomination(
            province_slug="da-nang",
            person_id=cast.nominee_person.id,
            country="FR",
            region="",
            rationale="Chuyên gia vi mạch.",
            state="active",
            created_by_id=cast.officer.id,
            submitted_at=utcnow(),
        )
    )
    db.session.commit()
    return cast


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        ("en", ("How it works", "In the directory", "What the provinces are looking for")),
        ("vi", ("Cách thức hoạt động", "Trong danh bạ", "Các tỉnh, thành phố đang tìm gì")),
    ],
)
def test_the_home_explains_counts_and_shows_public_needs_and_representatives(
    client, cast, locale, words
):
    html = client.get("/", headers={"Accept-Language": locale}).get_data(as_text=True)
    for word in words:
        assert word in html
    assert "Đào tạo thiết kế vi mạch" in html
    assert "Danh sách nội bộ chuyên gia" not in html  # officials only
    assert "Nguyễn Văn Dũng" in html and "/representatives" in html
    assert "/signup" in html
    figures = FIGURE.findall(html)
    assert len(figures) == 5
    for href, value in figures[:3]:
        found = client.get(href.replace("&amp;", "&"), headers={"Accept": "text/html"})
        count = re.search(r'class="result-count">(\d+)', found.get_data(as_text=True))
        assert count and int(count.group(1)) == int(value), href


def test_officials_see_the_needs_they_may_read_and_no_invitation_to_join(client, cast, login):
    html = login(cast.officer).get("/").get_data(as_text=True)
    assert "Danh sách nội bộ chuyên gia" in html
    assert 'href="/signup"' not in html.split('id="home-how-title"')[1]


def test_an_empty_directory_shows_no_empty_sections(client, app):
    html = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "How it works" in html
    assert "In the directory" not in html and "What the provinces are looking for" not in html
