"""The checks run on every page the browser tests visit, checked themselves: axe-core fails with
a readable message (rule, element, page address) on a serious or critical violation; a page
wider than a phone's window fails, and so does a Vietnamese page showing an English form
default."""

from __future__ import annotations

import pytest

from tests.e2e import axe, pagechecks

pytestmark = pytest.mark.browser


def test_a_serious_violation_fails_with_rule_target_and_address(live_server, new_page):
    page = new_page()
    address = f"{live_server.url}/associations?checked=axe"  # an address no other test opens
    page.goto(address)
    assert axe.checked_pages[-1][0] == address
    assert page.evaluate("() => typeof window.axe") == "object"  # it did run there

    page.evaluate(
        """() => {
            const img = document.createElement('img');
            img.src = '/static/none.png';
            img.id = 'no-alt';
            document.querySelector('main').append(img);
        }"""
    )
    with pytest.raises(axe.AccessibilityError) as failure:
        axe.check(page.unwrapped)
    message = str(failure.value)
    assert "image-alt" in message
    assert "#no-alt" in message
    assert address in message
    assert "critical" in message


def test_sideways_scrolling_on_a_phone_and_english_defaults_fail(live_server, new_page):
    page = new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{live_server.url}/needs")  # checked on arrival: fits, all in Vietnamese
    phone = page.unwrapped
    phone.evaluate(
        """() => {
            const p = document.createElement('p');
            p.textContent = 'Trường này là bắt buộc. This field is required.';
            document.querySelector('main').append(p);
        }"""
    )
    with pytest.raises(pagechecks.PageCheckError, match="This field is required"):
        pagechecks.check_layout_and_language(phone)
    phone.evaluate(
        """() => {
            document.querySelector('main p:last-child').remove();
            const wide = document.createElement('div');
            wide.style.width = '600px';
            wide.style.height = '10px';
            document.querySelector('main').append(wide);
        }"""
    )
    with pytest.raises(pagechecks.PageCheckError, match="scrolls sideways at 390 px"):
        pagechecks.check_layout_and_language(phone)
