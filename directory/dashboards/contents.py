"""What each dashboard shows: its tables (``tables.Table``), built in the viewer's language from
the read functions, for the page and for the CSV download alike."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from urllib.parse import urlencode

from flask import g, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import iter_multi_items

from directory.core.templating import field_label, province_name
from directory.dashboards import overview, services
from directory.dashboards.tables import (
    CHART_ROWS,
    Cell,
    Column,
    Table,
    as_of,
    day_text,
    ending_within,
    number,
)
from directory.i18n import current_locale
from directory.initiatives.models import STATES as INITIATIVE_STATES
from directory.initiatives.services import state_label
from directory.people.models import KINDS
from directory.reference.countries import country_name

# The characters werkzeug leaves unquoted in a query string (``url_for``'s own encoding).
_QUERY_SAFE = "!$'()*,/:;?@"


def link(endpoint: str, **query) -> str:
    """``url_for(endpoint, **query)`` for an endpoint without path arguments, the path built
    once per request: a dashboard links hundreds of figures to their lists, and ``url_for``
    was a fifth of the overview's time. Same text as ``url_for`` (tests/dashboards/
    test_links.py)."""
    bases = g.setdefault("dashboard_link_bases", {})
    base = bases.get(endpoint)
    if base is None:
        base = bases[endpoint] = url_for(endpoint)
    pairs = [_pair(key, str(value)) for key, value in iter_multi_items(query) if value is not None]
    return f"{base}?{'&'.join(pairs)}" if pairs else base


@lru_cache(maxsize=4096)
def _pair(key: str, value: str) -> str:
    """``key=value`` quoted as ``url_for`` quotes it (the same few codes recur in every row)."""
    return urlencode([(key, value)], safe=_QUERY_SAFE)


def people_search(**filters) -> str:
    """The search page listing the experts and entrepreneurs narrowed by ``filters``: the list
    behind each people figure."""
    return link("search.results", kind=list(KINDS), **filters)


def diaspora_search(slug: str, **filters) -> str:
    """The search listing the province's experts and entrepreneurs, narrowed by ``filters``."""
    return people_search(province=slug, **filters)


def business_search(**filters) -> str:
    """The search page listing the businesses narrowed by ``filters``: the list behind each
    business figure."""
    return link("search.results", kind="business", **filters)


def _sector(code: str) -> str:
    """A sector's label: sectors are the taxonomy's "sector" group."""
    return field_label(code)


def _business_tables(figures: services.Businesses, csv, tip_country, tip_sector) -> list[Table]:
    """The businesses by country and by sector, each row linked to its search."""
    label = _("Businesses")
    by_country = _breakdown(
        "businesses-by-country",
        _("Businesses by country"),
        as_of("businesses"),
        _code_columns(_("Country code"), _("Country"), label),
        figures.by_country,
        _country,
        lambda code: business_search(country=code),
        tip_country,
        csv("businesses-by-country"),
    )
    by_sector = _breakdown(
        "businesses-by-sector",
        _("Businesses by sector"),
        as_of("businesses"),
        _code_columns(_("Sector code"), _("Sector"), label),
        figures.by_sector,
        _sector,
        lambda code: business_search(sector=code),
        tip_sector,
        csv("businesses-by-sector"),
    )
    return [by_country, by_sector]


def _business_country_tip(code: str) -> str:
    return _("Businesses registered or operating in %(country)s", country=_country(code))


def _business_sector_tip(code: str) -> str:
    return _("Businesses working in %(sector)s", sector=_sector(code))


def _country(code: str) -> str:
    return country_name(code, current_locale())


def _code_columns(code_label: str, label: str, value_label: str) -> tuple[Column, ...]:
    return (Column(code_label, csv_only=True), Column(label), Column(value_label, numeric=True))


