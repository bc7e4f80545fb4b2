"""A hometown is shown once: the wording the person gave only when it says more than the name."""

from __future__ import annotations

import pytest

from tests.factories import PersonFactory


@pytest.fixture
def people(app, sync):
    same = PersonFactory(
        full_name="Hồ Văn Nghĩa", hometown_province="nghe-an", hometown_as_given="Tỉnh Nghệ An"
    )
    legacy = PersonFactory(
        full_name="Phan Thị Nhàn", hometown_province="da-nang", hometown_as_given="Quảng Nam"
    )
    sync()
    return same, legacy


def test_search_results_do_not_repeat_the_province_name(client, people):
    html = client.get("/search", headers={"Accept-Language": "vi"}).get_data(as_text=True)
    assert "Hồ Văn Nghĩa" in html and "Phan Thị Nhàn" in html
    assert "Quê quán: Nghệ An" in html and "Tỉnh Nghệ An" not in html
    assert "Quê quán: Đà Nẵng (Quảng Nam)" in html


def test_the_profile_shows_the_given_wording_only_when_it_differs(client, people):
    same, legacy = people
    html = client.get(f"/people/{same.id}", headers={"Accept-Language": "vi"}).get_data(
        as_text=True
    )
    assert "Nghệ An" in html and "Tỉnh Nghệ An" not in html
    html = client.get(f"/people/{legacy.id}", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert "Da Nang" in html and "given as Quảng Nam" in html
