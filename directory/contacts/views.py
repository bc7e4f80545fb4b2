"""Pages of contact requests: ask from a profile, the list, one request and its answer."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from directory import policy
from directory.contacts import business_requests, services
from directory.contacts.forms import AcceptForm, DeclineForm, RequestForm, WithdrawForm
from directory.contacts.models import STATES
from directory.core import paging
from directory.core.errors import ValidationError
from directory.extensions import db
from directory.people.models import Person

bp = Blueprint("contacts", __name__)

PER_PAGE = 25

FORMS = {"accept": AcceptForm, "decline": DeclineForm, "withdraw": WithdrawForm}


def _done_message(action: str) -> str:
    return {
        "accept": _("You accepted: the official now sees the contact details you chose."),
        "decline": _("You declined the request. Nothing was shared."),
        "withdraw": _("The request was withdrawn."),
    }[action]


def _need_shown(need_id):
    """The need named by the form, when the official may read it (else None: not shown)."""
    try:
        return services.clean_need(need_id or None, current_user)
    except ValidationError:
        return None


@bp.route("/people/<person_id>/contact-request", methods=["GET", "POST"])
@login_required
def ask(person_id: str):
    """An official asks to be put in touch with this person."""
    person = db.session.get(Person, person_id) if len(person_id) <= 16 else None
    if person is None or not policy.can(current_user, "person.view", person):
        abort(404)
    if not policy.can(current_user, "contact_request.create", person):
        abort(403)
    form = RequestForm()
    if request.method == "GET":
        form.need_id.data = request.args.get("need") or ""
    need = _need_shown(form.need_id.data)
    status = 200
    problem = services.why_not(person, current_user)
    if problem is None and form.validate_on_submit():
        try:
            contact_request = services.create_request(
                current_user, person.id, form.message.data, need=form.need_id.data or None
            )
        except ValidationError as exc:
            db.session.rollback()
            for name, message in exc.fields.items():
                field = getattr(form, name, None)
                if field is not None:
                    field.errors = [*list(field.errors or []), message]
                else:
                    flash(message, "error")
            status = 422
        except services.ContactError as exc:
            problem, status = exc, exc.status
        else:
            flash(_("Your request was sent. You will be told when the member answers."), "success")
            return redirect(url_for(".detail", request_id=contact_request.id), 303)
    elif request.method == "POST":
        status = problem.status if problem is not None else 422
    return render_template(
        "contacts/ask.html",
        person=person,
        form=form,
        problem=problem.message if problem is not None else None,
        need=need,
        days=current_app.config["CONTACT_REQUEST_DAYS"],
    ), status


@bp.route("/businesses/<business_id>/contact-request", methods=["GET", "POST"])
@login_required
def ask_business(business_id: str):
    """An official asks to be put in touch with a business: the request goes to its contact
    person, under the same rules as a request to that person."""
    from directory.businesses.queries import contact_person, get_visible

    business = get_visible(business_id, current_user)
    if business is None:
        abort(404)
    if not policy.is_official(current_user):
        abort(403)
    form = RequestForm()
    if request.method == "GET":
        form.need_id.data = request.args.get("need") or ""
    need = _need_shown(form.need_id.data)
    status = 200
    problem = business_requests.business_why_not(business, current_user)
    if problem is None and form.validate_on_submit():
        try:
            contact_request = business_requests.create_business_request(
                current_user, business.id, form.message.data, need=form.need_id.data or None
            )
        except ValidationError as exc:
            db.session.rollback()
            for name, message in exc.fields.items():
                field = getattr(form, name, None)
                if field is not None:
                    field.errors = [*list(field.errors or []), message]
                else:
                    flash(message, "error")
            status = 422
        except services.ContactError as exc:
            problem, status = exc, exc.status
        else:
            flash(
                _(
                    "Your request was sent to the business's contact person. You will be told when they answer."
                ),
                "success",
            )
            return redirect(url_for(".detail", request_id=contact_request.id), 303)
    elif request.method == "POST":
        status = problem.status if problem is not None else 422
    return render_template(
        "contacts/ask.html",
        business=business,
        person=contact_person(business),
        form=form,
        problem=problem.message if problem is not None else None,
        need=need,
        days=current_app.config["CONTACT_REQUEST_DAYS"],
    ), status


@bp.get("/contact-requests")
@login_required
def index():
    """The requests the user sent, or that were sent to them (all for the admin)."""
    policy.require(current_user, "contact_request.list")
    state = services.check_state(request.args.get("state"))
    listing = paging.paginate(services.requests_for(current_user, state=state), PER_PAGE)
    return render_template(
        "contacts/index.html",
        requests=listing.items,
        total=listing.total,
        page=listing.page,
        pages=listing.pages,
        state=state,
        states=STATES,
        state_label=services.state_label,
        requester_line=services.requester_line,
    )


def _request_or_404(request_id: str):
    found = services.get_visible(request_id, current_user)
    if found is None:
        abort(404)
    return found


@bp.get("/contact-requests/<request_id>")
@login_required
def detail(request_id: str):
    return _render_detail(_request_or_404(request_id))


def _render_detail(contact_request, forms: dict | None = None, status: int = 200):
    """The request; its shared contact details for the official who asked (audited)."""
    forms = forms or {}
    asked = policy.can(current_user, "contact_request.answer", contact_request)
    pending = contact_request.state == "pending"
    accept_form = forms.get("accept") or AcceptForm(prefix="accept")
    shareable = services.shareable_fields(contact_request.person)
    if request.method == "GET" and "email" not in shareable:
        accept_form.share_email.data = False
    return render_template(
        "contacts/detail.html",
        contact_request=contact_request,
        person=contact_request.person,
        who=services.requester_description(contact_request.requester),
        state_label=services.state_label,
        field_label=services.field_label,
        contact=services.contact_details(contact_request, current_user),
        need=contact_request.need,
        may_answer=asked and pending,
        may_withdraw=pending
        and policy.can(current_user, "contact_request.withdraw", contact_request),
        is_requester=contact_request.requester_id == current_user.id,
        is_asked=asked,
        shareable=shareable,
        accept_form=accept_form,
        decline_form=forms.get("decline") or DeclineForm(prefix="decline"),
        withdraw_form=forms.get("withdraw") or WithdrawForm(prefix="withdraw"),
    ), status


@bp.post("/contact-requests/<request_id>/<action>")
@login_required
def act(request_id: str, action: str):
    """Accept, decline or withdraw from the request's page."""
    contact_request = _request_or_404(request_id)
    if action not in FORMS:
        abort(404)
    form = FORMS[action](prefix=action)
    if not form.validate_on_submit():
        return _render_detail(contact_request, {action: form}, 422)
    data = {}
    if action == "accept":
        data["share"] = form.shared()
    elif action == "decline":
        data["reason"] = form.reason.data or None
    try:
        services.take_action(contact_request, action, current_user, data)
    except ValidationError as exc:
        db.session.rollback()
        for message in exc.fields.values():
            if action == "accept":
                form.share_email.errors = [*list(form.share_email.errors or []), message]
            else:
                flash(message, "error")
        contact_request = _request_or_404(request_id)
        return _render_detail(contact_request, {action: form}, 422)
    except services.ContactError as exc:
        db.session.rollback()
        if exc.status == 403:
            abort(403)
        flash(exc.message, "error")
    else:
        flash(_done_message(action), "success")
    return redirect(url_for(".detail", request_id=request_id), 303)
