"""Need pages: the list with filters, a need with its matches and shortlist, the forms."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from directory import policy
from directory.contacts import queries as contact_queries
from directory.core import paging
from directory.core.errors import ApiError, ValidationError
from directory.extensions import db
from directory.i18n import current_locale
from directory.initiatives import queries as initiative_queries
from directory.needs import matching, queries, services
from directory.needs.forms import (
    ActionForm,
    InterestForm,
    NeedForm,
    ShortlistForm,
    audience_labels,
    status_labels,
    type_labels,
)
from directory.needs.models import NEED_TYPES, STATUSES
from directory.people.forms import field_choices
from directory.reference.countries import country_choices, resolve_country
from directory.reference.fields import resolve_field
from directory.reference.provinces import all_provinces, resolve_province

bp = Blueprint("needs", __name__)

PER_PAGE = 20
MATCHES_PER_PAGE = 10


def _need_or_404(need_id: str):
    need = queries.get_visible(need_id, current_user)
    if need is None:
        abort(404)
    return need


def _labels() -> dict:
    return {
        "type_labels": type_labels(),
        "status_labels": status_labels(),
        "audience_labels": audience_labels(),
    }


def _filters() -> tuple[dict, dict[str, str]]:
    """The list's filters from the query string (canonical values), and messages for bad ones."""
    resolvers = {
        "field": resolve_field,
        "country": resolve_country,
        "province": resolve_province,
        "type": lambda v: v if v in NEED_TYPES else None,
        "status": lambda v: v if v in STATUSES else None,
    }
    filters, errors = {}, {}
    for name, resolve in resolvers.items():
        raw = (request.args.get(name) or "").strip()[:120]
        if not raw:
            continue
        value = resolve(raw)
        if value is None:
            errors[name] = _("Unknown value: %(value)s", value=raw[:60])
        else:
            filters[name] = value
    return filters, errors


@bp.get("/needs")
def index():
    """Needs the visitor may read, filtered by field, country, province, type and status."""
    filters, errors = _filters()
    listing = paging.paginate(queries.needs_query(current_user, filters), PER_PAGE)
    counts = queries.interest_counts(n.id for n in listing.items)
    return render_template(
        "needs/index.html",
        listing=listing,
        counts=counts,
        filters=filters,
        errors=errors,
        field_choices=field_choices(),
        country_choices=country_choices(current_locale()),
        provinces=all_provinces(),
        **_labels(),
    ), (400 if errors else 200)


def _province_choices():
    return [(p.slug, p.name_en if current_locale() == "en" else p.name_vi) for p in all_provinces()]


@bp.route("/needs/new", methods=["GET", "POST"])
@login_required
def create():
    """A province officer publishes a need for their province (the admin, for any)."""
    policy.require(current_user, "need.create")
    provinces = _province_choices() if policy.can(current_user, "need.choose_province") else None
    form = NeedForm(statuses=("open", "in_progress"), provinces=provinces)
    if request.method == "GET":
        form.audience.data = "officials"
        form.status.data = "open"
    elif form.validate_on_submit():
        data = form.to_service_data(creating=True)
        if data is not None:
            try:
                need = services.create_need(data, current_user)
            except ValidationError as exc:
                db.session.rollback()
                for message in form.apply_errors(exc.fields).values():
                    flash(message, "error")
            else:
                flash(_("The need was published."), "success")
                return redirect(url_for("needs.detail", need_id=need.id))
    status = 422 if request.method == "POST" else 200
    return render_template("needs/form.html", form=form, need=None), status


@bp.route("/needs/<need_id>/edit", methods=["GET", "POST"])
@login_required
def edit(need_id: str):
    """Officers of the need's province change it while it is not closed."""
    need = _need_or_404(need_id)
    policy.require(current_user, "need.edit", need)
    statuses = STATUSES if policy.can(current_user, "need.close", need) else ("open", "in_progress")
    form = NeedForm(statuses=statuses)
    if request.method == "GET":
        form.fill_from(need)
    elif form.validate_on_submit():
        data = form.to_service_data(creating=False)
        if data is not None:
            try:
                services.update_need(need, data, current_user)
            except ValidationError as exc:
                db.session.rollback()
                for message in form.apply_errors(exc.fields).values():
                    flash(message, "error")
            except ApiError as exc:
                db.session.rollback()
                flash(exc.message, "error")
            else:
                flash(_("The need was saved."), "success")
                return redirect(url_for("needs.detail", need_id=need.id))
    status = 422 if request.method == "POST" else 200
    return render_template("needs/form.html", form=form, need=need), status


