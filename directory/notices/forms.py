"""The inbox's buttons: a POST with its CSRF token."""

from __future__ import annotations

from flask_wtf import FlaskForm


class MarkReadForm(FlaskForm):
    """Mark one notice, or all of them, read."""
