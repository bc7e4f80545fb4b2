"""The embassy officer registering someone already in the directory is warned before saving.

At 1280 px and at 390 px: the Paris officer types the name and city of a person the demo already
has in France; the page shows the likely duplicate (with a link to the existing profile and
what agrees), saves nothing, and saves only once "register anyway" is ticked. Screenshots of the
warning go to ``$E2E_SHOTS`` when set.
"""

from __future__ import annotations

import os
import re

import pytest
import sqlalchemy as sa

from directory.seed.cast import DEMO_ACCOUNTS

pytestmark = pytest.mark.browser

ACCOUNTS = {a.email.split("@")[0]: a for a in DEMO_ACCOUNTS}
WIDTHS = {"390": {"width": 390, "height": 844}, "1280": {"width": 1280, "height": 800}}


@pytest.fixture(scope="module")
def someone_in_france(live_server) -> tuple[str, str, str]:
    """(id, name, city) of a demo person living in France with a city."""
    from directory.extensions import db
    from directory.people.models import Person

    with live_server.app.app_context():
        row = db.session.execute(
            sa.select(Person.id, Person.full_name, Person.city)
            .where(Person.country == "FR", Person.city.is_not(None), Person.anonymised_at.is_(None))
            .order_by(Person.full_name)
            .limit(1)
        ).one()
        db.session.remove()
    return tuple(row)


@pytest.mark.parametrize("width", list(WIDTHS))
def test_a_likely_duplicate_is_shown_before_saving(
    live_server, new_page, sign_in, someone_in_france, width
):
    person_id, name, city = someone_in_france
    page = new_page(viewport=WIDTHS[width])
    account = ACCOUNTS["paris"]
    sign_in(page, account.email, account.password)
    page.goto(f"{live_server.url}/people/register")
    form = page.locator("form[action$='/people/register']")
    form.locator("input[name=full_name]").fill(name)
    form.locator("select[name=country]").select_option("FR")
    form.locator("input[name=city]").fill(city)
    form.locator("[type=submit]").last.click()
    page.wait_for_load_state()

    warning = page.locator(".duplicates-warning")
    assert warning.count() == 1, page.url
    assert warning.locator(f"a[href$='/people/{person_id}']").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    if os.environ.get("E2E_SHOTS"):
        shot = os.path.join(os.environ["E2E_SHOTS"], f"paris-{width}-register-duplicate.png")
        page.screenshot(path=shot, full_page=True)

    form.locator("input[name=confirm_new]").check()
    form.locator("[type=submit]").last.click()
    page.wait_for_load_state()
    assert re.search(r"/people/[0-9a-f]{16}$", page.url), page.url
    assert not page.url.endswith(person_id)