def _breakdown(table_id, title, period, columns, counts, label_of, href_of, tip_of, csv_url):
    """A table of ``counts`` (code -> n): code, label, number, each linked to its list."""
    rows = []
    for code, value in counts.items():
        label, href, tip = label_of(code), href_of(code), tip_of(code)
        rows.append((Cell(code), Cell(label, href, tip), number(value, href, tip)))
    return Table(table_id, title, period, columns, rows, csv_url, shown=CHART_ROWS)


# --- a province -------------------------------------------------------------------------------


@dataclass
class ProvinceContent:
    people: services.Diaspora
    needs_open: int
    representatives: services.Representatives
    tables: dict[str, Table]
    businesses: services.Businesses


def province_content(user, slug: str) -> ProvinceContent:
    """The province dashboard's figures and tables: its people by country and by field, its
    open needs with their matches, its representatives whose term ends soon."""
    people = services.diaspora(user, slug)
    name = province_name(slug)

    def csv(table: str) -> str:
        return url_for("dashboards.province_csv", slug=slug, table=table)

    people_label = _("People")
    by_country = _breakdown(
        "by-country",
        _("By country of residence"),
        as_of(),
        _code_columns(_("Country code"), _("Country"), people_label),
        people.by_country,
        _country,
        lambda code: diaspora_search(slug, country=code),
        lambda code: _(
            "Experts and entrepreneurs from %(province)s living in %(country)s",
            province=name,
            country=_country(code),
        ),
        csv("by-country"),
    )
    by_field = _breakdown(
        "by-field",
        _("By field"),
        as_of(),
        _code_columns(_("Field code"), _("Field"), people_label),
        people.by_field,
        field_label,
        lambda code: diaspora_search(slug, field=code),
        lambda code: _(
            "Experts and entrepreneurs from %(province)s working in %(field)s",
            province=name,
            field=field_label(code),
        ),
        csv("by-field"),
    )
    needs_open, needs = services.open_needs(user, slug, limit=None)
    matches_tip = _(
        "People tagged with one of this need's fields who consented to be contacted by "
        "officials and accept contact requests; the need's page ranks them among its matched "
        "candidates"
    )
    interest_tip = _(
        "Members who said they are interested in this need; its page lists the matching profiles"
    )
    needs_table = Table(
        "needs",
        _("Open needs"),
        as_of("needs"),
        (
            Column(_("Need id"), csv_only=True),
            Column(_("Need")),
            Column(_("Contactable matches"), numeric=True),
            Column(_("Interested members"), numeric=True),
        ),
        [
            (
                Cell(row.need.id),
                Cell(row.need.title, url_for("needs.detail", need_id=row.need.id)),
                number(
                    row.matches,
                    url_for("needs.detail", need_id=row.need.id, _anchor="matches-title"),
                    matches_tip,
                ),
                number(row.interested, url_for("needs.detail", need_id=row.need.id), interest_tip),
            )
            for row in needs
        ],
        csv("needs"),
        shown=services.NEEDS_SHOWN,
    )
    reps = services.representatives(user, slug)
    ending = Table(
        "representatives",
        _("Terms ending within %(days)d days", days=services.ENDING_DAYS),
        ending_within(services.ENDING_DAYS),
        (
            Column(_("Representative")),
            Column(_("Country code"), csv_only=True),
            Column(_("Country")),
            Column(_("Region")),
            Column(_("Term ends")),
        ),
        [
            (
                Cell(
                    n.person.full_name,
                    url_for("representatives.detail", nomination_id=n.id),
                ),
                Cell(n.country),
                Cell(_country(n.country)),
                Cell(n.region or ""),
                Cell(day_text(n.term_end)),
            )
            for n in reps.ending
        ],
        csv("representatives"),
    )
    businesses = services.business_counts(user, slug)
    business_tables = _business_tables(businesses, csv, _business_country_tip, _business_sector_tip)
    tables = {t.id: t for t in (by_country, by_field, needs_table, ending, *business_tables)}
    return ProvinceContent(people, needs_open, reps, tables, businesses)


# --- a mission --------------------------------------------------------------------------------


