"""axe-core in the browser tests: every page a test visits is checked for accessibility.

``check(page)`` runs the vendored axe-core (``vendor/axe-core``, from npm; never a CDN) on the
page's current document and raises ``AccessibilityError`` on any *serious* or *critical*
violation, naming the rule, the elements (CSS targets) and the page's address.

``pagechecks.CheckedPage`` calls it on every document a test's page loads.
``E2E_AXE_LIST_ONLY=1`` prints the violations instead of failing (to survey a whole run).
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

VENDOR = Path(__file__).parent / "vendor" / "axe-core"
AXE_JS = VENDOR / "axe.min.js"
FAIL_ON = ("serious", "critical")

_RUN = """async (failOn) => {
    const results = await axe.run(document, {resultTypes: ['violations']});
    return results.violations
        .filter(v => failOn.includes(v.impact))
        .map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map(n => ({
                target: n.target.join(' '),
                html: n.html.slice(0, 160),
                why: (n.failureSummary || '').replace(/\\s+/g, ' ').slice(0, 240),
            })),
            more: Math.max(0, v.nodes.length - 5),
        }));
}"""

# Documents already checked, by address, width, language and content (minus the CSRF token):
# the login form met by every sign-in is checked once per width and language.
_checked: set[str] = set()
# What was checked, for the summary: (address, width, language).
checked_pages: list[tuple[str, int, str]] = []


class AccessibilityError(AssertionError):
    pass


def _describe(url: str, violations: list[dict]) -> str:
    lines = [f"axe-core: {len(violations)} serious or critical violation(s) on {url}"]
    for v in violations:
        lines.append(f"- [{v['impact']}] {v['id']}: {v['help']}")
        for node in v["nodes"]:
            lines.append(f"    at {node['target']}  {node['html']}")
            if node["why"]:
                lines.append(f"      {node['why']}")
        if v["more"]:
            lines.append(f"    … and {v['more']} more element(s)")
    return "\n".join(lines)


def _fingerprint(page) -> str | None:
    """A key for the document on screen, or None when it is not an HTML page."""
    state = page.evaluate(
        """() => document.contentType === 'text/html' && document.documentElement ? [
            location.href, window.innerWidth, document.documentElement.lang,
            document.documentElement.outerHTML] : null"""
    )
    if state is None:
        return None
    url, width, lang, html = state
    html = re.sub(r'(name="csrf_token"[^>]*value=")[^"]*', r"\1", html)
    digest = hashlib.sha1(html.encode()).hexdigest()
    return f"{url} {width} {lang} {digest}"


def check(page) -> None:
    """Run axe-core on the page's document; raise on a serious or critical violation."""
    key = _fingerprint(page)
    if key is None or key in _checked:
        return
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Evaluated, not added as a <script>: the app's CSP (script-src 'self') stays on.
        page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;0")
    violations = page.evaluate(_RUN, list(FAIL_ON))
    _checked.add(key)
    url, width, lang, _ = key.split(" ")
    checked_pages.append((url, int(width), lang))
    if violations:
        if os.environ.get("E2E_AXE_LIST_ONLY") == "1":  # survey mode: print, go on
            print(_describe(url, violations))
            return
        raise AccessibilityError(_describe(url, violations))
