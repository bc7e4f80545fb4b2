"""The dashboards: a province officer's, an embassy officer's and the admin's landing pages, and
the CSV download of each of their tables (thin views over ``contents``)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template
from flask_login import current_user, login_required

from directory import policy
from directory.dashboards import contents, overview, services, tables
from directory.dashboards.charts import chart_of
from directory.dashboards.landing import landing
from directory.reference.provinces import province_by_slug

bp = Blueprint("dashboards", __name__)


@bp.get("/dashboard")
@login_required
def home():
    """The signed-in official's own dashboard."""
    address = landing(current_user)
    if address is None:
        abort(404)
    return redirect(address)


def _csv_response(body: bytes, name: str) -> Response:
    return Response(
        body,
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _table(found: dict, table: str) -> tables.Table:
    if table not in found:
        abort(404)
    return found[table]


# --- a province -------------------------------------------------------------------------------


def _province_slug(slug: str) -> str:
    if province_by_slug(slug) is None:
        abort(404)
    policy.require(current_user, "dashboard.province", slug)
    return slug


@bp.get("/dashboard/province/<slug>")
@login_required
def province(slug: str):
    """What waits for the officer, then the province's needs, representatives and diaspora."""
    _province_slug(slug)
    content = contents.province_content(current_user, slug)
    found = content.tables
    return render_template(
        "dashboards/province.html",
        slug=slug,
        waiting=services.waiting(current_user, slug),
        content=content,
        people=content.people,
        country_chart=chart_of(found["by-country"], 1, 2),
        field_chart=chart_of(found["by-field"], 1, 2),
        business_charts=[
            chart_of(found["businesses-by-country"], 1, 2),
            chart_of(found["businesses-by-sector"], 1, 2),
        ],
        business_search=contents.business_search,
        diaspora_search=contents.diaspora_search,
        recent_days=services.RECENT_DAYS,
        recent_since=services.recent_since(),
        new_period=tables.last_days(services.RECENT_DAYS),
        ending_days=services.ENDING_DAYS,
    )


@bp.get("/dashboard/province/<slug>/<table>.csv")
@login_required
def province_csv(slug: str, table: str):
    """One table of the province's dashboard as CSV (audited)."""
    _province_slug(slug)
    chosen = _table(contents.province_content(current_user, slug).tables, table)
    body = tables.export(current_user, chosen, "province", province=slug)
    return _csv_response(body, tables.file_name(slug, chosen))


# --- a mission --------------------------------------------------------------------------------


def _mission():
    mission = current_user.mission
    policy.require(current_user, "dashboard.mission", mission)
    return mission


@bp.get("/dashboard/mission")
@login_required
def mission():
    """The people in the mission's countries, its invitations, imports and nominations."""
    mission = _mission()
    figures = services.mission_figures(current_user)
    found = contents.mission_tables(current_user, figures)
    return render_template(
        "dashboards/mission.html",
        mission=mission,
        figures=figures,
        states=found["states"],
        country_chart=chart_of(found["by-country"], 1, 2),
    )


@bp.get("/dashboard/mission/<table>.csv")
@login_required
def mission_csv(table: str):
    """One table of the mission's dashboard as CSV (audited)."""
    mission = _mission()
    chosen = _table(contents.mission_tables(current_user), table)
    body = tables.export(current_user, chosen, "mission", mission=mission.code)
    return _csv_response(body, tables.file_name(mission.code.lower(), chosen))


# --- the central overview ---------------------------------------------------------------------


@bp.get("/dashboard/overview")
@login_required
def overview_page():
    """The admin's overview of every province, country and field."""
    policy.require(current_user, "dashboard.overview")
    content = contents.overview_content(current_user)
    found = content.tables
    return render_template(
        "dashboards/overview.html",
        content=content,
        tables=found,
        charts=[
            chart_of(found["by-country"], 1, 2),
            chart_of(found["by-field"], 1, 2),
            chart_of(found["by-province"], 1, 2),
        ],
        business_charts=[
            chart_of(found["businesses-by-country"], 1, 2),
            chart_of(found["businesses-by-sector"], 1, 2),
        ],
        business_search=contents.business_search,
        people_search=contents.people_search,
        main_countries=overview.MAIN_COUNTRIES,
        few_matches=overview.FEW_MATCHES,
    )


@bp.get("/dashboard/overview/<table>.csv")
@login_required
def overview_csv(table: str):
    """One table of the overview as CSV (audited)."""
    policy.require(current_user, "dashboard.overview")
    chosen = _table(contents.overview_content(current_user).tables, table)
    body = tables.export(current_user, chosen, "overview")
    return _csv_response(body, tables.file_name("overview", chosen))