def mission_tables(user, figures: services.MissionFigures | None = None) -> dict[str, Table]:
    """The mission dashboard's tables: people by verification and claim, by country."""
    figures = figures or services.mission_figures(user)

    def csv(table: str) -> str:
        return url_for("dashboards.mission_csv", table=table)

    yes, no = _("yes"), _("no")
    rows = []
    for verified, label in ((True, _("Verified")), (False, _("Not verified"))):
        cells = [Cell(label)]
        for claimed in (True, False):
            href = url_for(
                "people.mission_list",
                verified="yes" if verified else "no",
                claimed="yes" if claimed else "no",
            )
            tip = _(
                "People living in the mission's countries, verified: %(verified)s, "
                "claimed: %(claimed)s",
                verified=yes if verified else no,
                claimed=yes if claimed else no,
            )
            cells.append(number(figures.states[(verified, claimed)], href, tip))
        rows.append(tuple(cells))
    states = Table(
        "states",
        _("People by verification and claim"),
        as_of(),
        (
            Column(_("Verification")),
            Column(_("Claimed by the member"), numeric=True),
            Column(_("Not claimed yet"), numeric=True),
        ),
        rows,
        csv("states"),
    )
    by_country = _breakdown(
        "by-country",
        _("By country of residence"),
        as_of(),
        _code_columns(_("Country code"), _("Country"), _("People")),
        figures.by_country,
        _country,
        lambda code: url_for("people.mission_list", country=code),
        lambda code: _("People living in %(country)s", country=_country(code)),
        csv("by-country"),
    )
    by_country.shown = None
    return {states.id: states, by_country.id: by_country}


# --- the central overview ---------------------------------------------------------------------


@dataclass
class OverviewContent:
    people: overview.People
    tables: dict[str, Table]
    businesses: services.Businesses


def _people_tables(figures: overview.People, csv) -> list[Table]:
    people_label = _("People")
    by_country = _breakdown(
        "by-country",
        _("By country of residence"),
        as_of(),
        _code_columns(_("Country code"), _("Country"), people_label),
        figures.by_country,
        _country,
        lambda code: people_search(country=code),
        lambda code: _("Experts and entrepreneurs living in %(country)s", country=_country(code)),
        csv("by-country"),
    )
    by_field = _breakdown(
        "by-field",
        _("By field"),
        as_of(),
        _code_columns(_("Field code"), _("Field"), people_label),
        figures.by_field,
        field_label,
        lambda code: people_search(field=code),
        lambda code: _("Experts and entrepreneurs working in %(field)s", field=field_label(code)),
        csv("by-field"),
    )
    by_province = _breakdown(
        "by-province",
        _("By hometown province"),
        as_of(),
        _code_columns(_("Province code"), _("Province"), people_label),
        figures.by_province,
        province_name,
        lambda slug: people_search(province=slug),
        lambda slug: _(
            "Experts and entrepreneurs whose hometown is %(province)s (former names included)",
            province=province_name(slug),
        ),
        csv("by-province"),
    )
    by_province.shown = None  # every province: the admin compares them all
    return [by_country, by_field, by_province]


def _uncovered_table(user, figures: overview.People, csv) -> Table:
    rows = []
    for item in overview.provinces_without_representatives(user, figures):
        name = province_name(item.slug)
        province = Cell(name, url_for("dashboards.province", slug=item.slug))
        everyone = number(
            item.people,
            people_search(province=item.slug),
            _("Experts and entrepreneurs from %(province)s, in every country", province=name),
        )
        for i, (code, value) in enumerate(item.uncovered.items()):
            rows.append(
                (
                    Cell(item.slug),
                    replace(province, repeated=i > 0),
                    replace(everyone, repeated=i > 0),
                    Cell(code),
                    Cell(_country(code)),
                    number(
                        value,
                        people_search(province=item.slug, country=code),
                        _(
                            "Experts and entrepreneurs from %(province)s living in %(country)s, "
                            "where %(province)s has no active representative",
                            province=name,
                            country=_country(code),
                        ),
                    ),
                )
            )
    return Table(
        "provinces-without-representatives",
        _("Provinces without a representative where their people live"),
        as_of("representatives"),
        (
            Column(_("Province code"), csv_only=True),
            Column(_("Province")),
            Column(_("People from the province"), numeric=True),
            Column(_("Country code"), csv_only=True),
            Column(_("Country without a representative")),
            Column(_("People living there"), numeric=True),
        ),
        rows,
        csv("provinces-without-representatives"),
    )


