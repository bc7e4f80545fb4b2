"""Pages of the representative workflow: nominate, inbox, nomination page, public register."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import pgettext
from flask_login import current_user, login_required

from directory import policy
from directory.core import paging
from directory.core.errors import ValidationError
from directory.core.forms import flash_leftover
from directory.extensions import db
from directory.i18n import current_locale
from directory.notices.services import inbox_section
from directory.people.models import Person
from directory.reference.countries import country_name, resolve_country
from directory.reference.provinces import all_provinces, resolve_province
from directory.representatives import nominating, refusals, residence, services, states, workflow
from directory.representatives.forms import ActionForm, NominationForm
from directory.representatives.models import STATES
from directory.text import fold

bp = Blueprint("representatives", __name__)

PER_PAGE = 25


@bp.app_template_global("appointments_for")
def _appointments_for(person, include_ended: bool = False):
    """For the profile page: ``{% include "representatives/_appointments.html" %}``."""
    return services.appointments_for(person, include_ended=include_ended)


@bp.app_template_global("nomination_state")
def _nomination_state(state: str) -> str:
    return states.state_label(state)


def _locale() -> str:
    return current_locale()


def _nomination_or_404(nomination_id: str):
    nomination = services.get_visible(nomination_id[:64], current_user)
    if nomination is None:
        abort(404)
    return nomination


def action_label(action: str) -> str:
    labels = {
        "create": pgettext("workflow event", "Created"),
        "submit": _("Submit to the mission"),
        "endorse": _("Endorse"),
        "object": _("Object"),
        "accept": _("Accept the nomination"),
        "decline": _("Decline the nomination"),
        "approve": _("Approve the appointment"),
        "reject": _("Reject"),
        "withdraw": _("Withdraw the nomination"),
        "revoke": _("Revoke the appointment"),
        "resign": _("Resign"),
        "expire": _("Term ended"),
    }
    return labels.get(action, action)


def event_label(action: str) -> str:
    labels = {
        "create": _("Nomination drafted"),
        "submit": _("Submitted to the mission"),
        "endorse": _("Endorsed by the mission"),
        "object": _("Objected to by the mission"),
        "accept": _("Accepted by the nominee"),
        "decline": _("Declined by the nominee"),
        "approve": _("Appointment approved"),
        "reject": _("Rejected by the province"),
        "withdraw": _("Withdrawn by the province"),
        "revoke": _("Appointment revoked by the province"),
        "resign": _("The representative resigned"),
        "expire": _("The term ended"),
    }
    return labels.get(action, action)


def _done_message(action: str) -> str:
    messages = {
        "submit": _("The nomination was sent to the mission for review."),
        "endorse": _("You endorsed the nomination; the nominee is asked for consent."),
        "object": _("You objected to the nomination."),
        "accept": _("Thank you: you accepted. The province will now decide."),
        "decline": _("You declined the nomination."),
        "approve": _("The appointment is approved and now active."),
        "reject": _("The nomination was rejected."),
        "withdraw": _("The nomination was withdrawn."),
        "revoke": _("The appointment was revoked."),
        "resign": _("You resigned from the appointment."),
    }
    return messages[action]


# --- nominate ---------------------------------------------------------------------------------


@bp.route("/people/<person_id>/nominate", methods=["GET", "POST"])
@login_required
def nominate(person_id: str):
    """A province officer nominates this person as the province's representative."""
    person = db.session.get(Person, person_id[:64])
    if person is None or not policy.can(current_user, "person.view", person):
        abort(404)
    if not policy.can(current_user, "nomination.create", person):
        abort(403)
    previous = None
    renew_id = request.args.get("renew")
    if renew_id:
        previous = services.get_visible(renew_id[:64], current_user)
        if previous is None or previous.person_id != person.id:
            abort(404)
        if not policy.can(current_user, "nomination.renew", previous):
            abort(403)

    form = NominationForm(locale=_locale())
    if request.method == "GET":
        if previous is not None:
            renewal = nominating.renewal_data(previous)
            form.country.data = renewal["country"]
            form.region.data = renewal["region"]
            form.rationale.data = renewal["rationale"]
        elif person.country:
            form.country.data = person.country
    blocked = None
    if not person.consent_contact:
        blocked = _(
            "This person has not agreed to be contacted by officials, so they cannot be nominated."
        )
    elif request.method == "POST" and form.validate_on_submit():
        data = {**form.to_data(), "person_id": person.id}
        if previous is not None:
            data["previous_nomination_id"] = previous.id
        try:
            nomination = nominating.create_nomination(data, current_user)
            if request.form.get("submit_now"):
                workflow.submit(nomination, current_user, "")
                flash(_done_message("submit"), "success")
            else:
                flash(_("The nomination was saved as a draft."), "success")
            return redirect(url_for(".detail", nomination_id=nomination.id), 303)
        except ValidationError as exc:
            db.session.rollback()
            flash_leftover(form.apply_errors(exc.fields))
        except refusals.WorkflowError as exc:
            db.session.rollback()
            if exc.fields:
                flash_leftover(form.apply_errors(exc.fields))
            else:
                flash(exc.message, "error")
    return render_template(
        "representatives/nominate.html",
        person=person,
        form=form,
        previous=previous,
        blocked=blocked,
        province_slug=current_user.province_slug,
    )


