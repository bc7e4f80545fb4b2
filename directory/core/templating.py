"""Template globals and filters shared by every domain."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from flask import g, request, url_for
from flask_login import current_user

from directory import policy
from directory.i18n import current_locale
from directory.reference.countries import country_name, language_name
from directory.reference.provinces import names_the_unit_today, province_by_slug

# name -> function(user) -> int; domains add counters shown in the navigation (inbox, etc.).
NAV_COUNTERS: dict[str, Callable] = {}


def nav_counter(name: str):
    """Register a navigation badge counter ``fn(user) -> int``."""

    def decorator(func: Callable) -> Callable:
        NAV_COUNTERS[name] = func
        return func

    return decorator


def province_name(slug: str | None) -> str:
    p = province_by_slug(slug)
    if p is None:
        return slug or ""
    return p.name_en if current_locale() == "en" else p.name_vi


def hometown_as_given(slug: str | None, given: str | None) -> str:
    """The hometown as the person wrote it, when it says more than the province's current name
    ("Quảng Nam" for Đà Nẵng); "" when it only repeats it ("Tỉnh Nghệ An" for Nghệ An)."""
    if not given or names_the_unit_today(slug, given):
        return ""
    return given


def field_label(code: str | None) -> str:
    """The taxonomy label in the current language (cached per request)."""
    if not code:
        return ""
    labels = getattr(g, "_field_labels", None)
    if labels is None:
        import sqlalchemy as sa

        from directory.extensions import db
        from directory.reference.models import Field

        labels = {f.code: (f.label_vi, f.label_en) for f in db.session.scalars(sa.select(Field))}
        g._field_labels = labels
    pair = labels.get(code)
    if pair is None:
        return code
    return pair[1] if current_locale() == "en" else pair[0]


def zone_label(value: datetime) -> str:
    """The UTC offset of the zone times are shown in, at ``value``: "UTC+7", "UTC"."""
    from flask_babel import get_timezone

    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    minutes = int(value.astimezone(get_timezone()).utcoffset().total_seconds() // 60)
    if minutes == 0:
        return "UTC"
    sign, minutes = ("+" if minutes > 0 else "-"), abs(minutes)
    hours, rest = divmod(minutes, 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def format_datetime_tz(value: datetime | None, fmt: str = "medium") -> str:
    """A date with its time, in the application's time zone (``BABEL_DEFAULT_TIMEZONE``,
    Vietnam's by default), followed by that zone: "3 thg 10, 2026 14:05 (UTC+7)". Every time
    a page, an email or a download shows goes through here (the ``datetime`` filter)."""
    from flask_babel import format_datetime

    if not value:
        return ""
    return f"{format_datetime(value, fmt)} ({zone_label(value)})"


def url_with(**changes) -> str:
    """The current URL with query parameters replaced (None removes one)."""
    args = request.args.to_dict(flat=False)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value if isinstance(value, list) else [value]
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def can(action: str, obj=None) -> bool:
    """Templates ask the policy about the signed-in user: ``{% if can("person.edit", p) %}``."""
    return policy.can(current_user, action, obj)


def register_templating(app) -> None:
    """Expose helpers to every template."""

    @app.context_processor
    def _globals():
        user = current_user if current_user and current_user.is_authenticated else None
        counts = {}
        if user is not None:
            for name, func in NAV_COUNTERS.items():
                try:
                    counts[name] = func(user)
                except Exception:  # noqa: BLE001 - a badge must never break a page
                    app.logger.exception("nav counter %s failed", name)
                    counts[name] = 0
        return {
            "lang": current_locale(),
            "nav_counts": counts,
            "url_with": url_with,
        }

    # A global, not a context value, so that imported macros and included templates ask too.
    app.jinja_env.globals.update(
        can=can,
        country_name=lambda code: country_name(code, current_locale()),
        language_name=lambda code: language_name(code, current_locale()),
        province_name=province_name,
        hometown_as_given=hometown_as_given,
        field_label=field_label,
    )

    @app.template_filter("date")
    def _date(value, fmt: str = "medium"):
        from flask_babel import format_date

        return format_date(value, fmt) if value else ""

    @app.template_filter("datetime")
    def _datetime(value, fmt: str = "medium"):
        return format_datetime_tz(value, fmt)
