"""Missions: created from the command line or by services, with the countries they cover."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from directory.audit import AuditEvent
from directory.core.errors import ValidationError
from directory.missions.models import Mission
from directory.missions.services import create_mission, update_mission


def count(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Mission))


def test_cli_creates_a_mission_with_its_countries(runner, db):
    result = runner.invoke(
        args=[
            "missions",
            "create",
            "--code",
            "FR-PAR",
            "--name",
            "Đại sứ quán Việt Nam tại Pháp",
            "--countries",
            "FR,MC",
        ]
    )
    assert result.exit_code == 0, result.output
    mission = db.session.scalar(sa.select(Mission))
    assert mission.code == "FR-PAR" and mission.countries == ["FR", "MC"]
    assert mission.name == "Đại sứ quán Việt Nam tại Pháp"
    assert db.session.scalar(sa.select(AuditEvent.action)) == "mission.create"


def test_cli_bad_input_exits_non_zero_and_writes_nothing(runner, db):
    for args in (
        ["--code", "DE", "--name", "Berlin", "--countries", "Atlantis"],
        ["--code", "x", "--name", "Berlin", "--countries", "DE"],
        ["--code", "DE-BER", "--name", "  ", "--countries", "DE"],
        ["--code", "DE-BER", "--name", "Berlin", "--countries", ""],
    ):
        result = runner.invoke(args=["missions", "create", *args])
        assert result.exit_code != 0, args
        assert "Error" in result.output
    assert count(db) == 0
    result = runner.invoke(
        args=["missions", "create", "--code", "DE", "--name", "B", "--countries", "Atlantis"]
    )
    assert "Atlantis" in result.output


def test_countries_accept_names_in_vietnamese_and_english(db):
    mission = create_mission("DE-BER", "Đại sứ quán tại Đức", ["Đức", "Austria", "CH"])
    assert mission.countries == ["AT", "CH", "DE"]


def test_codes_are_unique(db):
    create_mission("JP-TYO", "Tokyo", ["JP"])
    with pytest.raises(ValidationError) as exc:
        create_mission("jp-tyo", "Tokyo again", ["JP"])
    assert "code" in exc.value.fields
    assert count(db) == 1


def test_update_changes_countries_and_records_what_changed(db):
    mission = create_mission("US-WAS", "Washington", ["US"], kind="embassy")
    update_mission(mission, countries="US, Canada", name="Đại sứ quán tại Hoa Kỳ")
    db.session.refresh(mission)
    assert mission.countries == ["CA", "US"]
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "mission.update"))
    assert event.details["added"] == ["CA"] and set(event.details["fields"]) == {
        "countries",
        "name",
    }


def test_update_with_an_unknown_country_changes_nothing(db):
    mission = create_mission("US-SFO", "San Francisco", ["US"], kind="consulate")
    with pytest.raises(ValidationError):
        update_mission(mission, countries="US, Narnia", name="Changed")
    db.session.rollback()
    db.session.refresh(mission)
    assert mission.countries == ["US"] and mission.name == "San Francisco"
