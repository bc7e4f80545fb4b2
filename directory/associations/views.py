"""Association pages: list with filters, detail with members, create, edit, members."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from directory import policy
from directory.associations import business_members, services
from directory.associations.forms import (
    AssociationForm,
    BusinessMemberForm,
    EndMembershipForm,
    MembershipForm,
    kind_choices,
)
from directory.associations.models import ASSOCIATION_KINDS, Association, Membership
from directory.core import paging
from directory.core.errors import ValidationError
from directory.core.forms import flash_leftover
from directory.extensions import db
from directory.i18n import current_locale
from directory.people.forms import ActionForm
from directory.people.models import Person
from directory.people.queries import NAME_QUERY_MIN, people_named
from directory.reference.countries import country_name, resolve_country
from directory.reference.provinces import resolve_province

bp = Blueprint("associations", __name__)

PER_PAGE = 20
_PERSON_LINK = re.compile(r"(?:/people/)?([0-9a-f]{16})/?$")


def association_or_404(association_id: str) -> Association:
    association = db.session.get(Association, association_id) if len(association_id) <= 16 else None
    if association is None or not policy.can(current_user, "association.view", association):
        abort(404)
    return association


def _mission_countries() -> list[str] | None:
    if policy.role(current_user) == "embassy" and current_user.mission is not None:
        return current_user.mission.countries
    return None


@bp.get("/associations")
def index():
    """Associations, filtered by kind, country and province, paginated."""
    # Pages forgive: an unknown kind, country or province is no filter (the API says 400).
    kind = request.args.get("kind") or None
    country = resolve_country(request.args.get("country") or "")
    province = resolve_province(request.args.get("province") or "")
    query = services.list_associations(
        kind=kind if kind in ASSOCIATION_KINDS else None, country=country, province=province
    )
    listing = paging.paginate(query, PER_PAGE)
    countries = db.session.scalars(sa.select(Association.country).distinct()).all()
    return render_template(
        "associations/index.html",
        associations=listing.items,
        total=listing.total,
        page=listing.page,
        pages=listing.pages,
        filters={"kind": kind, "country": country, "province": province},
        kinds=kind_choices(),
        countries=sorted(countries),
    )


@bp.get("/associations/<association_id>")
def detail(association_id: str):
    """An association with its leaders and members (only people the viewer may see)."""
    association = association_or_404(association_id)
    memberships = services.visible_memberships(association, current_user)
    return render_template(
        "associations/detail.html",
        association=association,
        business_members=business_members.visible_business_members(association, current_user),
        leaders=[m for m in memberships if m.is_leader and m.end_date is None],
        members=[m for m in memberships if not (m.is_leader and m.end_date is None)],
        action_form=ActionForm(),
    )


@bp.route("/associations/new", methods=["GET", "POST"])
@login_required
def create():
    """Register an association (embassy, admin, or a member who will lead it)."""
    policy.require(current_user, "association.create")
    countries = _mission_countries()  # an embassy officer's: their mission's, its own first
    form = AssociationForm(
        countries=countries,
        default_country=current_user.mission.main_country if countries is not None else None,
    )
    if form.validate_on_submit():
        try:
            association = services.create_association(form.to_service_data(), current_user)
        except ValidationError as exc:
            db.session.rollback()
            flash_leftover(form.apply_errors(exc.fields))
        else:
            flash(_("The association was registered."), "success")
            return redirect(url_for("associations.detail", association_id=association.id))
    status = 422 if request.method == "POST" else 200
    return render_template("associations/form.html", form=form, association=None), status


@bp.route("/associations/<association_id>/edit", methods=["GET", "POST"])
@login_required
def edit(association_id: str):
    """Edit an association (its leaders, the covering mission, the admin)."""
    association = association_or_404(association_id)
    policy.require(current_user, "association.edit", association)
    countries = _mission_countries()
    if countries is not None:
        countries = sorted({*countries, association.country})
    form = AssociationForm(countries=countries)
    if request.method == "GET":
        form.fill_from(association)
    elif form.validate_on_submit():
        try:
            services.update_association(association, form.to_service_data(), current_user)
        except ValidationError as exc:
            db.session.rollback()
            flash_leftover(form.apply_errors(exc.fields))
        else:
            flash(_("The association was saved."), "success")
            return redirect(url_for("associations.detail", association_id=association.id))
    status = 422 if request.method == "POST" else 200
    return render_template("associations/form.html", form=form, association=association), status


@bp.post("/associations/<association_id>/verify")
@login_required
def verify(association_id: str):
    """Mark the association verified by the officer's mission."""
    association = association_or_404(association_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    services.verify_association(association, current_user)
    flash(_("The association is now verified."), "success")
    return redirect(url_for("associations.detail", association_id=association.id))


def _person_from_reference(text: str | None) -> Person | None:
    match = _PERSON_LINK.search((text or "").strip())
    return db.session.get(Person, match.group(1)) if match else None


def _candidate(person: Person) -> dict:
    """What the member picker shows of a person: the name, the city and the country."""
    locale = current_locale()
    return {
        "id": person.id,
        "full_name": person.full_name,
        "city": person.city or "",
        "country": person.country or "",
        "country_name": country_name(person.country, locale) if person.country else "",
    }


def _visible_person(person_id: str | None) -> Person | None:
    """The person chosen in the picker, when the user may see them (else None)."""
    person = _person_from_reference(person_id)
    return (
        person if person is not None and policy.can(current_user, "person.view", person) else None
    )


@bp.get("/associations/<association_id>/members/candidates")
@login_required
def member_candidates(association_id: str):
    """The member picker's search as you type: people the user may see, by name (JSON)."""
    association = association_or_404(association_id)
    policy.require(current_user, "association.manage_members", association)
    text = request.args.get("q", "")
    people = people_named(current_user, text)
    response = jsonify({"q": text, "people": [_candidate(p) for p in people]})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/associations/<association_id>/members", methods=["GET", "POST"])
@login_required
def members(association_id: str):
    """Add members (found by name with the picker) and end memberships.

    The picker works without JavaScript: ``?q=`` lists the people found, each with a button
    that comes back with ``?person=<id>`` chosen; the add form then posts that id.
    """
    association = association_or_404(association_id)
    policy.require(current_user, "association.manage_members", association)
    form = MembershipForm()
    query = request.args.get("q", "")[:200]
    if request.method == "GET" and request.args.get("person"):
        form.person.data = request.args.get("person", "")[:300]
    if form.validate_on_submit():
        person = _person_from_reference(form.person.data)
        try:
            membership = services.add_membership(
                association,
                person,
                form.role.data,
                form.start_date.data,
                form.end_date.data,
                by=current_user,
            )
        except ValidationError as exc:
            db.session.rollback()
            flash_leftover(form.apply_errors(exc.fields))
        else:
            if membership.accepted:
                flash(_("The member was added."), "success")
            else:
                flash(
                    _("The membership was proposed. It will be shown once the person accepts it."),
                    "success",
                )
            return redirect(url_for("associations.members", association_id=association.id))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "associations/members.html",
        association=association,
        form=form,
        end_form=EndMembershipForm(),
        memberships=services.visible_memberships(association, current_user),
        proposals=services.visible_memberships(association, current_user, proposals=True),
        query=query,
        candidates=[_candidate(p) for p in people_named(current_user, query)] if query else None,
        chosen=_visible_person(form.person.data),
        name_query_min=NAME_QUERY_MIN,
    ), status


