"""Profile pages: detail, registration by a mission, editing, the member's own profile."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from directory import policy
from directory.associations.services import memberships_of
from directory.core import paging
from directory.core.errors import ValidationError
from directory.core.forms import flash_leftover
from directory.extensions import db
from directory.people import consent, data_protection, queries, services
from directory.people.claims import invitation_history
from directory.people.forms import (
    ActionForm,
    DeleteAccountForm,
    MissionEditForm,
    OwnProfileForm,
    PersonForm,
    PrivacyForm,
    RegisterPersonForm,
)
from directory.people.models import Person
from directory.people.serializers import record_contact_view

bp = Blueprint("people", __name__)

PER_PAGE = 25


def visible_person_or_404(person_id: str) -> Person:
    """The person, or 404 when it does not exist or the viewer may not see it (never 403)."""
    person = db.session.get(Person, person_id) if len(person_id) <= 16 else None
    if person is None or not policy.can(current_user, "person.view", person):
        abort(404)
    return person


@bp.get("/people/<person_id>")
def detail(person_id: str):
    """A profile, showing only what the viewer may see.

    The member may preview their own profile as others see it (``?as=public`` or
    ``?as=official``): the page is then decided for a stand-in viewer by the same policy.
    """
    person = visible_person_or_404(person_id)
    preview = request.args.get("as")
    if preview not in policy.PREVIEW_AS or not policy.owns_person(current_user, person):
        preview = None
    if preview:
        viewer = policy.preview_viewer(preview)
        if not policy.can(viewer, "person.view", person):
            return render_template(
                "people/detail.html", person=person, preview=preview, hidden=True
            )
        return render_template(
            "people/detail.html",
            person=person,
            groups=policy.visible_groups(viewer, person),
            memberships=[m for m in memberships_of(person) if m.association is not None],
            proposals=[],
            action_form=None,
            owner=False,
            preview=preview,
            viewer_can=lambda action, obj=None: policy.can(viewer, action, obj),
        )
    groups = policy.visible_groups(current_user, person)
    if "contact" in groups:
        record_contact_view(person, current_user)
    memberships = [m for m in memberships_of(person) if m.association is not None]
    # The registering mission answers the proposals of a profile nobody has claimed yet (the
    # member answers theirs from their own page).
    owner = policy.owns_person(current_user, person)
    proposals = [
        m
        for m in ([] if owner else memberships_of(person, "proposed"))
        if policy.can(current_user, "membership.decide", m)
    ]
    # The invitations sent, for those who may send one (the history decides "Send again").
    invitations = (
        invitation_history(person) if policy.can(current_user, "person.invite", person) else []
    )
    return render_template(
        "people/detail.html",
        person=person,
        groups=groups,
        memberships=memberships,
        proposals=proposals,
        action_form=ActionForm(),
        owner=owner,
        preview=None,
        invitations=invitations,
    )


def _unconfirmed_duplicates(form) -> list[dict]:
    """The likely duplicates of a new profile, unless the person submitting confirmed it is new.

    Shown before anything is saved (docs/product-rules.md, "Duplicates at registration").
    """
    if form.confirm_new.data:
        return []
    return queries.likely_duplicates(form.to_service_data(), current_user)


@bp.route("/people/register", methods=["GET", "POST"])
@login_required
def register():
    """An embassy officer registers a person living in one of the mission's countries."""
    policy.require(current_user, "person.register")
    mission = current_user.mission
    form = RegisterPersonForm(
        countries=mission.countries if mission is not None else None,
        default_country=mission.main_country if mission is not None else None,
    )
    duplicates: list = []
    if form.validate_on_submit() and not (duplicates := _unconfirmed_duplicates(form)):
        try:
            person = services.register_person(form.to_service_data(), current_user)
        except ValidationError as exc:
            db.session.rollback()
            flash_leftover(form.apply_errors(exc.fields))
        else:
            flash(_("The profile was registered."), "success")
            return redirect(url_for("people.detail", person_id=person.id))
    status = 422 if request.method == "POST" and not duplicates else 200
    return render_template("people/register.html", form=form, duplicates=duplicates), status


@bp.route("/people/<person_id>/edit", methods=["GET", "POST"])
@login_required
def edit(person_id: str):
    """Edit every field of a profile (the member, the covering mission before a claim, admin)."""
    person = visible_person_or_404(person_id)
    policy.require(current_user, "person.edit", person)
    countries = None
    if policy.role(current_user) == "embassy" and current_user.mission is not None:
        countries = sorted({*current_user.mission.countries, person.country or ""} - {""})
    # An official editing an unclaimed profile may record consent (with its evidence).
    official_privacy = not policy.owns_person(current_user, person) and (
        services.may_manage_privacy(current_user, person)
    )
    form = (MissionEditForm if official_privacy else PersonForm)(countries=countries)
    if request.method == "GET":
        form.fill_from(person)
    elif form.validate_on_submit():
        try:
            services.update_person(person, form.to_service_data(), current_user)
        except ValidationError as exc:
            db.session.rollback()
            flash_leftover(form.apply_errors(exc.fields))
        else:
            flash(_("The profile was saved."), "success")
            return redirect(url_for("people.detail", person_id=person.id))
    status = 422 if request.method == "POST" else 200
    return render_template("people/edit.html", form=form, person=person), status


