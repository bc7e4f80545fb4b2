"""Spreadsheet import (upload, preview, merge, commit, invitations) and contact list exports."""

from __future__ import annotations

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from directory import policy
from directory.businesses.models import Business
from directory.core import paging
from directory.core.errors import ValidationError
from directory.extensions import db
from directory.i18n import current_locale
from directory.imports import batches as batch_service
from directory.imports import commit as commit_service
from directory.imports import consent, decisions, exports, jobs
from directory.imports import invitations as invitation_service
from directory.imports import merge as merge_service
from directory.imports.columns import (
    BUSINESS_HEADERS_EN,
    BUSINESS_HEADERS_VI,
    HEADERS_EN,
    HEADERS_VI,
)
from directory.imports.forms import CommitForm, ExportSearchForm, UploadForm
from directory.imports.messages import file_error_message, issue_message, match_reason
from directory.imports.models import ImportBatch, ImportRow
from directory.imports.reader import ImportFileError
from directory.missions.models import Mission
from directory.people.models import Person

bp = Blueprint("imports", __name__, url_prefix="/imports")

PER_PAGE = 50
# The preview's columns: (file column, value key) shown in their own cells, then the others
# listed together.
PEOPLE_PREVIEW = {
    "main": [
        ("full_name", "full_name"),
        ("country", "country"),
        ("hometown", "hometown_province"),
        ("phone", "phone"),
        ("email", "email"),
        ("fields", "fields"),
    ],
    "others": [
        "other_names",
        "kinds",
        "skills",
        "title",
        "organization",
        "city",
        "languages",
        "website",
        "bio",
        "birth_year",
        "consent_listed",
    ],
}
BUSINESS_PREVIEW = {
    "main": [
        ("name", "name"),
        ("country", "country"),
        ("sectors", "sectors"),
        ("website", "website"),
        ("presence_in_vietnam", "presence_in_vietnam"),
    ],
    "others": [
        "other_names",
        "legal_form",
        "operates_in",
        "cities",
        "size_band",
        "founded_year",
        "email",
        "phone",
        "description",
        "interests",
    ],
}
FILTERS = ("all", "errors", "warnings", "duplicates", "create", "merge", "skip")


def _user():
    return current_user._get_current_object()


def _batch_or_404(batch_id: str) -> ImportBatch:
    """The batch, or 404 for anyone outside its mission (no batch is reachable by its id)."""
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None or not policy.can(current_user, "import.view", batch):
        abort(404)
    return batch


def _missions_for(user) -> list[Mission]:
    if policy.can(user, "import.all_missions"):
        return list(db.session.scalars(sa.select(Mission).order_by(Mission.name)))
    return [user.mission] if user.mission is not None else []


def _inline(*, size: int = 0, rows: int = 0) -> bool:
    """Small jobs run in the request; larger ones in a background thread with a progress page."""
    cfg = current_app.config
    if cfg.get("IMPORT_RUN_INLINE"):
        return True
    if size:
        return size <= cfg.get("IMPORT_INLINE_BYTES", 256 * 1024)
    return rows <= cfg.get("IMPORT_INLINE_ROWS", 2000)


@bp.app_context_processor
def _helpers():
    return {
        "import_issue_message": issue_message,
        "import_match_reason": match_reason,
        "import_file_error": file_error_message,
    }


