"""The inbox: what waits for the user's next step (each domain's section) and their notices."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from directory.core import paging
from directory.notices import services
from directory.notices.forms import MarkReadForm

bp = Blueprint("notices", __name__)

PER_PAGE = 25


@bp.get("/inbox")
@login_required
def inbox():
    """Every account's inbox: the sections of work waiting, then the notices, unread first."""
    listing = paging.paginate(services.notices_of(current_user), PER_PAGE)
    notices = [
        {"notice": n, "text": services.text_of(n), "url": services.url_of(n)} for n in listing.items
    ]
    return render_template(
        "notices/inbox.html",
        sections=services.inbox_sections(current_user),
        notices=notices,
        unread=services.unread_count(current_user),
        total=listing.total,
        page=listing.page,
        pages=listing.pages,
        form=MarkReadForm(),
    )


@bp.post("/inbox/notices/<notice_id>/read")
@login_required
def mark_read(notice_id: str):
    """Mark one notice read."""
    notice = services.get_own(notice_id, current_user)
    if notice is None:
        abort(404)
    if not MarkReadForm().validate_on_submit():
        abort(400)
    services.mark_read(notice, current_user)
    return redirect(url_for(".inbox"), 303)


@bp.post("/inbox/notices/read")
@login_required
def mark_all_read():
    """Mark every notice read."""
    if not MarkReadForm().validate_on_submit():
        abort(400)
    count = services.mark_all_read(current_user)
    if count:
        flash(_("All notices are marked as read."), "success")
    return redirect(url_for(".inbox"), 303)
