"""What every page a browser test visits must satisfy, checked on each document it loads.

``CheckedPage`` wraps a Playwright page: each time the page finishes loading a document (a
``goto``, a form submitted, a link followed), the next thing the test does with the page first
checks that document:

- axe-core finds no serious or critical violation (``axe.py``);
- on a phone-sized window (at most 400 px wide) nothing scrolls sideways;
- a page in Vietnamese shows none of WTForms' English validation defaults
  ("This field is required.", "Not a valid choice."…).

``new_page`` in ``conftest.py`` hands out such pages; ``finish`` checks the last documents and
keeps a screenshot of the journey's last page under ``SHOTS``.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

from tests.e2e import axe

ROOT = Path(__file__).resolve().parents[2]
# Screenshots of each journey's last page: $E2E_SHOTS, or test-artifacts/screenshots.
SHOTS = Path(os.environ.get("E2E_SHOTS") or ROOT / "test-artifacts" / "screenshots")
PHONE_MAX = 400  # pixels: a window this narrow is a phone


def _english_defaults() -> list[str]:
    """WTForms' and Flask-WTF's own messages, as a reader would meet them (long enough to be
    unmistakable)."""
    from tests.core.test_form_messages import ENGLISH_DEFAULTS

    return [text for text in ENGLISH_DEFAULTS if len(text) >= 10]


ENGLISH_DEFAULTS = _english_defaults()


class PageCheckError(AssertionError):
    pass


def check_layout_and_language(page) -> None:
    """No sideways scrolling on a phone; no English form default on a Vietnamese page."""
    state = page.evaluate(
        """() => document.contentType === 'text/html' && document.body ? {
            url: location.href, width: window.innerWidth, lang: document.documentElement.lang,
            overflow: document.documentElement.scrollWidth - window.innerWidth,
            text: document.body.innerText} : null"""
    )
    if state is None:
        return
    if state["width"] <= PHONE_MAX and state["overflow"] > 0:
        raise PageCheckError(
            f"{state['url']} scrolls sideways at {state['width']} px: "
            f"{state['overflow']} px wider than the window"
        )
    if state["lang"] == "vi":
        english = [text for text in ENGLISH_DEFAULTS if text in state["text"]]
        if english:
            raise PageCheckError(f"{state['url']} in Vietnamese shows English defaults: {english}")


def _navigation_interrupted(error: Exception) -> bool:
    text = str(error)
    return any(
        words in text
        for words in (
            "Execution context was destroyed",
            "navigation",
            "Target page, context or browser has been closed",
        )
    )


class CheckedPage:
    """A Playwright page whose each loaded document is checked before the test goes on.

    Every attribute is the page's own; asking for one first checks a document that finished
    loading since the last check, and the navigation methods check the document they land on.
    """

    NAVIGATIONS = frozenset(
        {"goto", "reload", "go_back", "go_forward", "wait_for_load_state", "wait_for_url"}
    )

    def __init__(self, page):
        object.__setattr__(self, "_page", page)
        object.__setattr__(self, "_loads", 0)
        object.__setattr__(self, "_checked_load", 0)
        object.__setattr__(self, "last_load", 0.0)
        page.on("load", lambda _page: self._loaded())

    def _loaded(self) -> None:
        object.__setattr__(self, "_loads", self._loads + 1)
        object.__setattr__(self, "last_load", time.monotonic())

    def check_now(self) -> None:
        """Check the document on screen if it loaded since the last check."""
        loads = self._loads
        if loads == self._checked_load or self._page.is_closed():
            return
        try:
            check_layout_and_language(self._page)
            axe.check(self._page)
        except AssertionError:
            object.__setattr__(self, "_checked_load", loads)
            raise
        except Exception as error:  # the test navigated on: the next load is checked
            if _navigation_interrupted(error):
                return
            raise
        object.__setattr__(self, "_checked_load", loads)

    @property
    def unwrapped(self):
        return self._page

    def __getattr__(self, name: str):
        self.check_now()
        value = getattr(self._page, name)
        if name in self.NAVIGATIONS:

            def navigate(*args, **kwargs):
                result = value(*args, **kwargs)
                self.check_now()
                return result

            return navigate
        return value

    def __setattr__(self, name: str, value) -> None:
        setattr(self._page, name, value)


def _shot_name(node, page) -> str:
    """``<test>[-<other parameters>]-<width>-<lang>``: the journey, its screen and language."""
    params = getattr(getattr(node, "callspec", None), "params", {})
    others = [
        str(value)
        for key, value in params.items()
        if key not in ("width", "lang", "screen", "locale", "language")
    ]
    width = (page.viewport_size or {}).get("width", "auto")
    lang = page.evaluate("() => document.documentElement.lang") or "none"
    name = "-".join([node.originalname, *others, str(width), lang])
    return re.sub(r"[^\w.=+-]+", "_", name)


def finish(pages: list[CheckedPage], node) -> None:
    """At a test's end: screenshot the journey's last page, check each page's last document."""
    live = [p for p in pages if not p.unwrapped.is_closed() and p.last_load]
    if not live:
        return
    last = max(live, key=lambda p: p.last_load)
    try:
        SHOTS.mkdir(parents=True, exist_ok=True)
        shot = SHOTS / f"{_shot_name(node, last.unwrapped)}.png"
        last.unwrapped.screenshot(path=str(shot), full_page=True)
    except Exception as error:  # a screenshot must not hide the test's own result
        print(f"no screenshot for {node.nodeid}: {error}")
    for page in live:
        page.check_now()
