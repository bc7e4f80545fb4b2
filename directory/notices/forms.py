"""The inbox's buttons: a POST with its CSRF token."""

from __future__ import annotations

from directory.core.forms import Form


class MarkReadForm(Form):
    """Mark one notice, or all of them, read."""