@bp.get("/needs/<need_id>")
def detail(need_id: str):
    """A need; for its province's officers also the matches, interests and shortlist."""
    need = _need_or_404(need_id)
    work = policy.can(current_user, "need.work", need)
    context = {
        "need": need,
        "work": work,
        "interest": queries.interest_of(need, current_user),
        "interest_count": queries.interest_counts([need.id]).get(need.id, 0),
        "interest_form": InterestForm(),
        "answers": initiative_queries.answering(need.id, current_user)
        if current_user.is_authenticated
        else [],
        "action_form": ActionForm(),
        **_labels(),
    }
    if work:
        page = paging.fetch(
            lambda p: matching.candidates(
                need, current_user, (p - 1) * MATCHES_PER_PAGE, p * MATCHES_PER_PAGE
            ),
            MATCHES_PER_PAGE,
        )
        listed = services.shortlist(need)
        people = [c.id for c in page.items if c.kind == "person"] + [e.person_id for e in listed]
        context.update(
            matches=page,
            business_need_types=matching.BUSINESS_NEED_TYPES,
            asks=contact_queries.ask_states(current_user, people),
            business_asks=contact_queries.business_ask_states(
                current_user, [c.id for c in page.items if c.kind == "business"]
            ),
            shortlist=listed,
            interests=[i for i in need.interests if i.person.anonymised_at is None],
            shortlist_form=ShortlistForm(),
        )
    return render_template("needs/detail.html", **context)


def _back(need):
    return redirect(url_for("needs.detail", need_id=need.id))


def _flash_refusal(exc: Exception) -> None:
    db.session.rollback()
    if isinstance(exc, ValidationError):
        for message in exc.fields.values():
            flash(message, "error")
    else:
        flash(exc.message, "error")


@bp.post("/needs/<need_id>/interest")
@login_required
def express_interest(need_id: str):
    need = _need_or_404(need_id)
    policy.require(current_user, "need.interest", need)
    form = InterestForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return _back(need)
    try:
        services.express_interest(need, current_user, form.message.data)
    except (ValidationError, ApiError) as exc:
        _flash_refusal(exc)
    else:
        flash(_("Your interest was sent to the province."), "success")
    return _back(need)


@bp.post("/needs/<need_id>/interest/withdraw")
@login_required
def withdraw_interest(need_id: str):
    need = _need_or_404(need_id)
    policy.require(current_user, "need.interest", need)
    if ActionForm().validate_on_submit():
        try:
            services.withdraw_interest(need, current_user)
        except ApiError as exc:
            _flash_refusal(exc)
        else:
            flash(_("Your interest was withdrawn."), "success")
    return _back(need)


def _set_status(need_id: str, status: str, message: str):
    need = _need_or_404(need_id)
    policy.require(current_user, "need.close", need)
    if ActionForm().validate_on_submit():
        try:
            services.update_need(need, {"status": status}, current_user)
        except (ValidationError, ApiError) as exc:
            _flash_refusal(exc)
        else:
            flash(message, "success")
    return _back(need)


@bp.post("/needs/<need_id>/close")
@login_required
def close(need_id: str):
    return _set_status(need_id, "closed", _("The need was closed."))


@bp.post("/needs/<need_id>/reopen")
@login_required
def reopen(need_id: str):
    return _set_status(need_id, "open", _("The need was reopened."))


@bp.post("/needs/<need_id>/shortlist")
@login_required
def shortlist_add(need_id: str):
    need = _need_or_404(need_id)
    policy.require(current_user, "need.work", need)
    form = ShortlistForm()
    if form.validate_on_submit():
        try:
            _entry, created = services.add_to_shortlist(
                need, form.person_id.data, form.note.data, current_user
            )
        except (ValidationError, ApiError) as exc:
            _flash_refusal(exc)
        else:
            flash(_("Added to the shortlist.") if created else _("The note was saved."), "success")
    else:
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
    return redirect(url_for("needs.detail", need_id=need.id, _anchor="shortlist"))


@bp.post("/needs/<need_id>/shortlist/<person_id>/remove")
@login_required
def shortlist_remove(need_id: str, person_id: str):
    need = _need_or_404(need_id)
    policy.require(current_user, "need.work", need)
    if ActionForm().validate_on_submit():
        try:
            services.remove_from_shortlist(need, person_id, current_user)
        except ApiError as exc:
            _flash_refusal(exc)
        else:
            flash(_("Removed from the shortlist."), "success")
    return redirect(url_for("needs.detail", need_id=need.id, _anchor="shortlist"))


@bp.get("/needs/<need_id>/shortlist.csv")
@login_required
def shortlist_csv(need_id: str):
    """The shortlist as CSV (audited)."""
    need = _need_or_404(need_id)
    policy.require(current_user, "need.work", need)
    body = services.export_shortlist_csv(need, current_user, current_locale())
    return Response(
        body,
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="shortlist-{need.id}.csv"'},
    )
