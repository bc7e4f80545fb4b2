"""Normalisation, the mission scope rule and dedupe (against the database and within a file)."""

from __future__ import annotations

import sqlalchemy as sa

from directory.imports import batches
from directory.imports.models import ImportBatch, ImportRow
from directory.people.models import Person
from tests.factories import PersonFactory
from tests.imports.conftest import HEADER_EN, HEADER_VI, csv_bytes, xlsx_bytes


def staged(db, officer, mission, data: bytes, name: str = "people.csv") -> ImportBatch:
    batch = batches.start_batch(data, name, mission, officer)
    return batches.read_batch(batch.id)


def rows_of(db, batch) -> list[ImportRow]:
    return list(
        db.session.scalars(
            sa.select(ImportRow)
            .where(ImportRow.batch_id == batch.id)
            .order_by(ImportRow.row_number)
        )
    )


def issue_codes(row: ImportRow) -> dict[str, str]:
    return {i["field"]: i["code"] for i in row.issues}


def test_rows_are_normalised_with_the_people_rules(db, officer, mission):
    batch = staged(db, officer, mission, csv_bytes(header=HEADER_VI))
    assert batch.status == "ready"
    first, second = rows_of(db, batch)
    assert first.values["country"] == "FR"  # "Pháp"
    assert first.values["phone"] == "+33612345678"  # a French national number, E.164
    assert first.values["hometown_province"] == "da-nang"
    assert first.values["fields"] == ["semiconductors"]  # "Bán dẫn", matched to the taxonomy
    assert first.values["birth_year"] == 1980
    assert second.values["hometown_province"] == "lao-cai"  # Yên Bái, merged into Lào Cai
    assert second.values["hometown_as_given"] == "Yên Bái"
    assert not first.issues and first.decision == "create"


def test_preview_writes_no_person(db, officer, mission):
    staged(db, officer, mission, csv_bytes())
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == 0


def test_cell_errors_are_reported_per_field_and_the_row_is_skipped(db, officer, mission):
    rows = [["Lê Văn C", "FR", "Paris", "Atlantis", "not-an-email", "12", "Basket weaving", "3000"]]
    batch = staged(db, officer, mission, csv_bytes(rows=rows))
    (row,) = rows_of(db, batch)
    codes = issue_codes(row)
    assert set(codes) == {"hometown", "email", "phone", "fields", "birth_year"}
    assert row.has_errors and row.decision == "skip"
    assert row.values["full_name"] == "Lê Văn C"  # the good cells are still shown normalised
    assert row.values["country"] == "FR"
    assert batch.error_rows == 1


def test_people_living_outside_the_missions_countries_are_errors(db, officer, mission):
    rows = [["Lê Văn C", "Đức", "Berlin", "Huế", "c@example.de", "", "", ""]]
    batch = staged(db, officer, mission, csv_bytes(rows=rows))
    (row,) = rows_of(db, batch)
    assert issue_codes(row) == {"country": "outside_mission"}
    assert row.has_errors


def test_missing_country_is_an_error_when_the_mission_covers_several(db, officer, mission):
    rows = [["Lê Văn C", "", "Paris", "Huế", "c@example.fr", "", "", ""]]
    (row,) = rows_of(db, staged(db, officer, mission, csv_bytes(rows=rows)))
    assert issue_codes(row) == {"country": "country_required"}


def test_missing_country_is_assumed_when_the_mission_covers_one(db):
    from tests.factories import MissionFactory, UserFactory

    berlin = MissionFactory(code="BER", countries=["DE"])
    officer = UserFactory(role="embassy", mission=berlin)
    rows = [["Lê Văn C", "", "Berlin", "Huế", "c@example.de", "030 1234567", "", ""]]
    (row,) = rows_of(db, staged(db, officer, berlin, csv_bytes(rows=rows)))
    assert row.values["country"] == "DE"
    assert row.values["phone"] == "+49301234567"
    assert issue_codes(row) == {"country": "country_assumed"}
    assert not row.has_errors and row.has_warnings


def test_xlsx_with_vietnamese_headers_is_staged(db, officer, mission):
    batch = staged(db, officer, mission, xlsx_bytes(header=HEADER_VI), "danh-sach.xlsx")
    assert batch.status == "ready" and batch.file_format == "xlsx"
    assert [r.values["email"] for r in rows_of(db, batch)] == ["an@example.fr", "bich@example.fr"]


def test_a_refused_file_fails_the_batch_and_stages_nothing(db, officer, mission):
    batch = staged(db, officer, mission, csv_bytes(rows=[]))
    assert batch.status == "failed" and batch.error_code == "headers_only"
    assert rows_of(db, batch) == []


# --- dedupe ---------------------------------------------------------------------------------


def row_for(name, *, email="", phone="", city="Nice", year="", country="FR"):
    return [name, country, city, "Huế", email, phone, "", year]


def bare(matches):
    """The matches without their evidence (tested on its own below)."""
    keys = ("kind", "reason", "person_id", "row")
    return [{k: v for k, v in m.items() if k in keys} for m in matches]


