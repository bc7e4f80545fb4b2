"""The file's consent column counts only with the officer's attestation for the whole batch."""

from __future__ import annotations

import sqlalchemy as sa

from directory.imports.models import ImportBatch
from directory.people.models import ConsentRecord, Person
from tests.imports.conftest import HEADER_EN, csv_bytes
from tests.imports.test_views import upload

HEADER = [*HEADER_EN, "consent_listed"]
ROWS = [
    ["Lê Văn C", "FR", "Paris", "Huế", "c@example.fr", "", "", "", "yes"],
    ["Lê Văn D", "FR", "Lyon", "Huế", "d@example.fr", "", "", "", "yes"],
    ["Lê Văn E", "FR", "Nice", "Huế", "e@example.fr", "", "", "", "no"],
]


def listed(db) -> list[str]:
    return sorted(
        db.session.scalars(sa.select(Person.full_name).where(Person.consent_listed.is_(True)))
    )


# --- the preview page -----------------------------------------------------------------------


def test_the_preview_warns_that_the_consent_column_needs_an_attestation(client, login, db, officer):
    login(officer)
    upload(client, csv_bytes(header=HEADER, rows=ROWS))
    batch = db.session.scalar(sa.select(ImportBatch))
    client.post("/lang/en")
    html = client.get(f"/imports/{batch.id}/preview").get_data(as_text=True)
    assert 'id="consent-warning"' in html
    assert "The file has a consent column (2 rows say yes)" in html
    for name in ("consent_source", "consent_date", "consent_reference"):
        assert f'name="{name}"' in html


def test_a_file_without_the_column_shows_neither_warning_nor_inputs(client, login, db, officer):
    login(officer)
    upload(client, csv_bytes())
    batch = db.session.scalar(sa.select(ImportBatch))
    html = client.get(f"/imports/{batch.id}/preview").get_data(as_text=True)
    assert 'id="consent-warning"' not in html and 'name="consent_source"' not in html


def test_committing_without_attestation_imports_everyone_as_not_listed(client, login, db, officer):
    login(officer)
    upload(client, csv_bytes(header=HEADER, rows=ROWS))
    batch = db.session.scalar(sa.select(ImportBatch))
    response = client.post(f"/imports/{batch.id}/commit", data={})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == 3
    assert listed(db) == []


def test_committing_with_an_attestation_lists_the_rows_that_say_yes(client, login, db, officer):
    login(officer)
    upload(client, csv_bytes(header=HEADER, rows=ROWS))
    batch = db.session.scalar(sa.select(ImportBatch))
    response = client.post(
        f"/imports/{batch.id}/commit",
        data={
            "consent_source": "paper",
            "consent_date": "2026-01-18",
            "consent_reference": "Phiếu đăng ký Tết 2026",
        },
    )
    assert response.status_code == 302
    assert listed(db) == ["Lê Văn C", "Lê Văn D"]
    sources = set(
        db.session.execute(
            sa.select(ConsentRecord.source, ConsentRecord.evidence_reference).where(
                ConsentRecord.granted.is_(True)
            )
        )
    )
    assert sources == {("paper", "Phiếu đăng ký Tết 2026")}


def test_an_incomplete_attestation_writes_nothing_and_says_why(client, login, db, officer):
    login(officer)
    upload(client, csv_bytes(header=HEADER, rows=ROWS))
    batch = db.session.scalar(sa.select(ImportBatch))
    client.post("/lang/en")
    response = client.post(
        f"/imports/{batch.id}/commit", data={"consent_source": "paper"}, follow_redirects=True
    )
    html = response.get_data(as_text=True)
    assert "Date consent was given: Enter a date as YYYY-MM-DD." in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == 0
    db.session.expire_all()
    assert db.session.get(ImportBatch, batch.id).status == "ready"


# --- the command line -------------------------------------------------------------------------


def run(runner, tmp_path, *args):
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes(header=HEADER, rows=ROWS))
    return runner.invoke(args=["people", "import", str(path), "--mission", "PARIS", *args])


def test_the_cli_ignores_the_consent_column_with_a_warning(runner, db, tmp_path, mission):
    result = run(runner, tmp_path)
    assert result.exit_code == 0, result.output
    assert "warning: the consent column is ignored (2 row(s) say yes)" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == 3
    assert listed(db) == []


def test_the_cli_records_attested_consent(runner, db, tmp_path, mission):
    result = run(
        runner,
        tmp_path,
        "--consent-source",
        "online_form",
        "--consent-date",
        "2026-01-10",
        "--consent-reference",
        "Đăng ký hội nghị",
    )
    assert result.exit_code == 0, result.output
    assert "consent to be listed: 2 row(s) say yes" in result.output
    assert listed(db) == ["Lê Văn C", "Lê Văn D"]
    record = db.session.scalar(sa.select(ConsentRecord).where(ConsentRecord.granted.is_(True)))
    assert (record.source, record.evidence_date.isoformat(), record.evidence_reference) == (
        "online_form",
        "2026-01-10",
        "Đăng ký hội nghị",
    )


def test_the_cli_refuses_an_incomplete_attestation_before_writing(runner, db, tmp_path, mission):
    result = run(runner, tmp_path, "--consent-source", "paper")
    assert result.exit_code == 2
    assert "--consent-date: Enter a date as YYYY-MM-DD." in result.output
    assert "nothing was written" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == 0
    future = run(runner, tmp_path, "--consent-source", "paper", "--consent-date", "2999-01-01")
    assert future.exit_code == 2 and "in the future" in future.output
