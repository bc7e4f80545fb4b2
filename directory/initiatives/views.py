"""Pages of the initiatives: the member's list, submission and page; the officials' inbox."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from directory import policy
from directory.core import paging
from directory.core.errors import ApiError, ValidationError
from directory.extensions import db
from directory.i18n import current_locale
from directory.initiatives import queries, services
from directory.initiatives.forms import BulkForm, InitiativeForm, StepForm
from directory.initiatives.forms import province_choices as _province_choices
from directory.initiatives.models import STATES
from directory.reference.provinces import province_by_slug

bp = Blueprint("initiatives", __name__)

PER_PAGE = 25


@bp.app_template_global("initiative_state")
def _initiative_state(state: str) -> str:
    return services.state_label(state)


def action_label(action: str) -> str:
    labels = {
        "triage": _("Triage"),
        "assign": _("Assign"),
        "review": _("Start the review"),
        "answer": _("Send the answer"),
        "adopt": _("Adopt"),
        "decline": _("Decline"),
        "withdraw": _("Withdraw my initiative"),
        "forward": _("Forward to another province"),
        "note": _("Add a private note"),
    }
    return labels.get(action, action)


def event_label(action: str) -> str:
    labels = {
        "submit": _("Initiative received"),
        "triage": _("Triaged"),
        "assign": _("Assigned"),
        "review": _("Review started"),
        "answer": _("Answered"),
        "adopt": _("Adopted"),
        "decline": _("Declined"),
        "withdraw": _("Withdrawn by the submitter"),
        "forward": _("Forwarded to another province"),
        "note": _("Private note added"),
    }
    return labels.get(action, action)


def _done_message(action: str) -> str:
    return {
        "triage": _("The initiative is triaged."),
        "assign": _("The initiative is assigned."),
        "review": _("The review has started."),
        "answer": _("The answer was sent to the submitter."),
        "adopt": _("The initiative is adopted; the submitter is told."),
        "decline": _("The initiative is declined; the submitter is told."),
        "withdraw": _("You withdrew your initiative."),
        "forward": _("The initiative was forwarded."),
        "note": _("The private note was added."),
    }[action]


def _body_name(slug: str | None) -> str:
    if slug is None:
        return _("The central body")
    from directory.core.templating import province_name

    return province_name(slug)


def _field_choices():
    from directory.people.forms import field_choices

    return field_choices()


# --- the member -------------------------------------------------------------------------------


@bp.get("/initiatives/mine")
@login_required
def mine():
    """The initiatives the member submitted, newest first."""
    if not policy.can(current_user, "initiative.list_own"):
        abort(403)
    listing = paging.fetch(
        lambda page: queries.list_initiatives(current_user, own=True, page=page, per_page=PER_PAGE),
        PER_PAGE,
    )
    return render_template(
        "initiatives/mine.html",
        initiatives=listing.items,
        total=listing.total,
        page=listing.page,
        pages=listing.pages,
        is_overdue=services.is_overdue,
        body_name=_body_name,
        can_submit=policy.can(current_user, "initiative.submit"),
    )


@bp.route("/initiatives/new", methods=["GET", "POST"])
@login_required
def new():
    """Submit an initiative to a province or to the central body."""
    if not policy.can(current_user, "initiative.submit"):
        abort(403)
    form = InitiativeForm(locale=current_locale(), field_choices=_field_choices())
    if request.method == "GET" and request.args.get("province"):
        form.province.data = request.args.get("province", "")[:60]
    if request.method == "GET" and request.args.get("need"):
        form.need_id.data = request.args.get("need", "")[:16]
    need = _readable_need(form.need_id.data)
    if request.method == "GET" and need is not None:
        form.province.data = need.province_slug
    if form.validate_on_submit():
        try:
            initiative = services.submit_initiative(form.to_data(), current_user)
        except ValidationError as exc:
            db.session.rollback()
            _apply_errors(form, exc.fields)
        else:
            flash(
                _(
                    "Your initiative was received. An answer is due by %(date)s.",
                    date=_format_date(initiative.due_on),
                ),
                "success",
            )
            return redirect(url_for(".detail", initiative_id=initiative.id), 303)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "initiatives/new.html", form=form, need=need, answer_days=services.answer_days()
    ), status


def _readable_need(need_id):
    """The need named by the form, when the member may read it (else None: not shown)."""
    from directory.needs import queries as need_queries

    return need_queries.get_visible(need_id or None, current_user)


def _format_date(value) -> str:
    from flask_babel import format_date

    return format_date(value, "long")


def _apply_errors(form, errors: dict[str, str]) -> None:
    """Show service errors beside their fields; the rest as messages."""
    for name, message in errors.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors or []), message]
        else:
            flash(message, "error")


# --- the officials' inbox ---------------------------------------------------------------------


def _inbox_filters() -> dict:
    state = request.args.get("state") or None
    assignee = (request.args.get("assignee") or "").strip()[:64] or None
    # The receiving body: a province's slug or "central" (the overview's links); else all.
    province = (request.args.get("province") or "").strip()[:64] or None
    if province != "central" and province_by_slug(province) is None:
        province = None
    return {
        "state": state if state in STATES else None,
        "assignee": assignee,
        "overdue": request.args.get("overdue") in ("1", "on", "true"),
        "province": province,
    }


def _colleagues():
    slug = current_user.province_slug if current_user.role == "province" else None
    return queries.colleagues(slug)


@bp.get("/initiatives")
@login_required
def inbox():
    """The initiatives of the official's province (the admin: all), open and earliest due first."""
    if not policy.can(current_user, "initiative.inbox"):
        if policy.can(current_user, "initiative.list_own"):
            return redirect(url_for(".mine"))
        abort(403)
    filters = _inbox_filters()
    listing = paging.fetch(
        lambda page: queries.list_initiatives(
            current_user, **filters, page=page, per_page=PER_PAGE
        ),
        PER_PAGE,
    )
    return _render_inbox(listing, filters)