# --- businesses as members (business associations) -------------------------------------------

_BUSINESS_ID = re.compile(r"(?:/businesses/)?([0-9a-f]{16})/?$")


def _visible_business(reference: str | None):
    """The business chosen in the picker (an id or its page's link), if the user may see it."""
    from directory.businesses.queries import get_visible

    match = _BUSINESS_ID.search((reference or "").strip())
    return get_visible(match.group(1), current_user) if match else None


def _business_candidate(business) -> dict:
    """What the business picker shows: the name, a city (if the user may see it), the country."""
    from directory.policy.businesses import business_groups

    profile = "profile" in business_groups(current_user, business)
    return {
        "id": business.id,
        "name": business.name,
        "city": (business.cities or [""])[0] if profile else "",
        "country_name": country_name(business.country, current_locale()),
    }


@bp.get("/associations/<association_id>/businesses/candidates")
@login_required
def business_candidates(association_id: str):
    """The business picker's search as you type: businesses the user may see, by name."""
    from directory.businesses.queries import businesses_named

    association = association_or_404(association_id)
    policy.require(current_user, "association.manage_members", association)
    text = request.args.get("q", "")
    found = businesses_named(current_user, text)
    response = jsonify({"q": text, "businesses": [_business_candidate(b) for b in found]})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/associations/<association_id>/businesses", methods=["GET", "POST"])
