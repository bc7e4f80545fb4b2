"""Every message shown in the interface exists in Vietnamese."""

from directory.i18n import conflicting_translations, missing_translations


def test_every_message_has_a_vietnamese_translation():
    assert missing_translations() == {}


def test_a_message_has_one_translation_across_the_catalogs():
    """The domains' catalogs are merged at run time: a message translated two ways would show
    one of them everywhere (a contact request "expired" read as a term of office ended). A word
    with two meanings takes a context (``pgettext``)."""
    assert conflicting_translations() == {}


def test_words_with_two_meanings_read_right_in_each_place(app):
    """An expired contact request is not a term of office that ended."""
    from flask_babel import force_locale

    from directory.contacts.services import state_label as request_state
    from directory.representatives.states import state_label as nomination_state

    with app.test_request_context("/"), force_locale("vi"):
        assert request_state("expired") == "hết hạn"
        assert nomination_state("expired") == "hết nhiệm kỳ"