def matches_of(db, officer, mission, rows):
    batch = staged(db, officer, mission, csv_bytes(header=HEADER_EN, rows=rows))
    return rows_of(db, batch)


def test_same_email_as_an_existing_person_is_a_duplicate(db, officer, mission):
    existing = PersonFactory(full_name="Hoàng Thị Mai", email="mai@example.fr", phone=None)
    (row,) = matches_of(db, officer, mission, [row_for("Mai Hoang", email="MAI@example.fr")])
    assert bare(row.matches) == [{"kind": "duplicate", "reason": "email", "person_id": existing.id}]
    assert row.match_kind == "duplicate" and row.decision == "skip"


def test_same_phone_as_an_existing_person_is_a_duplicate(db, officer, mission):
    existing = PersonFactory(full_name="Someone Else", email=None, phone="+33612345678")
    (row,) = matches_of(db, officer, mission, [row_for("Lê Văn C", phone="06 12 34 56 78")])
    assert bare(row.matches) == [{"kind": "duplicate", "reason": "phone", "person_id": existing.id}]


def test_same_name_in_any_order_and_birth_year_is_a_probable_duplicate(db, officer, mission):
    existing = PersonFactory(
        full_name="Nguyễn Văn An", birth_year=1980, city="Lyon", email=None, phone=None
    )
    rows = [
        row_for("An Nguyen Van", year="1980"),
        row_for("NGUYEN  Van An", year="1980"),
        row_for("nguyễn văn an", year="1981", city="Lille"),
    ]
    first, second, third = matches_of(db, officer, mission, rows)
    expected = {"kind": "probable", "reason": "name_birth_year", "person_id": existing.id}
    assert bare(first.matches) == [expected]
    assert expected in bare(second.matches)
    assert bare(third.matches) == []  # another year, another city: not the same person


def test_same_name_and_city_is_a_probable_duplicate(db, officer, mission):
    existing = PersonFactory(
        full_name="Đặng Quốc Bảo", city="Paris", birth_year=None, hometown_province=None
    )
    (row,) = matches_of(db, officer, mission, [row_for("Bao Dang Quoc", city="PARIS")])
    assert bare(row.matches) == [
        {"kind": "probable", "reason": "name_city", "person_id": existing.id}
    ]
    assert row.match_kind == "probable" and row.decision == "skip"


def test_a_match_shows_which_fields_agree_and_which_differ(db, officer, mission):
    existing = PersonFactory(
        full_name="Đặng Quốc Bảo",
        city="Paris",
        birth_year=1975,
        email=None,
        phone=None,
        fields=["healthcare"],
        country="FR",
        hometown_province="hue",
    )
    row = [*row_for("Bao Dang Quoc", city="Paris", year="1975")[:6], "Healthcare", "1975"]
    (row,) = matches_of(db, officer, mission, [row])
    (match,) = row.matches
    assert match["person_id"] == existing.id
    assert {"birth_year", "city", "country"} <= set(match["agree"]) and match["differ"] == []
    assert match["strength"] == "strong" and row.decision == "skip"


def test_a_weak_match_whose_fields_clearly_differ_defaults_to_create(db, officer, mission):
    # A restaurant owner and a doctor with the same name, in the same city.
    PersonFactory(
        full_name="Nguyễn Văn An",
        city="Lyon",
        birth_year=1962,
        email=None,
        phone=None,
        fields=["healthcare"],
        title="Bác sĩ",
    )
    header = [*HEADER_EN[:3], "email", "kinds", "title"]
    cells = ["Nguyễn Văn An", "FR", "Lyon", "", "entrepreneur", "Chủ nhà hàng"]
    batch = staged(db, officer, mission, csv_bytes(header=header, rows=[cells]))
    (row,) = rows_of(db, batch)
    (match,) = row.matches
    assert match["kind"] == "probable" and {"kinds", "title"} <= set(match["differ"])
    assert match["strength"] == "weak" and row.decision == "create"


def test_duplicates_within_the_file_are_found(db, officer, mission):
    rows = [
        row_for("Lê Văn C", email="c@example.fr", year="1970"),
        row_for("Other Person", email="c@example.fr"),
        row_for("Van C Le", year="1970"),
        row_for("Trịnh Công Sơn", phone="+33 6 11 22 33 44"),
        row_for("Sơn Trịnh", phone="0611223344"),
    ]
    first, by_email, by_name, fourth, by_phone = matches_of(db, officer, mission, rows)
    assert bare(first.matches) == [] and first.decision == "create"
    assert bare(by_email.matches) == [{"kind": "duplicate", "reason": "email", "row": 2}]
    assert bare(by_name.matches) == [{"kind": "probable", "reason": "name_birth_year", "row": 2}]
    assert bare(by_phone.matches) == [{"kind": "duplicate", "reason": "phone", "row": 5}]
    assert fourth.decision == "create"


def test_deleted_profiles_are_not_duplicates(db, officer, mission):
    from directory.core.models import utcnow

    PersonFactory(email="gone@example.fr", anonymised_at=utcnow())
    (row,) = matches_of(db, officer, mission, [row_for("Lê Văn C", email="gone@example.fr")])
    assert bare(row.matches) == []