@bp.post("/people/<person_id>/verify")
@login_required
def verify(person_id: str):
    """Mark a profile verified by the officer's mission."""
    person = visible_person_or_404(person_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    services.verify_person(person, current_user)
    flash(_("The profile is now verified."), "success")
    return redirect(url_for("people.detail", person_id=person.id))


@bp.post("/people/<person_id>/invite")
@login_required
def invite(person_id: str):
    """Email the person a link to claim their profile."""
    from directory.people.claims import send_claim_invitation

    person = visible_person_or_404(person_id)
    policy.require(current_user, "person.invite", person)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        send_claim_invitation(person, current_user)
    except ValidationError as exc:
        db.session.rollback()
        flash_leftover(exc.fields)
    else:
        db.session.commit()
        flash(_("The invitation was sent."), "success")
    return redirect(url_for("people.detail", person_id=person.id))


# --- the member's own profile ---------------------------------------------------------------


def _own_person() -> Person | None:
    return current_user.person if current_user.person_id else None


@bp.get("/people/me")
@login_required
def mine():
    """The member's own profile: edit, privacy, data download, account deletion."""
    person = _own_person()
    if person is None:
        if policy.can(current_user, "person.create_own"):
            return redirect(url_for("people.create_own"))
        abort(404)
    return render_template(
        "people/mine.html",
        person=person,
        missing=queries.missing_from_profile(person),
        memberships=memberships_of(person),
        proposals=memberships_of(person, "proposed"),
        action_form=ActionForm(),
        notice_version=consent.current_notice_version(),
    )


@bp.route("/people/me/new", methods=["GET", "POST"])
@login_required
def create_own():
    """A verified member without a profile creates it."""
    if _own_person() is not None:
        return redirect(url_for("people.mine"))
    policy.require(current_user, "person.create_own")
    form = OwnProfileForm()
    duplicates: list = []
    if form.validate_on_submit() and not (duplicates := _unconfirmed_duplicates(form)):
        try:
            services.create_own_profile(current_user, form.to_service_data())
        except ValidationError as exc:
            db.session.rollback()
            flash_leftover(form.apply_errors(exc.fields))
        else:
            flash(_("Your profile was created."), "success")
            return redirect(url_for("people.mine"))
    status = 422 if request.method == "POST" and not duplicates else 200
    return render_template(
        "people/create_own.html",
        form=form,
        duplicates=duplicates,
        notice_version=consent.current_notice_version(),
    ), status


@bp.route("/people/me/privacy", methods=["GET", "POST"])
@login_required
def privacy():
    """Visibility per group of fields and consent, with the privacy notice version."""
    person = _own_person()
    if person is None:
        abort(404)
    form = PrivacyForm()
    if request.method == "GET":
        form.visibility_profile.data = person.visibility_profile
        form.visibility_contact.data = person.visibility_contact
        form.consent_listed.data = person.consent_listed
        form.consent_contact.data = person.consent_contact
        form.contact_requests_enabled.data = person.contact_requests_enabled
    elif form.validate_on_submit():
        services.set_visibility(
            person,
            profile=form.visibility_profile.data,
            contact=form.visibility_contact.data,
            by=current_user,
            commit=False,
        )
        services.set_consent(
            person,
            listed=form.consent_listed.data,
            contact=form.consent_contact.data,
            by=current_user,
            commit=False,
        )
        services.set_contact_requests(
            person, form.contact_requests_enabled.data, by=current_user, commit=False
        )
        db.session.commit()
        flash(_("Your privacy settings were saved."), "success")
        return redirect(url_for("people.mine"))
    return render_template(
        "people/privacy.html",
        form=form,
        person=person,
        notice_version=consent.current_notice_version(),
    ), (422 if request.method == "POST" else 200)


@bp.post("/people/me/data")
@login_required
def download():
    """All the data held about the member, as a JSON attachment (audited)."""
    person = _own_person()
    if person is None:
        abort(404)
    policy.require(current_user, "person.export", person)
    if not ActionForm().validate_on_submit():
        abort(400)
    data = data_protection.export_person_data(person, by=current_user)
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="kieubao-{person.id}.json"'},
    )


@bp.route("/people/me/delete", methods=["GET", "POST"])
@login_required
def delete_account():
    """Delete the account after a confirmation step; the profile is anonymised."""
    form = DeleteAccountForm()
    if form.validate_on_submit():
        data_protection.delete_account(current_user._get_current_object())
        logout_user()
        flash(_("Your account was deleted and your profile anonymised."), "success")
        return redirect(url_for("core.index"))
    status = 422 if request.method == "POST" else 200
    return render_template("people/delete.html", form=form), status


# --- the mission's people -------------------------------------------------------------------


def _yes_no(raw: str | None) -> bool | None:
    """Read a "yes" or "no" filter of a list; anything else is no filter."""
    return {"yes": True, "no": False}.get(raw or "")


@bp.get("/mission/people")
@login_required
def mission_list():
    """People living in the mission's countries, with claimed/verified filters."""
    policy.require(current_user, "person.mission_list")
    claimed = request.args.get("claimed")
    verified = request.args.get("verified")
    country = request.args.get("country")
    query = queries.mission_people(
        current_user,
        claimed=_yes_no(claimed),
        verified=_yes_no(verified),
        country=country or None,
    )
    listing = paging.paginate(query, PER_PAGE)
    return render_template(
        "people/mission_list.html",
        people=listing.items,
        total=listing.total,
        page=listing.page,
        pages=listing.pages,
        countries=queries.mission_countries(current_user),
        filters={"claimed": claimed, "verified": verified, "country": country},
    )
