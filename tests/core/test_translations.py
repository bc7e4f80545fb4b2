"""Every message shown in the interface exists in Vietnamese."""

from directory.i18n import missing_translations


def test_every_message_has_a_vietnamese_translation():
    assert missing_translations() == {}
