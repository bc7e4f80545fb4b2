"""Business pages: the list, a business, the register and edit form with the duplicate warning,
verification, and the people linked to it (the profile shows the accepted links)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from directory import policy
from directory.businesses import inputs, queries, services
from directory.businesses.forms import ActionForm, BusinessForm, LinkForm, sector_choices
from directory.businesses.models import SIZE_BANDS
from directory.core import paging
from directory.core.errors import ApiError, ValidationError
from directory.extensions import db
from directory.i18n import current_locale
from directory.policy.businesses import business_groups
from directory.reference.countries import country_choices, resolve_country

bp = Blueprint("businesses", __name__)

PER_PAGE = 20


def _labels() -> dict:
    return {
        "size_labels": inputs.SIZE_LABELS,
        "presence_labels": inputs.PRESENCE_LABELS,
        "interest_labels": inputs.INTEREST_LABELS,
        "ticket_labels": inputs.TICKET_LABELS,
        "role_labels": inputs.ROLE_LABELS,
        "visibility_labels": inputs.VISIBILITY_LABELS,
    }


def _business_or_404(business_id: str):
    business = queries.get_visible(business_id, current_user)
    if business is None:
        abort(404)
    return business


def _filters() -> tuple[dict, dict[str, str]]:
    resolvers = {
        "country": resolve_country,
        "sector": inputs.resolve_sector,
        "size_band": lambda v: v if v in SIZE_BANDS else None,
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


@bp.get("/businesses")
def index():
    """The businesses the visitor may see (officials: all; others: the listed ones)."""
    filters, errors = _filters()
    listing = paging.paginate(queries.businesses_query(current_user, filters), PER_PAGE)
    return render_template(
        "businesses/index.html",
        listing=listing,
        filters=filters,
        errors=errors,
        sector_choices=sector_choices(),
        country_choices=country_choices(current_locale()),
        **_labels(),
    ), (400 if errors else 200)


@bp.get("/businesses/<business_id>")
def detail(business_id: str):
    business = _business_or_404(business_id)
    links = [
        link
        for link in business.links
        if (link.accepted or policy.can(current_user, "business.link", business))
        and policy.can(current_user, "person.view", link.person)
    ]
    from directory.associations.business_members import associations_of_business
    from directory.contacts.queries import business_ask_states

    return render_template(
        "businesses/detail.html",
        business=business,
        ask=business_ask_states(current_user, [business]).get(business.id),
        groups=business_groups(current_user, business),
        links=links,
        associations=associations_of_business(business, current_user),
        link_form=LinkForm(),
        action_form=ActionForm(),
        **_labels(),
    )


def _save(form: BusinessForm, save, business=None):
    """Run ``save(data)``; on a likely duplicate, the form again with the duplicates shown."""
    data = form.to_service_data()
    try:
        return save(data), None
    except services.DuplicateBusiness as exc:
        db.session.rollback()
        return None, exc.duplicates
    except ValidationError as exc:
        db.session.rollback()
        form.show_errors(exc.fields)
    except ApiError as exc:
        db.session.rollback()
        if exc.status == 403:
            abort(403)
        form.form_errors.append(exc.message)
    return None, None


@bp.route("/businesses/new", methods=["GET", "POST"])
@login_required
def create():
    """An embassy officer registers a business operating in the mission's countries."""
    policy.require(current_user, "business.register")
    form = BusinessForm(manage=policy.is_admin(current_user))
    duplicates = None
    if request.method == "GET" and current_user.mission is not None:
        form.country.data = current_user.mission.main_country
    if form.validate_on_submit():
        business, duplicates = _save(form, lambda d: services.create_business(d, current_user))
        if business is not None:
            flash(_("The business was registered."), "success")
            return redirect(url_for("businesses.detail", business_id=business.id))
    status = 200 if request.method == "GET" else (409 if duplicates else 422)
    return render_template(
        "businesses/form.html", form=form, business=None, duplicates=duplicates
    ), status


