"""One answer to "which language now?" for pages, forms, exports and background work."""

import pytest
from flask_babel import force_locale

from directory.i18n import current_locale


@pytest.mark.parametrize("accept, expected", [("en-GB,en;q=0.8", "en"), ("vi", "vi"), ("fr", "vi")])
def test_the_current_locale_is_the_browsers_language_in_a_request(app, accept, expected):
    with app.test_request_context(headers={"Accept-Language": accept}):
        assert current_locale() == expected


def test_the_current_locale_follows_a_forced_language(app):
    with app.test_request_context(headers={"Accept-Language": "vi"}), force_locale("en"):
        assert current_locale() == "en"


def test_outside_a_request_the_directory_speaks_vietnamese(app):
    with app.app_context():
        assert current_locale() == "vi"
    assert current_locale() == "vi"


def test_pages_declare_the_language_they_are_written_in(client):
    response = client.get("/", headers={"Accept-Language": "en"})
    assert response.headers["Content-Language"] == "en"
    assert b'<html lang="en">' in response.data
