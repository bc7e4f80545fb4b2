"""Pages: one's saved searches (``/search/saved``), saving the current search, opening one."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from directory import policy
from directory.core.errors import ValidationError
from directory.extensions import db
from directory.savedsearch import queries, services
from directory.savedsearch.models import NAME_MAX

bp = Blueprint("savedsearch", __name__)


def filter_titles() -> dict[str, str]:
    """The names of the search's parameters, as a saved search's summary says them."""
    return {
        "q": _("Words"),
        "kind": _("Kind"),
        "field": _("Field"),
        "country": _("Country"),
        "province": _("Hometown"),
        "language": _("Language"),
        "verified": _("Verified"),
        "representative": _("Representative"),
        "added_since": _("Added since"),
        "sort": _("Sort by"),
        "sector": _("Business sector"),
        "presence": _("Presence in Vietnam"),
        "interest_province": _("Province of interest"),
        "size": _("Business size"),
    }


def value_labels() -> dict[str, str]:
    """Labels of the coded values that have no reference list (kinds, yes/no, orders)."""
    from directory.businesses.inputs import PRESENCE_LABELS, SIZE_LABELS

    return {
        "expert": _("Expert"),
        "entrepreneur": _("Entrepreneur"),
        "association": _("Association"),
        "business": _("Business"),
        "true": _("Yes"),
        "false": _("No"),
        "name": _("Name"),
        "updated": _("Last updated"),
        **{k: str(v) for k, v in {**PRESENCE_LABELS, **SIZE_LABELS}.items()},
    }


def _render(template: str, status: int = 200, **context):
    return (
        render_template(
            template,
            filter_titles=filter_titles(),
            value_labels=value_labels(),
            name_max=NAME_MAX,
            **context,
        ),
        status,
    )


def _owned_or_404(saved_id: str):
    saved = queries.get_own(saved_id, current_user)
    if saved is None:
        abort(404)
    return saved


@bp.get("/search/saved")
@login_required
def index():
    """The signed-in user's saved searches, with what is new in each since it was opened."""
    policy.require(current_user, "saved_search.create")
    return _list_page()


def _list_page(errors: dict | None = None, status: int = 200):
    saved = list(db.session.scalars(queries.saved_searches_query(current_user)))
    items = [
        {
            "saved": s,
            "opened_day": queries.opened_day(s),
            "new": queries.count_new(s, current_user),
        }
        for s in saved
    ]
    return _render("savedsearch/index.html", status, items=items, errors=errors or {})


@bp.route("/search/saved/new", methods=["GET", "POST"])
@login_required
def save():
    """Save the search whose arguments are this page's query string, under a name."""
    policy.require(current_user, "saved_search.create")
    errors: dict[str, str] = {}
    try:
        query = services.parse_query(request.args)
    except ValidationError as exc:
        query, errors = {}, dict(exc.fields)
    name = request.form.get("name", "")
    if request.method == "POST" and not errors:
        try:
            saved = services.save_search(current_user, name, request.args)
        except ValidationError as exc:
            db.session.rollback()
            errors = dict(exc.fields)
        else:
            flash(_("The search “%(name)s” was saved.", name=saved.name), "success")
            return redirect(url_for("savedsearch.index"))
    status = 422 if errors else 200
    if errors and request.method == "GET":
        status = 400
    return _render("savedsearch/new.html", status, query=query, name=name, errors=errors)


@bp.get("/search/saved/<saved_id>")
@login_required
def open_search(saved_id: str):
    """Run a saved search (``?new=1``: only what was added since it was last opened)."""
    saved = _owned_or_404(saved_id)
    args = queries.new_since_args(saved) if request.args.get("new") else None
    if args is None:
        args = services.query_args(saved.query)
    services.mark_opened(current_user, saved)
    return redirect(url_for("search.results", **args.to_dict(flat=False)))


@bp.post("/search/saved/<saved_id>/rename")
@login_required
def rename(saved_id: str):
    saved = _owned_or_404(saved_id)
    try:
        services.rename_search(current_user, saved, request.form.get("name", ""))
    except ValidationError as exc:
        db.session.rollback()
        return _list_page({saved.id: exc.fields.get("name", exc.message or "")}, 422)
    flash(_("The search was renamed “%(name)s”.", name=saved.name), "success")
    return redirect(url_for("savedsearch.index"))


@bp.post("/search/saved/<saved_id>/delete")
@login_required
def delete(saved_id: str):
    saved = _owned_or_404(saved_id)
    name = saved.name
    services.delete_search(current_user, saved)
    flash(_("The search “%(name)s” was deleted.", name=name), "success")
    return redirect(url_for("savedsearch.index"))
