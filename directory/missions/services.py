"""Missions: creating and changing embassies and consulates and the countries they cover."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask_babel import gettext as _

from directory import audit
from directory.core.errors import ValidationError
from directory.extensions import db
from directory.missions.models import Mission, MissionCountry
from directory.reference.contact import InvalidValue, normalize_email
from directory.reference.countries import resolve_country

KINDS = ("embassy", "consulate")
CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,19}$")


def parse_countries(values) -> tuple[list[str], list[str]]:
    """ISO codes for codes or names (a list, or one comma/semicolon separated string).

    Returns (codes, unknown values); codes keep their order without duplicates.
    """
    if isinstance(values, str):
        values = re.split(r"[,;\n]", values)
    codes: list[str] = []
    unknown: list[str] = []
    for value in values or []:
        value = (value or "").strip()
        if not value:
            continue
        code = resolve_country(value)
        if code is None:
            unknown.append(value)
        elif code not in codes:
            codes.append(code)
    return codes, unknown


def _clean(
    *, code=None, name=None, countries=None, kind=None, email=None, mission: Mission | None = None
) -> tuple[dict, dict]:
    """Validated values and per-field errors."""
    errors: dict[str, str] = {}
    values: dict = {}
    if code is not None:
        code = code.strip().upper()
        if not CODE_PATTERN.match(code):
            errors["code"] = _(
                "Use 2 to 20 capital letters, digits, hyphens or underscores (e.g. FR-PAR)."
            )
        else:
            clash = db.session.scalar(sa.select(Mission).where(Mission.code == code))
            if clash is not None and clash is not mission:
                errors["code"] = _("Another mission already uses this code.")
        values["code"] = code
    if name is not None:
        name = name.strip()
        if not name:
            errors["name"] = _("Enter the mission's name.")
        elif len(name) > 200:
            errors["name"] = _("At most %(n)d characters.", n=200)
        values["name"] = name
    if countries is not None:
        codes, unknown = parse_countries(countries)
        if unknown:
            errors["countries"] = _("Unknown country: %(names)s.", names=", ".join(unknown))
        elif not codes:
            errors["countries"] = _("A mission covers at least one country.")
        values["countries"] = codes
    if kind is not None:
        if kind not in KINDS:
            errors["kind"] = _("Choose embassy or consulate.")
        values["kind"] = kind
    if email is not None:
        try:
            values["email"] = normalize_email(email)
        except InvalidValue:
            errors["email"] = _("Enter a valid email address.")
    return values, errors


def create_mission(
    code: str,
    name: str,
    countries: list[str] | str,
    kind: str = "embassy",
    city: str | None = None,
    *,
    email: str | None = None,
    by=None,
) -> Mission:
    """Add a mission covering ``countries`` (ISO codes or names); commits; audited."""
    values, errors = _clean(
        code=code or "", name=name or "", countries=countries, kind=kind, email=email
    )
    if errors:
        raise ValidationError(errors)
    mission = Mission(
        code=values["code"],
        name=values["name"],
        kind=values["kind"],
        city=(city or "").strip()[:120] or None,
        email=values.get("email"),
    )
    mission.country_links = [MissionCountry(country=c) for c in values["countries"]]
    db.session.add(mission)
    db.session.flush()
    audit.record(
        "mission.create",
        mission,
        actor=by,
        details={"code": mission.code, "countries": values["countries"]},
    )
    db.session.commit()
    return mission


def update_mission(
    mission: Mission,
    *,
    code: str | None = None,
    name: str | None = None,
    countries: list[str] | str | None = None,
    kind: str | None = None,
    city: str | None = None,
    email: str | None = None,
    by=None,
) -> Mission:
    """Change a mission; arguments left as None are kept; commits; audited."""
    values, errors = _clean(
        code=code, name=name, countries=countries, kind=kind, email=email, mission=mission
    )
    if errors:
        raise ValidationError(errors)
    changed: list[str] = []
    for attr in ("code", "name", "kind"):
        if attr in values and getattr(mission, attr) != values[attr]:
            setattr(mission, attr, values[attr])
            changed.append(attr)
    if email is not None and mission.email != values.get("email"):
        mission.email = values.get("email")
        changed.append("email")
    if city is not None:
        new_city = city.strip()[:120] or None
        if new_city != mission.city:
            mission.city = new_city
            changed.append("city")
    details: dict = {}
    if "countries" in values:
        old = set(mission.countries)
        new = values["countries"]
        if set(new) != old:
            keep = [link for link in mission.country_links if link.country in new]
            mission.country_links = keep + [MissionCountry(country=c) for c in new if c not in old]
            changed.append("countries")
            details = {"added": sorted(set(new) - old), "removed": sorted(old - set(new))}
    if changed:
        audit.record("mission.update", mission, actor=by, details={"fields": changed, **details})
    db.session.commit()
    return mission


def mission_by_code(code: str | None) -> Mission | None:
    """The mission with this code (case-insensitive), or None."""
    if not code:
        return None
    return db.session.scalar(sa.select(Mission).where(Mission.code == code.strip().upper()))


def all_missions() -> list[Mission]:
    """Every mission, by code."""
    return list(db.session.scalars(sa.select(Mission).order_by(Mission.code)))