@bp.route("/", methods=["GET", "POST"])
@login_required
def index():
    """Upload form and the mission's recent imports."""
    user = _user()
    policy.require(user, "import.use")
    missions = _missions_for(user)
    form = UploadForm()
    form.mission.choices = [(m.id, f"{m.name} ({m.code})") for m in missions]
    choose_mission = policy.can(user, "import.all_missions")
    if not choose_mission and missions:
        form.mission.data = missions[0].id
    file_error = None
    status = 200
    if form.validate_on_submit():
        mission = db.session.get(Mission, form.mission.data)
        upload = form.file.data
        data = upload.read(current_app.config["IMPORT_MAX_BYTES"] + 1)
        try:
            batch = batch_service.start_batch(
                data,
                upload.filename or "import",
                mission,
                user,
                sheet_name=form.sheet.data,
                kind=form.kind.data or None,
            )
        except ImportFileError as exc:
            file_error, status = file_error_message(exc.code, exc.params), 422
        else:
            if _inline(size=len(data)):
                jobs.run_job(batch_service.read_batch, batch.id)
                batch = db.session.get(ImportBatch, batch.id)
                if batch.status == "failed":
                    file_error = file_error_message(batch.error_code, batch.error_params)
                    status = 422
                else:
                    return redirect(url_for(".preview", batch_id=batch.id))
            else:
                jobs.run_job(batch_service.read_batch, batch.id)
                return redirect(url_for(".status", batch_id=batch.id))
    elif request.method == "POST":
        status = 422
    mission_ids = [m.id for m in missions]
    batches = db.session.scalars(
        sa.select(ImportBatch)
        .where(ImportBatch.mission_id.in_(mission_ids))
        .order_by(ImportBatch.created_at.desc())
        .limit(20)
    ).all()
    return (
        render_template(
            "imports/index.html",
            form=form,
            file_error=file_error,
            batches=batches,
            show_mission=choose_mission,
            headers_en=HEADERS_EN,
            headers_vi=HEADERS_VI,
            business_headers=list(zip(BUSINESS_HEADERS_EN, BUSINESS_HEADERS_VI, strict=True)),
        ),
        status,
    )


@bp.get("/<batch_id>")
@login_required
def status(batch_id: str):
    """Progress of a running batch (polled by imports.js), or its outcome."""
    batch = _batch_or_404(batch_id)
    return render_template(
        "imports/status.html",
        batch=batch,
        progress=batch_service.batch_progress(batch),
        counts=batch_service.decision_counts(batch) if batch.in_review else None,
    )


@bp.get("/<batch_id>/status.json")
@login_required
def status_json(batch_id: str):
    """Progress as JSON for the status page's script."""
    batch = _batch_or_404(batch_id)
    data = batch_service.batch_progress(batch)
    data["url"] = url_for(".status", batch_id=batch.id)
    return jsonify(data)


def _filtered(query, name: str):
    conditions = {
        "errors": ImportRow.has_errors.is_(True),
        "warnings": sa.and_(ImportRow.has_warnings.is_(True), ImportRow.has_errors.is_(False)),
        "duplicates": ImportRow.match_kind.is_not(None),
        "create": sa.and_(ImportRow.decision == "create", ImportRow.has_errors.is_(False)),
        "merge": sa.and_(ImportRow.decision == "merge", ImportRow.has_errors.is_(False)),
        "skip": ImportRow.decision == "skip",
    }
    return query.where(conditions[name]) if name in conditions else query


@bp.route("/<batch_id>/preview", methods=["GET", "POST"])
@login_required
def preview(batch_id: str):
    """Every row with its normalised values, issues and duplicates; decisions are set here."""
    batch = _batch_or_404(batch_id)
    if not batch.in_review:
        return redirect(url_for(".status", batch_id=batch.id))
    user = _user()
    show = request.args.get("show", "all")
    show = show if show in FILTERS else "all"
    page = paging.requested_page()
    if request.method == "POST":
        policy.require(user, "import.commit", batch)
        choices = {
            key.removeprefix("decision-"): value
            for key, value in request.form.items()
            if key.startswith("decision-")
        }
        if decisions.apply_decisions(batch, choices, user):
            flash(_("Rows with errors cannot be imported; they stay skipped."), "warning")
        flash(_("Your choices were saved."), "success")
        return redirect(url_for(".preview", batch_id=batch.id, show=show, page=page))
    base = sa.select(ImportRow).where(ImportRow.batch_id == batch.id)
    base = _filtered(base, show)
    listing = paging.paginate(base.order_by(ImportRow.row_number), PER_PAGE)
    rows, page, pages, total = listing.items, listing.page, listing.pages, listing.total
    person_ids = {m["person_id"] for r in rows for m in r.matches if m.get("person_id")}
    matched = {
        p.id: p for p in db.session.scalars(sa.select(Person).where(Person.id.in_(person_ids)))
    }
    mergeable = {pid for pid, p in matched.items() if policy.can(user, "person.edit", p)}
    business_ids = {m["business_id"] for r in rows for m in r.matches if m.get("business_id")}
    businesses = {
        b.id: b
        for b in db.session.scalars(sa.select(Business).where(Business.id.in_(business_ids)))
    }
    for b in businesses.values():
        if policy.can(user, "business.edit", b):
            mergeable.add(b.id)
    return render_template(
        "imports/preview.html",
        businesses=businesses,
        columns=BUSINESS_PREVIEW if batch.of_businesses else PEOPLE_PREVIEW,
        batch=batch,
        rows=rows,
        matched=matched,
        mergeable=mergeable,
        show=show,
        filters=FILTERS,
        page=page,
        pages=pages,
        total=total,
        counts=batch_service.decision_counts(batch),
        commit_form=CommitForm(),
        consent_column=consent.has_consent_column(batch),
        consent_yes=(batch.details or {}).get("consent_yes_rows", 0),
    )


