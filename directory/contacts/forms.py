"""The forms of contact requests: ask, accept (what to share), decline, withdraw."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from directory.contacts.models import MAX_MESSAGE, MAX_REASON
from directory.core.forms import Form


class RequestForm(Form):
    """An official asks to be put in touch, with a message (and the need it is about, if any)."""

    need_id = HiddenField()

    message = TextAreaField(
        _l("Your message"),
        validators=[
            DataRequired(message=_l("Say who you are and why you would like to be put in touch.")),
            Length(max=MAX_MESSAGE),
        ],
    )
    submit = SubmitField(_l("Send the request"))


class AcceptForm(Form):
    """The member accepts, choosing the contact details to share (email ticked by default)."""

    share_email = BooleanField(_l("My email address"), default=True)
    share_phone = BooleanField(_l("My phone number"))
    share_website = BooleanField(_l("My website"))
    submit = SubmitField(_l("Accept and share"))

    def shared(self) -> list[str]:
        return [f for f in ("email", "phone", "website") if getattr(self, f"share_{f}").data]


class DeclineForm(Form):
    """The member declines, with an optional reason."""

    reason = TextAreaField(
        _l("Reason (optional, shown to the official)"),
        validators=[Optional(), Length(max=MAX_REASON)],
    )
    submit = SubmitField(_l("Decline"))


class WithdrawForm(Form):
    """The official withdraws a pending request."""

    submit = SubmitField(_l("Withdraw the request"))
