"""The dashboards: a province officer's and an embassy officer's landing page (thin views)."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from directory import policy
from directory.core.templating import field_label, province_name
from directory.dashboards import services
from directory.dashboards.charts import bar_chart
from directory.i18n import current_locale
from directory.people.models import KINDS
from directory.reference.countries import country_name
from directory.reference.provinces import province_by_slug

bp = Blueprint("dashboards", __name__)

# Rows drawn per chart (the rest are one search away).
CHART_ROWS = 12


def diaspora_search(slug: str, **filters) -> str:
    """The search page listing the province's experts and entrepreneurs, narrowed by
    ``filters``: the list behind each diaspora figure."""
    return url_for("search.results", province=slug, kind=list(KINDS), **filters)


@bp.get("/dashboard")
@login_required
def home():
    """The signed-in official's own dashboard."""
    if policy.can(current_user, "dashboard.province", current_user.province_slug):
        return redirect(url_for(".province", slug=current_user.province_slug))
    if policy.can(current_user, "dashboard.mission", current_user.mission):
        return redirect(url_for(".mission"))
    abort(404)


def _country_chart(slug: str, people: services.Diaspora):
    name = province_name(slug)
    rows = []
    for code, value in list(people.by_country.items())[:CHART_ROWS]:
        country = country_name(code, current_locale())
        tip = _(
            "Experts and entrepreneurs from %(province)s living in %(country)s",
            province=name,
            country=country,
        )
        rows.append((country, value, diaspora_search(slug, country=code), tip))
    return bar_chart("by-country", _("By country of residence"), rows)


def _field_chart(slug: str, people: services.Diaspora):
    name = province_name(slug)
    rows = []
    for code, value in list(people.by_field.items())[:CHART_ROWS]:
        label = field_label(code)
        tip = _(
            "Experts and entrepreneurs from %(province)s working in %(field)s",
            province=name,
            field=label,
        )
        rows.append((label, value, diaspora_search(slug, field=code), tip))
    return bar_chart("by-field", _("By field"), rows)


@bp.get("/dashboard/province/<slug>")
@login_required
def province(slug: str):
    """What waits for the officer, then the province's needs, representatives and diaspora."""
    if province_by_slug(slug) is None:
        abort(404)
    policy.require(current_user, "dashboard.province", slug)
    people = services.diaspora(current_user, slug)
    needs_open, needs = services.open_needs(current_user, slug)
    return render_template(
        "dashboards/province.html",
        slug=slug,
        waiting=services.waiting(current_user, slug),
        needs_open=needs_open,
        needs=needs,
        representatives=services.representatives(current_user, slug),
        people=people,
        country_chart=_country_chart(slug, people),
        field_chart=_field_chart(slug, people),
        diaspora_search=diaspora_search,
        recent_days=services.RECENT_DAYS,
        ending_days=services.ENDING_DAYS,
    )


@bp.get("/dashboard/mission")
@login_required
def mission():
    """The people in the mission's countries, its invitations, imports and nominations."""
    mission = current_user.mission
    policy.require(current_user, "dashboard.mission", mission)
    figures = services.mission_figures(current_user)
    rows = [
        (
            country_name(code, current_locale()),
            value,
            url_for("people.mission_list", country=code),
            _("People living in %(country)s", country=country_name(code, current_locale())),
        )
        for code, value in figures.by_country.items()
    ]
    return render_template(
        "dashboards/mission.html",
        mission=mission,
        figures=figures,
        country_chart=bar_chart("mission-countries", _("By country of residence"), rows),
    )