# --- lists ------------------------------------------------------------------------------------

# How many waiting nominations the inbox shows; the rest are on the "waiting" list.
INBOX_SHOWN = 10


@inbox_section("representatives/_inbox_section.html")
def _inbox_waiting(user):
    """The inbox's section: the nominations waiting for ``user``'s next step, with the steps."""
    items, total = services.list_nominations(user, waiting=True, page=1, per_page=INBOX_SHOWN)
    if not total:
        return None
    return {
        "rows": [(n, states.allowed_actions(n, user)) for n in items],
        "total": total,
        "action_label": action_label,
    }


@bp.get("/nominations")
@login_required
def index():
    """The nominations the viewer may see (a province officer: the province's), by state;
    ``waiting=1``: only those waiting for the viewer's next step (all of the inbox's section)."""
    state = request.args.get("state") or None
    if state not in STATES:
        state = None
    waiting = request.args.get("waiting") == "1"
    listing = paging.fetch(
        lambda page: services.list_nominations(
            current_user, state=state, waiting=waiting, page=page, per_page=PER_PAGE
        ),
        PER_PAGE,
    )
    return render_template(
        "representatives/index.html",
        nominations=listing.items,
        total=listing.total,
        state=state,
        states=STATES,
        waiting=waiting,
        page=listing.page,
        pages=listing.pages,
    )


# --- one nomination ---------------------------------------------------------------------------


@bp.get("/nominations/<nomination_id>")
@login_required
def detail(nomination_id: str):
    """All data, the history as a timeline, and the steps the viewer may take."""
    return _render_detail(_nomination_or_404(nomination_id))


def _render_detail(nomination, failed: tuple | None = None, status: int = 200):
    """The nomination page; ``failed`` = (action, its form, {field: message}) after a 422.

    The viewer's steps share one panel (one comment box, one button per step): the first
    step that moves the nomination forward is the primary button, the destructive ones follow.
    """
    actions = states.allowed_actions(nomination, current_user)
    ordered = [a for a in actions if a not in states.DESTRUCTIVE] + [
        a for a in actions if a in states.DESTRUCTIVE
    ]
    person = nomination.person
    form = ActionForm(prefix="step", formdata=None)
    failed_action, failed_fields = None, {}
    if failed is not None:
        failed_action, failed_form, failed_fields = failed
        form.comment.data = failed_form.comment.data
        form.residence_acknowledged.data = failed_form.residence_acknowledged.data
    residence_warning = None
    if residence.needs_residence_acknowledgement(nomination):
        residence_warning = residence.residence_note(person, nomination.country)
    return render_template(
        "representatives/detail.html",
        nomination=nomination,
        person=person,
        person_groups=policy.visible_groups(current_user, person),
        actions=ordered,
        primary=next((a for a in ordered if a not in states.DESTRUCTIVE), None),
        destructive=states.DESTRUCTIVE,
        form=form,
        failed_action=failed_action,
        failed_fields=failed_fields,
        residence_warning=residence_warning,
        is_nominee=nomination.person_id == current_user.person_id,
        action_label=action_label,
        event_label=event_label,
        event_note=event_note,
        reason_steps=", ".join(action_label(a) for a in ordered if a in states.REASON_REQUIRED),
        confirm_steps=", ".join(action_label(a) for a in ordered if a in states.DESTRUCTIVE),
        today=workflow.today(),
        approved_on=nomination.decided_at.date()
        if nomination.decided_at and nomination.state != "rejected"
        else None,
        show_audit=policy.can(current_user, "audit.read"),
        can_renew=nomination.state in states.RENEWABLE_STATES
        and policy.can(current_user, "nomination.renew", nomination),
    ), status


