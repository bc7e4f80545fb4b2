"""Searchable multi-selects in a real browser: typing in the filter narrows the list (folded as
the server folds: "ban dan" finds "Bán dẫn"), the chosen options show as chips, and two ticked
boxes save two values."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from directory.seed.cast import DEMO_ACCOUNTS

pytestmark = pytest.mark.browser

ACCOUNTS = {a.email.split("@")[0]: a for a in DEMO_ACCOUNTS}
TITLE = "Chuyên gia bán dẫn và trí tuệ nhân tạo (thử bộ lọc)"


def _shown(box) -> int:
    return box.locator("[data-multipick-option]:visible").count()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_filter_narrows_the_list_and_two_boxes_save_two_fields(
    live_server, new_page, sign_in, width
):
    page = new_page(viewport={"width": width, "height": 900})
    account = ACCOUNTS["danang"]
    sign_in(page, account.email, account.password)
    page.goto(f"{live_server.url}/needs/new")
    form = page.locator("form.need-form")
    form.locator("input[name=title]").fill(f"{TITLE} {width}")
    form.locator("select[name=type]").select_option("expertise")

    box = form.locator("fieldset#fields")
    everything = _shown(box)
    assert everything > 50
    field_filter = box.get_by_label("Lọc danh sách")
    field_filter.fill("ban dan")
    assert 1 <= _shown(box) < 5
    assert box.locator("[data-multipick-option]:visible").filter(has_text="Bán dẫn").count() == 1
    box.locator("input[value=semiconductors]").check()
    field_filter.fill("TRÍ TUỆ")
    assert box.locator("[data-multipick-option]:visible").filter(has_text="Trí tuệ").count() >= 1
    box.locator("input[value=artificial-intelligence]").check()
    field_filter.fill("")
    assert _shown(box) == everything
    chips = box.locator(".multipick-chips button")
    assert chips.count() == 2
    assert re.search(r"\b2\b", box.locator("[aria-live]").inner_text())
    # A chip removes its option; ticking again brings it back.
    chips.filter(has_text="Bán dẫn").click()
    assert not box.locator("input[value=semiconductors]").is_checked()
    box.locator("input[value=semiconductors]").check()
    assert chips.count() == 2
    # No page scrolls sideways, even on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    form.locator("[type=submit]").click()
    page.wait_for_load_state()
    assert re.search(r"/needs/[^/]+$", page.url), page.content()

    from directory.extensions import db
    from directory.needs.models import Need

    with live_server.app.app_context():
        need = db.session.scalar(sa.select(Need).where(Need.title == f"{TITLE} {width}"))
        assert sorted(need.fields) == ["artificial-intelligence", "semiconductors"]
        db.session.remove()
