"""Messages for refused files and row issues, kept as codes and translated when shown."""

from __future__ import annotations

from flask_babel import gettext as _

from directory.i18n import current_locale


def file_error_message(code: str | None, params: dict | None = None) -> str:
    """The message, in the current language, for a refused file or a failed commit."""
    p = dict(params or {})
    messages = {
        "too_large": lambda: _(
            "The file is larger than %(limit)s MB. Split it into smaller files.",
            limit=p.get("limit_mb", 10),
        ),
        "empty": lambda: _("The file is empty."),
        "headers_only": lambda: _("The file has headers but no rows of data."),
        "not_spreadsheet": lambda: _(
            "This is not a spreadsheet. Upload a CSV file or an Excel workbook (.xlsx)."
        ),
        "old_excel": lambda: _(
            "Old Excel files (.xls) are not accepted. Save the file as .xlsx or CSV and try again."
        ),
        "encoding": lambda: _(
            "The text of this file could not be read. Save it as CSV UTF-8 (or as .xlsx) "
            "and try again."
        ),
        "malformed": lambda: _(
            "The CSV file is malformed near line %(row)s (a quote may be missing).",
            row=p.get("row", "?"),
        ),
        "duplicate_headers": lambda: _(
            "These columns appear more than once: %(headers)s. Keep one of each.",
            headers=p.get("headers", ""),
        ),
        "missing_name_column": lambda: _(
            "The file has no full name column (full_name or Họ và tên) in its first row."
        ),
        "missing_business_name_column": lambda: _(
            "The file has no business name column (name or Tên doanh nghiệp) in its first row."
        ),
        "formula": lambda: _(
            "Cell %(cell)s contains a formula. Formulas are refused: paste the values only "
            "(Paste special → Values) and upload again.",
            cell=p.get("cell", "?"),
        ),
        "too_many_columns": lambda: _(
            "Row %(row)s has %(count)s columns; at most %(limit)s are accepted.",
            row=p.get("row", "?"),
            count=p.get("count", "?"),
            limit=p.get("limit", "?"),
        ),
        "cell_too_large": lambda: _(
            "Cell %(cell)s is too long (more than %(limit)s characters).",
            cell=p.get("cell", "?"),
            limit=p.get("limit", "?"),
        ),
        "too_many_rows": lambda: _(
            "The file has more than %(limit)s rows. Split it into smaller files.",
            limit=p.get("limit", "?"),
        ),
        "no_such_sheet": lambda: _(
            "There is no sheet named “%(sheet)s”. The workbook has: %(sheets)s.",
            sheet=p.get("sheet", ""),
            sheets=p.get("sheets", ""),
        ),
        "commit_failed": lambda: _(
            "The import could not be saved, and nothing was written. Please try again."
        ),
        "commit_interrupted": lambda: _(
            "The import was interrupted before it was saved, and nothing was written. "
            "Please commit it again."
        ),
        "merge_target_gone": lambda: _(
            "Row %(row)s: the profile to merge into can no longer be changed by you. "
            "Choose another action for this row; nothing was written.",
            row=p.get("row", "?"),
        ),
        "read_failed": lambda: _("The file could not be read. Nothing was written."),
        "read_interrupted": lambda: _(
            "The reading of this file was interrupted (the server restarted), and nothing was "
            "written. Please upload the file again."
        ),
    }
    make = messages.get(code or "")
    return make() if make else _("The file could not be imported.")


def issue_message(issue: dict) -> str:
    """The text of one row issue in the current language."""
    code, params = issue.get("code"), issue.get("params") or {}
    if code == "outside_mission":
        return _(
            "This person lives outside your mission's countries (%(countries)s).",
            countries=params.get("countries", ""),
        )
    if code == "business_outside_mission":
        return _(
            "This business is neither registered nor operating in your mission's countries "
            "(%(countries)s).",
            countries=params.get("countries", ""),
        )
    if code == "unknown_size":
        return _(
            "Unknown size: %(value)s. Write micro, small, medium or large (or siêu nhỏ, nhỏ, "
            "vừa, lớn).",
            value=params.get("value", ""),
        )
    if code == "unknown_presence":
        return _(
            "Unknown kind of presence: %(value)s. Write none, representative office, "
            "subsidiary, joint venture or invested project, then “:” and the province.",
            value=params.get("value", ""),
        )
    if code == "unknown_interest":
        return _(
            "Unknown interest: %(value)s. Write investment, import, export, technology "
            "transfer or training.",
            value=params.get("value", ""),
        )
    if code == "country_required":
        return _("The country of residence is required.")
    if code == "country_assumed":
        return _("No country given: %(country)s assumed.", country=params.get("country", ""))
    if code == "extra_cells":
        return _(
            "Values in columns without a header are not imported: %(values)s",
            values=params.get("values", ""),
        )
    messages = issue.get("messages") or {}
    if messages:
        return messages.get(current_locale()) or issue.get("message") or ""
    return issue.get("message") or code or ""


def match_reason(reason: str) -> str:
    """Why two records are thought to be the same person."""
    return {
        "email": _("same email"),
        "phone": _("same phone"),
        "name_birth_year": _("same name and birth year"),
        "name_city": _("same name and city"),
        "name_country": _("same name and country"),
        "website": _("same website"),
    }.get(reason, reason)