@bp.route("/<batch_id>/rows/<row_id>/merge", methods=["GET", "POST"])
@login_required
def merge(batch_id: str, row_id: str):
    """Field-by-field merge of one row into an existing profile."""
    batch = _batch_or_404(batch_id)
    user = _user()
    policy.require(user, "import.commit", batch)
    row = db.session.get(ImportRow, row_id)
    if row is None or row.batch_id != batch.id or row.has_errors:
        abort(404)
    # Once committed (or failed), the merge is shown as it stands, read-only: the profile may
    # have been claimed since, so it needs only to be visible, no longer editable.
    read_only = not batch.can_commit
    person = merge_service.merge_target(
        row, request.values.get("person"), by=None if read_only else user
    )
    if person is None or not policy.can(user, "person.view", person):
        abort(404)
    if read_only:
        status = 200
        if request.method == "POST":
            flash(_("This import was already committed; nothing was changed."), "warning")
            status = 409
        return _merge_page(batch, row, person, user, read_only=True), status
    if request.method == "POST":
        choices = {
            key.removeprefix("choice-"): value
            for key, value in request.form.items()
            if key.startswith("choice-")
        }
        merge_service.set_merge_choices(row, person, choices, user)
        db.session.commit()
        flash(
            _("Row %(row)s will be merged into the existing profile.", row=row.row_number),
            "success",
        )
        return redirect(url_for(".preview", batch_id=batch.id, show="duplicates"))
    return _merge_page(batch, row, person, user)


def _merge_page(batch, row, person, user, *, read_only: bool = False) -> str:
    groups = policy.visible_groups(user, person)
    return render_template(
        "imports/merge.html",
        batch=batch,
        row=row,
        person=person,
        items=merge_service.merge_fields(row, person),
        groups=groups,
        read_only=read_only,
        merged_here=row.decision == "merge" and row.merge_target_id == person.id,
        contact_fields=("email", "phone", "website"),
        profile_fields=(
            "other_names",
            "skills",
            "title",
            "organization",
            "city",
            "bio",
            "birth_year",
        ),
    )


@bp.post("/<batch_id>/commit")
@login_required
def commit(batch_id: str):
    """Write the accepted rows (all or none), in the background for large files."""
    batch = _batch_or_404(batch_id)
    user = _user()
    policy.require(user, "import.commit", batch)
    batch_service.require_committable(batch)
    form = CommitForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        size = decisions.start_commit(
            batch, user, skip_errors=form.skip_errors.data, evidence=form.evidence()
        )
    except decisions.CommitRefused as exc:
        flash(exc.message, "error")
        return redirect(url_for(".preview", batch_id=batch.id))
    except ValidationError as exc:
        flash(_("Say how and when the people gave consent, or leave those inputs empty."), "error")
        for label, message in form.evidence_messages(exc.fields):
            flash(f"{label}: {message}", "error")
        return redirect(url_for(".preview", batch_id=batch.id) + "#confirm-title")
    if size:
        if _inline(rows=size):
            commit_service.commit_batch(batch.id, user.id)
        else:
            jobs.run_job(commit_service.commit_batch, batch.id, user.id)
    return redirect(url_for(".status", batch_id=batch.id))


