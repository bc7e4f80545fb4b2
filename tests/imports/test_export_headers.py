"""The exact HTTP headers of the export downloads (CSV and XLSX), for every kind of export."""

from __future__ import annotations

import pytest

from tests.factories import AssociationFactory, MembershipFactory, PersonFactory

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def export_urls(db):
    association = AssociationFactory(country="FR")
    MembershipFactory(association=association, person=PersonFactory(full_name="Lê Minh Đức"))
    return {
        "mission": "/imports/exports/mission",
        "association": f"/imports/exports/associations/{association.id}",
        "search": "/imports/exports/search",
    }


@pytest.mark.parametrize("kind", ["mission", "association", "search"])
@pytest.mark.parametrize(
    "fmt, content_type",
    [("csv", "text/csv; charset=utf-8"), ("xlsx", XLSX)],
)
def test_export_content_type_is_exact_with_one_charset(
    client, login, officer, export_urls, kind, fmt, content_type
):
    login(officer)
    response = client.get(f"{export_urls[kind]}.{fmt}")
    assert response.status_code == 200
    assert response.headers.getlist("Content-Type") == [content_type]
    assert response.headers["Content-Disposition"].startswith('attachment; filename="')
    assert response.headers["Content-Disposition"].endswith(f'.{fmt}"')
    assert response.headers["Cache-Control"] == "no-store"