@bp.route("/businesses/<business_id>/edit", methods=["GET", "POST"])
@login_required
def edit(business_id: str):
    business = _business_or_404(business_id)
    policy.require(current_user, "business.edit", business)
    form = BusinessForm(manage=policy.can(current_user, "business.manage", business))
    duplicates = None
    if request.method == "GET":
        form.fill_from(business)
    elif form.validate_on_submit():
        saved, duplicates = _save(
            form, lambda d: services.update_business(business, d, current_user), business
        )
        if saved is not None:
            flash(_("The business was saved."), "success")
            return redirect(url_for("businesses.detail", business_id=business.id))
    status = 200 if request.method == "GET" else (409 if duplicates else 422)
    return render_template(
        "businesses/form.html", form=form, business=business, duplicates=duplicates
    ), status


@bp.post("/businesses/<business_id>/verify")
@login_required
def verify(business_id: str):
    business = _business_or_404(business_id)
    policy.require(current_user, "business.verify", business)
    if ActionForm().validate_on_submit():
        services.verify_business(business, current_user)
        flash(_("The business is verified."), "success")
    return redirect(url_for("businesses.detail", business_id=business.id))


@bp.post("/businesses/<business_id>/delete")
@login_required
def delete(business_id: str):
    business = _business_or_404(business_id)
    policy.require(current_user, "business.delete", business)
    if ActionForm().validate_on_submit():
        services.delete_business(business, current_user)
        flash(_("The business was removed."), "success")
        return redirect(url_for("businesses.index"))
    return redirect(url_for("businesses.detail", business_id=business.id))


@bp.post("/businesses/<business_id>/people")
@login_required
def link(business_id: str):
    business = _business_or_404(business_id)
    policy.require(current_user, "business.link", business)
    form = LinkForm()
    if form.validate_on_submit():
        try:
            entry, _created = services.link_person(business, form.to_service_data(), current_user)
        except ValidationError as exc:
            db.session.rollback()
            for message in exc.fields.values():
                flash(message, "error")
        except ApiError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            flash(
                _("The person is linked.")
                if entry.accepted
                else _("The link waits for the person to accept it."),
                "success",
            )
    else:
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
    return redirect(url_for("businesses.detail", business_id=business.id))


@bp.post("/businesses/<business_id>/people/<link_id>/remove")
@login_required
def unlink(business_id: str, link_id: str):
    business = _business_or_404(business_id)
    policy.require(current_user, "business.link", business)
    entry = services.get_link(link_id)
    if entry is None or entry.business_id != business.id:
        abort(404)
    if ActionForm().validate_on_submit():
        services.unlink_person(
            business, {"person_id": entry.person_id, "role": entry.role}, current_user
        )
        flash(_("The link was removed."), "success")
    return redirect(url_for("businesses.detail", business_id=business.id))


@bp.post("/business-links/<link_id>/<decision>")
@login_required
def decide(link_id: str, decision: str):
    """The person (or the mission for an unclaimed profile) accepts or declines a link."""
    entry = services.get_link(link_id)
    if entry is None or decision not in ("accept", "decline"):
        abort(404)
    policy.require(current_user, "business_link.decide", entry)
    person_id = entry.person_id
    if ActionForm().validate_on_submit():
        services.decide_link(entry, decision == "accept", current_user)
        flash(
            _("The link is accepted: it shows on the profile.")
            if decision == "accept"
            else _("The link was declined."),
            "success",
        )
    if request.form.get("next") == "mine":
        return redirect(url_for("people.mine"))
    return redirect(url_for("people.detail", person_id=person_id))


# --- on a person's profile (people/detail.html and people/mine.html include
# businesses/_profile.html) --------------------------------------------------------------------


@bp.app_template_global("businesses_of")
def _businesses_of(person) -> list:
    """The person's accepted links to businesses the viewer may see."""
    return [
        entry
        for entry in queries.links_of_person(person, accepted=True)
        if policy.can(current_user, "business.view", entry.business)
    ]


@bp.app_template_global("business_links_to_accept")
def _business_links_to_accept(person) -> list:
    """The person's links waiting for the viewer to accept them."""
    return [
        entry
        for entry in queries.links_of_person(person, accepted=False)
        if policy.can(current_user, "business_link.decide", entry)
    ]


@bp.app_template_global("business_role_label")
def _business_role_label(role: str) -> str:
    return str(inputs.ROLE_LABELS.get(role, role))
