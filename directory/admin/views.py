"""Administration: users, missions and the audit log (admins only, through the policy)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from directory import policy
from directory.accounts import email_links, two_factor
from directory.accounts import services as accounts
from directory.accounts.models import User
from directory.admin import audit_log, services
from directory.admin.audit_labels import ACTION_LABELS, action_label, object_type_label
from directory.admin.forms import (
    KIND_LABELS,
    ROLE_LABELS,
    AuditFilterForm,
    MissionForm,
    UserCreateForm,
    UserEditForm,
)
from directory.core import paging
from directory.core.errors import ValidationError
from directory.core.models import utcnow
from directory.extensions import db
from directory.i18n import current_locale
from directory.missions import services as missions
from directory.missions.models import Mission
from directory.reference.provinces import all_provinces
from directory.text import fold

bp = Blueprint("admin", __name__, url_prefix="/admin")

PER_PAGE = 50


@bp.before_request
@login_required
def _signed_in():
    """Every admin page needs a signed-in user; the policy decides the rest."""


def _page_url(page: int) -> str:
    args = request.args.to_dict()
    args["page"] = page
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def _scope_choices(form) -> None:
    form.mission.choices = [SelectChoice("", "—")] + [
        SelectChoice(m.code, f"{m.code} · {m.name}") for m in missions.all_missions()
    ]
    english = current_locale() == "en"
    form.province.choices = [SelectChoice("", "—")] + [
        SelectChoice(p.slug, p.name_en if english else p.name_vi) for p in all_provinces()
    ]


@bp.get("/")
def index():
    """The administration home: figures, recent audit events, links."""
    policy.require(current_user, "admin.manage")
    stats = services.dashboard()
    return render_template(
        "admin/index.html",
        stats=stats,
        rows=audit_log.describe(stats["recent"]),
        role_labels=ROLE_LABELS,
    )


# --- users ----------------------------------------------------------------------------------


@bp.get("/users")
def users():
    """Users, filtered by role, text, mission, province and state."""
    policy.require(current_user, "admin.manage")
    filters = {
        "role": request.args.get("role") or None,
        "q": request.args.get("q") or None,
        "mission_id": None,
        "province_slug": request.args.get("province") or None,
        "active": request.args.get("active") or None,
    }
    mission_code = request.args.get("mission") or None
    if mission_code:
        mission = missions.mission_by_code(mission_code)
        filters["mission_id"] = mission.id if mission else "-"
    pagination = paging.paginate(services.users_query(**filters), PER_PAGE)
    return render_template(
        "admin/users.html",
        pagination=pagination,
        page_url=_page_url,
        role_labels=ROLE_LABELS,
        missions=missions.all_missions(),
        provinces=all_provinces(),
        args=request.args,
    )


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    """Create an account (officials: with their scope); without a password, email a link."""
    policy.require(current_user, "admin.manage")
    form = UserCreateForm()
    _scope_choices(form)
    status = 200
    if form.validate_on_submit():
        try:
            user = accounts.create_user(
                form.email.data,
                form.password.data or None,
                form.role.data,
                mission=form.mission.data or None,
                province_slug=form.province.data or None,
                approver=form.approver.data,
                locale=form.locale.data,
                display_name=form.display_name.data,
                by=current_user,
            )
        except ValidationError as exc:
            form.show_errors(exc.fields)
            status = 422
        else:
            if not form.password.data:
                email_links.send_account_setup(user, by=current_user)
                flash(_("Account created; a link to choose a password was emailed."), "success")
            else:
                flash(_("Account created."), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
    elif request.method == "POST":
        status = 422
    return render_template("admin/user_form.html", form=form, user=None), status


@bp.route("/users/<user_id>", methods=["GET", "POST"])
def user_edit(user_id: str):
    """Change a user's role, scope, approver flag, or deactivate the account."""
    policy.require(current_user, "admin.manage")
    user = db.session.get(User, user_id) or abort(404)
    form = UserEditForm(obj=None if request.method == "POST" else _EditDefaults(user))
    _scope_choices(form)
    status = 200
    if form.validate_on_submit():
        try:
            accounts.update_user(
                user,
                role=form.role.data,
                mission=form.mission.data or None,
                province_slug=form.province.data or None,
                approver=form.approver.data,
                active=form.active.data,
                display_name=form.display_name.data or "",
                by=current_user,
            )
        except ValidationError as exc:
            db.session.rollback()
            form.show_errors(exc.fields)
            status = 422
        else:
            flash(_("Changes saved."), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
    elif request.method == "POST":
        status = 422
    return render_template("admin/user_form.html", form=form, user=user, now=utcnow()), status


@bp.post("/users/<user_id>/unlock")
def user_unlock(user_id: str):
    """End a lock from wrong passwords before its time."""
    policy.require(current_user, "admin.manage")
    user = db.session.get(User, user_id) or abort(404)
    accounts.unlock_account(user, by=current_user)
    flash(_("The account is unlocked."), "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))


@bp.route("/users/<user_id>/reset-two-factor", methods=["GET", "POST"])
def user_reset_two_factor(user_id: str):
    """Reset a user's two-factor sign-in (lost phone and recovery codes), after confirmation:
    they set it up again at their next sign-in."""
    policy.require(current_user, "admin.manage")
    user = db.session.get(User, user_id) or abort(404)
    status = 200
    errors: list[str] = []
    if request.method == "POST":
        try:
            two_factor.reset_two_factor(user, by=current_user)
        except ValidationError as exc:
            errors = list(exc.fields.values())
            status = 409
        else:
            flash(
                _(
                    "Two-factor sign-in is reset: %(email)s sets it up again at the next sign-in.",
                    email=user.email,
                ),
                "success",
            )
            return redirect(url_for("admin.user_edit", user_id=user.id))
    return render_template("admin/user_reset_two_factor.html", user=user, errors=errors), status


class _EditDefaults:
    """The form's initial values for an existing user."""

    def __init__(self, user: User):
        self.display_name = user.display_name
        self.role = user.role
        self.mission = user.mission.code if user.mission else ""
        self.province = user.province_slug or ""
        self.approver = user.is_approver
        self.active = user.is_active_flag


# --- missions -------------------------------------------------------------------------------


@bp.get("/missions", endpoint="missions")
def missions_list():
    """Every mission with the countries it covers."""
    policy.require(current_user, "admin.manage")
    return render_template(
        "admin/missions.html", missions=missions.all_missions(), kind_labels=KIND_LABELS
    )


@bp.route("/missions/new", methods=["GET", "POST"])
def mission_new():
    """Add a mission."""
    policy.require(current_user, "admin.manage")
    form = MissionForm()
    status = 200
    if form.validate_on_submit():
        try:
            mission = missions.create_mission(
                form.code.data,
                form.name.data,
                form.countries.data,
                kind=form.kind.data,
                city=form.city.data,
                email=form.email.data or None,
                by=current_user,
            )
        except ValidationError as exc:
            form.show_errors(exc.fields)
            status = 422
        else:
            flash(_("Mission created."), "success")
            return redirect(url_for("admin.mission_edit", mission_id=mission.id))
    elif request.method == "POST":
        status = 422
    return render_template("admin/mission_form.html", form=form, mission=None), status


@bp.route("/missions/<mission_id>", methods=["GET", "POST"])
def mission_edit(mission_id: str):
    """Change a mission's name, kind, contact or countries."""
    policy.require(current_user, "admin.manage")
    mission = db.session.get(Mission, mission_id) or abort(404)
    form = MissionForm(obj=None if request.method == "POST" else mission)
    if request.method == "GET":
        form.countries.data = ", ".join(mission.countries)
    status = 200
    if form.validate_on_submit():
        try:
            missions.update_mission(
                mission,
                code=form.code.data,
                name=form.name.data,
                countries=form.countries.data,
                kind=form.kind.data,
                city=form.city.data or "",
                email=form.email.data or "",
                by=current_user,
            )
        except ValidationError as exc:
            db.session.rollback()
            form.show_errors(exc.fields)
            status = 422
        else:
            flash(_("Changes saved."), "success")
            return redirect(url_for("admin.mission_edit", mission_id=mission.id))
    elif request.method == "POST":
        status = 422
    officers = db.session.scalars(
        db.select(User).where(User.mission_id == mission.id).order_by(User.email)
    ).all()
    return (
        render_template("admin/mission_form.html", form=form, mission=mission, officers=officers),
        status,
    )


# --- audit ----------------------------------------------------------------------------------


def _audit_filters():
    """The audit filter form read from the query string, and the query it selects."""
    form = AuditFilterForm(request.args)
    form.object_type.choices = [SelectChoice("", "—")] + [
        SelectChoice(t, object_type_label(t)) for t in services.object_types()
    ]
    actions = sorted(ACTION_LABELS, key=lambda code: fold(action_label(code)))
    if form.action.data and form.action.data not in ACTION_LABELS:
        actions.insert(0, form.action.data)  # a prefix ("person.") or an old code, from a link
    form.action.choices = [SelectChoice("", _("All actions"))] + [
        SelectChoice(code, action_label(code)) for code in actions
    ]
    form.validate()
    date_from, date_to = form.parsed_date("date_from"), form.parsed_date("date_to")
    if date_from and date_to and date_to < date_from:
        form.date_to.errors = [*form.date_to.errors, _("The end date is before the start date.")]
    filters = {
        "actor": form.actor.data,
        "action": (form.action.data or "")[:60],
        "object_type": form.object_type.data,
        "object_id": form.object_id.data,
        "date_from": date_from,
        "date_to": date_to,
    }
    return form, services.audit_query(**filters), filters


@bp.get("/audit")
def audit():
    """The audit log, filtered by actor, action, record type and id, and date range."""
    policy.require(current_user, "audit.read")
    form, stmt, _filters = _audit_filters()
    pagination = paging.paginate(stmt, PER_PAGE)
    status = 422 if any(f.errors for f in form) else 200
    return (
        render_template(
            "admin/audit.html",
            form=form,
            pagination=pagination,
            page_url=_page_url,
            rows=audit_log.describe(pagination.items),
            csv_url=url_for(".audit_csv", **request.args.to_dict()),
            object_type=None,
            object_id=None,
        ),
        status,
    )


@bp.get("/audit.csv")
def audit_csv():
    """The filtered audit log as CSV (the download is audited)."""
    policy.require(current_user, "audit.read")
    form, stmt, filters = _audit_filters()
    if any(f.errors for f in form):
        return audit()
    body = audit_log.export_csv(
        current_user, stmt, {k: (str(v) if v else None) for k, v in filters.items()}
    )
    response = Response(body, content_type="text/csv; charset=utf-8")
    name = f"audit-{utcnow().date().isoformat()}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/audit/<object_type>/<object_id>")
def audit_object(object_type: str, object_id: str):
    """The audit trail of one record (other pages link here)."""
    policy.require(current_user, "audit.read")
    object_type, object_id = object_type[:40], object_id[:40]
    stmt = services.audit_query(object_type=object_type, object_id=object_id)
    pagination = paging.paginate(stmt, PER_PAGE)
    names = audit_log.Names({object_type: {object_id}})
    return render_template(
        "admin/audit.html",
        form=None,
        pagination=pagination,
        page_url=_page_url,
        rows=audit_log.describe(pagination.items),
        object_type=object_type,
        object_id=object_id,
        object_type_label=object_type_label(object_type),
        object_name=names.ref(object_type, object_id).text,
        record_url=record_url(object_type, object_id),
    )


def record_url(object_type: str | None, object_id: str | None) -> str | None:
    """A link to the record an audit event is about, when there is a page for it."""
    from flask import current_app

    endpoints = {
        "people": ("people.detail", "person_id"),
        "associations": ("associations.detail", "association_id"),
        "users": ("admin.user_edit", "user_id"),
        "missions": ("admin.mission_edit", "mission_id"),
    }
    if not object_type or not object_id or object_type not in endpoints:
        return None
    endpoint, arg = endpoints[object_type]
    if endpoint not in current_app.view_functions:
        return None
    try:
        return url_for(endpoint, **{arg: object_id})
    except Exception:  # noqa: BLE001 - another domain's URL rule may use another argument name
        return None