def _gaps_table(user, figures: overview.People, csv) -> Table:
    rows = []
    for gap in overview.fields_without_matches(user, figures):
        label = field_label(gap.code)
        needs = link("needs.index", field=gap.code, status="open")
        rows.append(
            (
                Cell(gap.code),
                Cell(label, needs),
                number(
                    gap.needs,
                    needs,
                    _("Open needs naming %(field)s, of every province", field=label),
                ),
                number(
                    gap.contactable,
                    None,
                    _(
                        "People tagged with %(field)s who consented to be contacted by officials "
                        "and accept contact requests",
                        field=label,
                    ),
                ),
                number(
                    figures.by_field.get(gap.code, 0),
                    people_search(field=gap.code),
                    _("Experts and entrepreneurs working in %(field)s", field=label),
                ),
            )
        )
    return Table(
        "fields-without-matches",
        _("Fields of open needs with fewer than %(n)d contactable people", n=overview.FEW_MATCHES),
        as_of("needs_and_people"),
        (
            Column(_("Field code"), csv_only=True),
            Column(_("Field")),
            Column(_("Open needs"), numeric=True),
            Column(_("Contactable people"), numeric=True),
            Column(_("Experts and entrepreneurs"), numeric=True),
        ),
        rows,
        csv("fields-without-matches"),
    )


def _initiatives_table(user, csv) -> Table:
    rows = []
    # Each state's name once per table (35 bodies x 8 states of cells name them).
    labels = {state: state_label(state) for state in INITIATIVE_STATES}
    for item in overview.initiatives_by_province(user):
        where = "central" if item.central else item.key
        name = _("The central body") if item.central else province_name(item.key)
        inbox = link("initiatives.inbox", province=where)
        body = Cell(
            name,
            inbox if item.central else url_for("dashboards.province", slug=item.key),
        )
        cells = [Cell(item.key), body]
        for state in INITIATIVE_STATES:
            cells.append(
                number(
                    item.by_state[state],
                    link("initiatives.inbox", province=where, state=state),
                    _(
                        "Initiatives sent to %(body)s in the state %(state)s",
                        body=name,
                        state=labels[state],
                    ),
                )
            )
        cells.append(
            number(
                item.overdue,
                link("initiatives.inbox", province=where, overdue=1),
                _("Initiatives sent to %(body)s, unanswered after their due date", body=name),
            )
        )
        cells.append(number(item.total, inbox, _("Every initiative sent to %(body)s", body=name)))
        rows.append(tuple(cells))
    return Table(
        "initiatives",
        _("Initiatives by province and state"),
        as_of("initiatives"),
        (
            Column(_("Province code"), csv_only=True),
            Column(_("Sent to")),
            *(Column(labels[state], numeric=True) for state in INITIATIVE_STATES),
            Column(_("Overdue"), numeric=True),
            Column(_("Total"), numeric=True),
        ),
        rows,
        csv("initiatives"),
    )


def overview_content(user) -> OverviewContent:
    """The central overview's figures and tables."""
    figures = overview.people(user)

    def csv(table: str) -> str:
        return url_for("dashboards.overview_csv", table=table)

    tables = [
        *_people_tables(figures, csv),
        _uncovered_table(user, figures, csv),
        _gaps_table(user, figures, csv),
        _initiatives_table(user, csv),
    ]
    businesses = services.business_counts(user)
    tables += _business_tables(businesses, csv, _business_country_tip, _business_sector_tip)
    return OverviewContent(figures, {t.id: t for t in tables}, businesses)