def _email_previews(batch: ImportBatch, people: list[Person]) -> dict[str, tuple]:
    """The claim invitation as the first recipient would read it, in Vietnamese and English."""
    from directory.core.mail import render_message

    sample = people[0] if people else None
    previews = {}
    for locale in ("vi", "en"):
        try:
            previews[locale] = render_message(
                "accounts/email/claim_invitation",
                locale,
                name=sample.full_name if sample else _("Name of the person"),
                link=current_app.config["BASE_URL"].rstrip("/") + "/claim/…",
                days=current_app.config["INVITATION_TTL"].days,
                mission_name=batch.mission.name,
            )
        except Exception:  # noqa: BLE001 - the template belongs to accounts
            current_app.logger.exception("claim invitation preview failed")
            previews[locale] = None
    return previews


@bp.route("/<batch_id>/invitations", methods=["GET", "POST"])
@login_required
def invitations(batch_id: str):
    """Preview and send claim invitations to the imported people with an email."""
    batch = _batch_or_404(batch_id)
    user = _user()
    policy.require(user, "import.invite", batch)
    batch_service.require_done(batch)
    if batch.of_businesses:  # claim invitations are for people
        abort(404)
    if request.method == "POST":
        report = invitation_service.send_invitations(batch, user)
        flash(
            _(
                "%(sent)s invitation(s) sent in total; %(failed)s could not be sent.",
                sent=report["sent"],
                failed=len(report["failures"]),
            ),
            "success",
        )
        return redirect(url_for(".invitations", batch_id=batch.id))
    people = invitation_service.invitable_people(batch)
    report = batch.invitation_report or {}
    failed_ids = [f["person_id"] for f in report.get("failures", [])]
    failed_people = {
        p.id: p for p in db.session.scalars(sa.select(Person).where(Person.id.in_(failed_ids)))
    }
    return render_template(
        "imports/invitations.html",
        batch=batch,
        people=people,
        previews=_email_previews(batch, people),
        report=report,
        failed_people=failed_people,
        batch_size=current_app.config.get("IMPORT_INVITATION_BATCH", 200),
    )


# --- exports --------------------------------------------------------------------------------


def _send(export: exports.Export) -> Response:
    # ``content_type`` is sent as given; ``mimetype`` would append a second charset to text/csv.
    response = Response(export.body, content_type=export.mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{export.file_name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _format(fmt: str) -> str:
    if fmt not in exports.FORMATS:
        abort(404)
    return fmt


@bp.get("/exports")
@login_required
def exports_page():
    """The lists this official may export."""
    user = _user()
    policy.require(user, "import.exports")
    from directory.associations.models import Association

    missions = [m for m in _missions_for(user) if policy.can(user, "import.export_mission", m)]
    associations = [
        a
        for a in db.session.scalars(sa.select(Association).order_by(Association.name).limit(500))
        if policy.can(user, "import.export_association", a)
    ]
    return render_template(
        "imports/exports.html",
        missions=missions,
        associations=associations,
        search_form=ExportSearchForm(request.args, locale=current_locale()),
    )


@bp.get("/exports/mission.<fmt>")
@login_required
def export_mission(fmt: str):
    """A mission's contacts (the officer's own mission; the admin chooses with ?mission=CODE)."""
    user = _user()
    code = request.args.get("mission")
    if code:
        mission = db.session.scalar(sa.select(Mission).where(Mission.code == code))
    else:
        mission = user.mission if policy.role(user) == "embassy" else None
    if mission is None:
        abort(404)
    policy.require(user, "import.export_mission", mission)
    return _send(exports.export_mission(mission, user, _format(fmt), current_locale()))


@bp.get("/exports/associations/<association_id>.<fmt>")
@login_required
def export_association(association_id: str, fmt: str):
    """An association's member list."""
    from directory.associations.models import Association

    user = _user()
    association = db.session.get(Association, association_id)
    if association is None:
        abort(404)
    policy.require(user, "import.export_association", association)
    return _send(exports.export_association(association, user, _format(fmt), current_locale()))


@bp.get("/exports/search.<fmt>")
@login_required
def export_search(fmt: str):
    """The people of a search, with the same query parameters as the search page."""
    user = _user()
    policy.require(user, "import.export_search")
    return _send(exports.export_search(request.args, user, _format(fmt), current_locale()))
