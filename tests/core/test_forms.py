"""ServiceForm: a service's messages beside their inputs, the rest returned or shown on top."""

from __future__ import annotations

from flask import get_flashed_messages
from wtforms import StringField, SubmitField

from directory.core.forms import ServiceForm, flash_leftover


class NameForm(ServiceForm):
    full_name = StringField("Họ và tên")
    hometown_province = StringField("Quê quán")
    submit = SubmitField("Lưu")

    ERROR_FIELDS = {"hometown": "hometown_province"}


def test_messages_go_beside_their_inputs_and_the_rest_is_returned(app):
    with app.test_request_context(method="POST"):
        form = NameForm(meta={"csrf": False})
        form.validate()
        leftover = form.apply_errors(
            {
                "full_name": "Nhập họ và tên.",
                "hometown": "Không rõ tỉnh Quảng Nam cũ.",
                "submit": "not an input",
                "email": "Địa chỉ email không hợp lệ.",
            }
        )
        assert form.full_name.errors == ["Nhập họ và tên."]
        assert form.hometown_province.errors == ["Không rõ tỉnh Quảng Nam cũ."]
        assert leftover == {"submit": "not an input", "email": "Địa chỉ email không hợp lệ."}
        assert form.submit.errors == []


def test_messages_add_to_the_form_s_own(app):
    with app.test_request_context(method="POST"):
        form = NameForm(meta={"csrf": False})
        form.full_name.errors = ["Quá dài."]
        form.apply_errors({"full_name": "Nhập họ và tên."})
        assert form.full_name.errors == ["Quá dài.", "Nhập họ và tên."]


def test_show_errors_puts_the_rest_at_the_top_of_the_form(app):
    with app.test_request_context(method="POST"):
        form = NameForm(meta={"csrf": False})
        form.show_errors({"full_name": "Nhập họ và tên.", "token": "Liên kết đã hết hạn."})
        assert form.full_name.errors == ["Nhập họ và tên."]
        assert form.form_errors == ["Liên kết đã hết hạn."]


def test_flash_leftover_shows_each_message_as_an_error(app):
    with app.test_request_context():
        flash_leftover({"token": "Liên kết đã hết hạn.", "email": "Email đã được dùng."})
        assert get_flashed_messages(with_categories=True) == [
            ("error", "Liên kết đã hết hạn."),
            ("error", "Email đã được dùng."),
        ]