def _render_inbox(listing, filters, results=None, status: int = 200):
    colleagues = _colleagues()
    bulk = BulkForm()
    bulk.assignee_id.choices = [(u.id, u.name) for u in colleagues]
    return render_template(
        "initiatives/inbox.html",
        initiatives=listing.items,
        total=listing.total,
        page=listing.page,
        pages=listing.pages,
        filters=filters,
        states=STATES,
        colleagues=colleagues,
        bulk=bulk,
        results=results,
        is_overdue=services.is_overdue,
        body_name=_body_name,
    ), status


@bp.post("/initiatives/bulk")
@login_required
def bulk():
    """Triage or assign the ticked initiatives, each on its own; a result per item."""
    if not policy.can(current_user, "initiative.inbox"):
        abort(403)
    form = BulkForm()
    form.assignee_id.choices = [(u.id, u.name) for u in _colleagues()]
    ids = [i[:64] for i in request.form.getlist("ids")][:200]
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return redirect(url_for(".inbox"), 303)
    if not ids:
        flash(_("Tick the initiatives to act on first."), "error")
        return redirect(url_for(".inbox"), 303)
    data = {"assignee_id": form.assignee_id.data} if form.action.data == "assign" else {}
    results = services.bulk_action(ids, form.action.data, current_user, data)
    done = sum(r.ok for r in results)
    flash(
        _("%(done)s of %(count)s initiatives done.", done=done, count=len(results)),
        "success" if done == len(results) else "warning",
    )
    filters = _inbox_filters()
    listing = paging.fetch(
        lambda page: queries.list_initiatives(
            current_user, **filters, page=page, per_page=PER_PAGE
        ),
        PER_PAGE,
    )
    return _render_inbox(listing, filters, results=results)


# --- one initiative ---------------------------------------------------------------------------


def _initiative_or_404(initiative_id: str):
    initiative = queries.get_visible(initiative_id[:64], current_user)
    if initiative is None:
        abort(404)
    return initiative


@bp.get("/initiatives/<initiative_id>")
@login_required
def detail(initiative_id: str):
    """The initiative: for officials with notes, full history and steps; for the submitter the
    state, the due date, the answer and the state changes."""
    return _render_detail(_initiative_or_404(initiative_id))


def _render_detail(initiative, failed: tuple | None = None, status: int = 200):
    actions = services.allowed_actions(initiative, current_user)
    forms = {action: StepForm(prefix=action) for action in actions}
    failed_action, failed_fields = None, {}
    if failed is not None:
        failed_action, form, failed_fields = failed
        forms[failed_action] = form
    internal = policy.can(current_user, "initiative.view_internal", initiative)
    colleagues = queries.colleagues(initiative) if "assign" in actions else []
    provinces = [
        (slug, name)
        for slug, name in _province_choices(current_locale())
        if slug != initiative.province_slug
    ]
    history = queries.history_for(initiative, current_user)
    user_names = queries.user_names(
        e.details.get("assignee_id") for e in history if internal and e.details
    )
    for form in forms.values():
        form.assignee_id.choices = [(u.id, u.name) for u in colleagues]
        form.province.choices = [("", _("Choose a province")), *provinces]
    return render_template(
        "initiatives/detail.html",
        initiative=initiative,
        internal=internal,
        history=history,
        user_names=user_names,
        overdue=services.is_overdue(initiative),
        actions=actions,
        forms=forms,
        failed_action=failed_action,
        failed_fields=failed_fields,
        action_label=action_label,
        event_label=event_label,
        body_name=_body_name,
        show_audit=policy.can(current_user, "audit.read"),
    ), status


@bp.post("/initiatives/<initiative_id>/<action>")
@login_required
def act(initiative_id: str, action: str):
    """Take one step from the initiative's page."""
    initiative = _initiative_or_404(initiative_id)
    if action not in services.ACTIONS:
        abort(404)
    form = StepForm(prefix=action)
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return redirect(url_for(".detail", initiative_id=initiative.id), 303)
    key = {"answer": "answer", "decline": "answer", "note": "text"}.get(action)
    data = {key: form.text.data or ""} if key else {}
    if action == "assign":
        data["assignee_id"] = form.assignee_id.data or ""
    if action == "forward":
        data["province"] = form.province.data or ""
    try:
        services.take_action(initiative, action, current_user, data)
    except ApiError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        if exc.status == 403:
            return redirect(url_for(".detail", initiative_id=initiative.id), 303)
    except ValidationError as exc:
        db.session.rollback()
        initiative = _initiative_or_404(initiative_id)
        mapped = {("text" if k in ("answer", "text") else k): v for k, v in exc.fields.items()}
        return _render_detail(initiative, (action, form, mapped), 422)
    else:
        flash(_done_message(action), "success")
    if queries.get_visible(initiative.id, current_user) is None:
        return redirect(url_for(".inbox"), 303)
    return redirect(url_for(".detail", initiative_id=initiative.id), 303)