def event_note(event, nomination) -> str | None:
    """What the timeline adds under a step taken knowing the nominee lives elsewhere."""
    if not event.residence_exception:
        return None
    country = country_name(nomination.country, _locale())
    if event.action == "create":
        return _(
            "The province confirmed the nomination although the nominee does not live in "
            "%(country)s.",
            country=country,
        )
    return _(
        "The mission endorsed knowing that the nominee does not live in %(country)s.",
        country=country,
    )


@bp.post("/nominations/<nomination_id>/<action>")
@login_required
def act(nomination_id: str, action: str):
    """Take one step of the workflow from the nomination page."""
    nomination = _nomination_or_404(nomination_id)
    if action not in states.USER_ACTIONS:
        abort(404)
    # The page's panel sends ``step-…`` fields; a form of one step (``<action>-…``) is read too.
    prefix = action if any(k.startswith(f"{action}-") for k in request.form) else "step"
    form = ActionForm(prefix=prefix)
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return redirect(url_for(".detail", nomination_id=nomination.id), 303)
    extra = {
        "term_start": request.form.get("term_start") or None,
        "term_end": request.form.get("term_end") or None,
        "residence_acknowledged": bool(form.residence_acknowledged.data),
    }
    comment = form.comment.data or ""
    reason_missing = action in states.REASON_REQUIRED and not comment.strip()
    confirm = (
        action in states.DESTRUCTIVE
        and request.form.get("confirmed") != "1"
        and not reason_missing
        and action in states.allowed_actions(nomination, current_user)
    )
    if confirm:
        # A step that refuses or ends is confirmed on a second page (no script needed). A
        # missing reason or a refused step is answered by the workflow at once, as before.
        return render_template(
            "representatives/confirm.html",
            nomination=nomination,
            person=nomination.person,
            action=action,
            form=form,
            action_label=action_label,
        )
    try:
        workflow.take_action(nomination, action, current_user, comment, **extra)
    except refusals.WorkflowError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    except ValidationError as exc:
        # Shown beside the step's fields, with what was typed kept.
        db.session.rollback()
        nomination = _nomination_or_404(nomination_id)
        if exc.message and exc.message not in exc.fields.values():
            flash(exc.message, "error")
        return _render_detail(nomination, (action, form, exc.fields), 422)
    else:
        flash(_done_message(action), "success")
    if not policy.can(current_user, "nomination.view", nomination):
        return redirect(url_for("notices.inbox"), 303)
    return redirect(url_for(".detail", nomination_id=nomination.id), 303)


# --- public register --------------------------------------------------------------------------


@bp.get("/representatives")
def register():
    """Active representatives who consented to be listed: "who represents Đà Nẵng in France?"."""
    raw_province = (request.args.get("province") or "").strip()[:100]
    raw_country = (request.args.get("country") or "").strip()[:100]
    province = resolve_province(raw_province) if raw_province else None
    country = resolve_country(raw_country) if raw_country else None
    problems = []
    if raw_province and province is None:
        problems.append(_("Unknown province: %(value)s", value=raw_province))
    if raw_country and country is None:
        problems.append(_("Unknown country: %(value)s", value=raw_country))
    listing = paging.fetch(
        lambda page: services.register(province=province, country=country, page=page, per_page=50),
        50,
    )
    rows = [
        {
            "nomination": n,
            "person": n.person,
            "show_profile": "profile" in policy.visible_groups(current_user, n.person),
        }
        for n in listing.items
    ]
    # Only the countries someone represents a province in, named in the page's language.
    codes = set(services.register_countries()) | ({country} if country else set())
    countries = sorted(((c, country_name(c, _locale())) for c in codes), key=lambda p: fold(p[1]))
    return render_template(
        "representatives/register.html",
        rows=rows,
        total=listing.total,
        province=province,
        country=country,
        problems=problems,
        provinces=all_provinces(),
        countries=countries,
        page=listing.page,
        pages=listing.pages,
    )
