"""The home page's sections, contributed by the domains.

The home page (``/``) belongs to the bottom layer, which imports no domain; each domain that has
something to show a visitor there (the directory's figures, open needs, the representatives)
registers a section with :func:`home_section`: a template and ``loader(user)`` returning its
context, or ``None`` when it has nothing for this visitor. Sections come in ``order``.
"""

from __future__ import annotations

from collections.abc import Callable

# (order, template, loader)
_SECTIONS: list[tuple[int, str, Callable]] = []


def home_section(template: str, order: int = 50):
    """Add a section to the home page: ``loader(user)`` returns the template's context or None.
    ``user`` is Flask-Login's current user (anonymous or signed in)."""

    def decorator(loader: Callable) -> Callable:
        _SECTIONS.append((order, template, loader))
        _SECTIONS.sort(key=lambda s: s[0])
        return loader

    return decorator


def home_sections(user) -> list[tuple[str, dict]]:
    """[(template, context)] of the sections that have something for ``user``."""
    found = []
    for _order, template, loader in _SECTIONS:
        context = loader(user)
        if context:
            found.append((template, context))
    return found
