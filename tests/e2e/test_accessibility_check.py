"""The axe-core check itself: it runs on the pages the tests visit and fails with a readable
message (rule, element, page address) on a serious or critical violation."""

from __future__ import annotations

import time

import pytest

from tests.e2e import axe

pytestmark = pytest.mark.browser


def test_a_serious_violation_fails_with_rule_target_and_address(live_server, new_page):
    page = new_page()
    started = time.monotonic()
    page.goto(f"{live_server.url}/associations")
    print(f"goto + axe: {time.monotonic() - started:.2f}s")
    assert axe.checked_pages[-1][0] == f"{live_server.url}/associations"
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
    assert f"{live_server.url}/associations" in message
    assert "critical" in message
