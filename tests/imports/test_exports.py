"""Exports: CSV with BOM and XLSX, only what the exporter may see, formulas neutralised, audited."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from directory.audit import AuditEvent
from directory.imports.exports import neutralise
from tests.factories import AssociationFactory, MembershipFactory, PersonFactory, UserFactory


@pytest.mark.parametrize(
    "value, expected",
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+33612345678", "'+33612345678"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Nguyễn Văn An", "Nguyễn Văn An"),
        ("a=b", "a=b"),
        (None, ""),
        (1980, "1980"),
    ],
)
def test_formula_cells_are_neutralised(value, expected):
    assert neutralise(value) == expected


def read_csv(response) -> list[list[str]]:
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")  # BOM: Excel shows Vietnamese correctly
    return list(csv.reader(io.StringIO(body[3:].decode("utf-8"))))


def test_mission_contacts_csv_holds_only_visible_groups(client, login, db, officer, mission):
    PersonFactory(
        full_name="Nguyễn Văn An",
        email="an@example.fr",
        phone="+33612345678",
        visibility_contact="private",
        visibility_profile="officials",
        organization="CNRS",
    )
    PersonFactory(
        full_name="=cmd|' /C calc'!A0",
        email="open@example.fr",
        visibility_contact="officials",
        organization="@evil",
    )
    PersonFactory(full_name="Ở Đức", country="DE")
    login(officer)
    client.post("/lang/en")
    response = client.get("/imports/exports/mission.csv")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    rows = read_csv(response)
    header, data = rows[0], rows[1:]
    assert header[:3] == ["full_name", "other_names", "kinds"]
    by_name = {r[0]: dict(zip(header, r, strict=True)) for r in data}
    assert set(by_name) == {"Nguyễn Văn An", "'=cmd|' /C calc'!A0"}  # DE is not the mission's
    an = by_name["Nguyễn Văn An"]
    assert an["email"] == "" and an["phone"] == ""  # private contact: not for this officer
    assert an["organization"] == "CNRS"
    other = by_name["'=cmd|' /C calc'!A0"]
    assert other["email"] == "open@example.fr"
    assert other["phone"] == "'+33612345678"
    assert other["organization"] == "'@evil"
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "export"))
    assert event.details == {"kind": "mission", "format": "csv", "count": 2}
    assert event.object_id == mission.id and event.actor_id == officer.id


def test_registering_mission_sees_private_contacts(client, login, db, officer, mission):
    PersonFactory(
        email="an@example.fr",
        visibility_contact="private",
        provenance="import",
        provenance_mission_id=mission.id,
    )
    login(officer)
    client.post("/lang/en")
    header, row = read_csv(client.get("/imports/exports/mission.csv"))
    assert dict(zip(header, row, strict=True))["email"] == "an@example.fr"


def test_mission_contacts_xlsx(client, login, db, officer):
    PersonFactory(full_name="Trần Thị Hương", organization="=1+1")
    login(officer)
    response = client.get("/imports/exports/mission.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data()), read_only=True).active
    rows = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "Họ và tên"  # Vietnamese headers for a Vietnamese reader
    assert rows[1][0] == "Trần Thị Hương"
    assert "'=1+1" in rows[1]
    assert (
        db.session.scalar(sa.select(AuditEvent.details).where(AuditEvent.action == "export"))[
            "format"
        ]
        == "xlsx"
    )


def test_another_missions_officer_cannot_export_this_mission(client, login, other_officer, mission):
    login(other_officer)
    assert client.get("/imports/exports/mission.csv?mission=PARIS").status_code == 403


def test_members_and_province_officers_cannot_export(client, login, db):
    login(UserFactory(role="member"))
    assert client.get("/imports/exports/mission.csv").status_code == 404
    assert client.get("/imports/exports").status_code == 403


def test_association_members_export_with_roles(client, login, db, officer):
    association = AssociationFactory(country="FR", province_slug="da-nang")
    MembershipFactory(
        association=association, role="president", person=PersonFactory(full_name="Lê Minh Đức")
    )
    login(officer)
    client.post("/lang/en")
    response = client.get(f"/imports/exports/associations/{association.id}.csv")
    assert response.status_code == 200
    header, row = read_csv(response)
    assert header[-1] == "role" and row[0] == "Lê Minh Đức" and row[-1] == "president"
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "export"))
    assert event.object_id == association.id and event.details["kind"] == "association"


def test_association_export_for_the_hometown_province(client, login, db):
    association = AssociationFactory(country="FR", province_slug="da-nang")
    login(UserFactory(role="province", province_slug="da-nang"))
    assert client.get(f"/imports/exports/associations/{association.id}.csv").status_code == 200
    login(UserFactory(role="province", province_slug="hue"))
    assert client.get(f"/imports/exports/associations/{association.id}.csv").status_code == 403


def test_exports_page_lists_what_the_officer_may_export(client, login, db, officer):
    AssociationFactory(name="Hội người Việt tại Lyon", country="FR")
    AssociationFactory(name="Hội ở Đức", country="DE")
    login(officer)
    page = client.get("/imports/exports").get_data(as_text=True)
    assert "Hội người Việt tại Lyon" in page and "Hội ở Đức" not in page
    assert "/imports/exports/mission.csv?mission=PARIS" in page


def test_unknown_format_is_not_found(client, login, officer):
    login(officer)
    assert client.get("/imports/exports/mission.pdf").status_code == 404