@login_required
def businesses(association_id: str):
    """A business association's business members: add (with the picker) and remove.

    Without JavaScript, ``?q=`` lists the businesses found, each with a button coming back
    with ``?business=<id>`` chosen; the add form then posts that id.
    """
    from directory.businesses.queries import businesses_named

    association = association_or_404(association_id)
    policy.require(current_user, "association.manage_members", association)
    if association.kind != "business":
        abort(404)
    form = BusinessMemberForm()
    query = request.args.get("q", "")[:200]
    if request.method == "GET" and request.args.get("business"):
        form.business.data = request.args.get("business", "")[:300]
    if form.validate_on_submit():
        chosen = _visible_business(form.business.data)
        try:
            business_members.add_business_member(
                association, chosen, current_user, since=form.since.data
            )
        except ValidationError as exc:
            db.session.rollback()
            flash_leftover(form.apply_errors(exc.fields))
        else:
            flash(_("The business was added to the members."), "success")
            return redirect(url_for("associations.businesses", association_id=association.id))
    status = 422 if request.method == "POST" else 200
    found = businesses_named(current_user, query) if query else None
    return render_template(
        "associations/businesses.html",
        association=association,
        form=form,
        remove_form=ActionForm(),
        members=business_members.visible_business_members(association, current_user),
        query=query,
        candidates=[_business_candidate(b) for b in found] if found is not None else None,
        chosen=_visible_business(form.business.data),
    ), status


@bp.post("/associations/<association_id>/businesses/<business_id>/remove")
@login_required
def remove_business(association_id: str, business_id: str):
    association = association_or_404(association_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        business_members.remove_business_member(association, business_id, current_user)
    except ValidationError:
        abort(404)
    flash(_("The business is no longer listed as a member."), "success")
    return redirect(url_for("associations.businesses", association_id=association.id))


@bp.post("/associations/<association_id>/members/<membership_id>/end")
@login_required
def end_member(association_id: str, membership_id: str):
    """Close one membership."""
    association = association_or_404(association_id)
    policy.require(current_user, "association.manage_members", association)
    membership = services.membership_or_none(association, membership_id)
    if membership is None:
        abort(404)
    form = EndMembershipForm()
    if not form.validate_on_submit():
        flash(_("Enter a date as YYYY-MM-DD."), "error")
    else:
        try:
            services.end_membership(membership, form.end_date.data, by=current_user)
        except ValidationError as exc:
            db.session.rollback()
            flash_leftover(exc.fields)
        else:
            flash(_("The membership was ended."), "success")
    return redirect(url_for("associations.members", association_id=association.id))


# --- membership proposals: the person (or the registering mission) decides ---------------

# Where the accept/decline buttons may send the user back to.
_BACK = {"mine": "people.mine", "proposals": "associations.proposals"}


@bp.get("/memberships/proposals")
@login_required
def proposals():
    """The membership proposals waiting for the user: their own, or their mission's people."""
    return render_template(
        "associations/proposals.html",
        proposals=services.pending_proposals(current_user),
        action_form=ActionForm(),
    )


def _decide(membership_id: str, accept: bool):
    membership = db.session.get(Membership, membership_id) if len(membership_id) <= 16 else None
    if membership is None or not policy.can(current_user, "membership.decide", membership):
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        if accept:
            services.accept_membership(membership, current_user)
        else:
            services.decline_membership(membership, current_user)
    except ValidationError as exc:
        db.session.rollback()
        flash_leftover(exc.fields)
    else:
        if accept:
            flash(_("You accepted the membership; it is now shown."), "success")
        else:
            flash(_("You declined the membership; it will not be shown."), "success")
    back = request.form.get("next")
    if back == "person":
        return redirect(url_for("people.detail", person_id=membership.person_id))
    return redirect(url_for(_BACK.get(back, "associations.proposals")))


@bp.post("/memberships/<membership_id>/accept")
@login_required
def accept_membership(membership_id: str):
    """Accept a proposed membership."""
    return _decide(membership_id, True)


@bp.post("/memberships/<membership_id>/decline")
@login_required
def decline_membership(membership_id: str):
    """Decline a proposed membership."""
    return _decide(membership_id, False)
