"""``flask people import FILE --mission CODE [--dry-run]`` and ``flask imports run``."""

from __future__ import annotations

import os
import sys

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from directory.extensions import db

people_cli = AppGroup("people", help="People (profiles).")
imports_cli = AppGroup("imports", help="Spreadsheet imports run by the web interface.")


def _report_rows(rows, limit: int = 200) -> int:
    """Print one line per issue or duplicate; returns how many rows have errors."""
    from directory.imports.messages import issue_message, match_reason

    errors = 0
    shown = 0
    for row in rows:
        if row.has_errors:
            errors += 1
        for issue in row.issues:
            if shown < limit:
                column = issue["field"] or "-"
                click.echo(
                    f"row {row.row_number}: {issue['level']}: {column}: {issue_message(issue)}",
                    err=issue["level"] == "error",
                )
            shown += 1
        for match in row.matches:
            if shown < limit:
                target = (
                    f"person {match['person_id']}"
                    if "person_id" in match
                    else f"row {match['row']}"
                )
                click.echo(
                    f"row {row.row_number}: {match['kind']} of {target} "
                    f"({match_reason(match['reason'])})"
                )
            shown += 1
    if shown > limit:
        click.echo(f"… {shown - limit} more line(s)")
    return errors


@people_cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--mission", "mission_code", required=True, help="Code of the importing mission.")
@click.option("--dry-run", is_flag=True, help="Check and report; write nothing.")
@click.option("--sheet", default=None, help="XLSX sheet name (default: the first sheet).")
@click.option(
    "--duplicates",
    type=click.Choice(["skip", "create", "fail"]),
    default="skip",
    show_default=True,
    help="What to do with rows matching an existing person or an earlier row.",
)
@click.option(
    "--consent-source",
    type=click.Choice(["paper", "email", "in_person", "online_form"]),
    default=None,
    help="How the people in the file gave consent to be listed (with --consent-date).",
)
@click.option(
    "--consent-date",
    default=None,
    metavar="YYYY-MM-DD",
    help="When they gave it. Without both options the file's consent column is ignored.",
)
@click.option("--consent-reference", default=None, help="The form or document (optional).")
def import_command(
    file, mission_code, dry_run, sheet, duplicates, consent_source, consent_date, consent_reference
):
    """Import people from a CSV or XLSX file; nothing is written when any row is rejected.

    The file's consent column is recorded only when --consent-source and --consent-date say,
    for the whole file, how and when the people gave consent; otherwise it is ignored (with a
    warning) and everyone is registered as not listed.
    """
    from flask import g
    from flask_babel import force_locale

    from directory.core.errors import ValidationError
    from directory.imports.jobs import import_file_now
    from directory.imports.messages import file_error_message
    from directory.imports.reader import ImportFileError
    from directory.missions.models import Mission

    mission = db.session.scalar(sa.select(Mission).where(Mission.code == mission_code))
    if mission is None:
        raise click.ClickException(f"unknown mission: {mission_code}")
    if not os.path.isfile(file):
        raise click.ClickException(f"no such file: {file}")
    with open(file, "rb") as fh:
        data = fh.read()
    evidence = None
    if consent_source or consent_date or consent_reference:
        evidence = {"source": consent_source, "date": consent_date, "reference": consent_reference}
    g.import_job = True  # Flask-Babel ignores force_locale while ``g`` is empty
    with force_locale("en"):
        try:
            result = import_file_now(
                data,
                os.path.basename(file),
                mission,
                None,
                dry_run=dry_run,
                duplicates=duplicates,
                sheet_name=sheet,
                consent_evidence=evidence,
            )
        except ValidationError as exc:
            for key, message in exc.fields.items():
                if key != "consent_evidence" or len(exc.fields) == 1:
                    option = key.replace("consent_evidence.", "consent-").replace("_", "-")
                    click.echo(f"rejected: --{option}: {message}", err=True)
            click.echo("nothing was written", err=True)
            sys.exit(2)
        except ImportFileError as exc:
            click.echo(f"rejected: {file_error_message(exc.code, exc.params)}", err=True)
            click.echo("nothing was written", err=True)
            sys.exit(2)
        errors = _report_rows(result.rows)
        duplicates_found = sum(1 for r in result.rows if r.matches)
    if result.consent_column and not result.consent_recorded:
        click.echo(
            f"warning: the consent column is ignored ({result.consent_yes} row(s) say yes): "
            "without --consent-source and --consent-date nobody is recorded as consenting "
            "to be listed",
            err=True,
        )
    elif result.consent_recorded:
        click.echo(
            f"consent to be listed: {result.consent_yes} row(s) say yes, attested as "
            f"{consent_source} on {consent_date}"
        )
    summary = (
        f"{len(result.rows)} row(s): {result.created} to create, {result.skipped} skipped, "
        f"{errors} with errors, {duplicates_found} duplicate(s)"
    )
    if errors or (duplicates == "fail" and duplicates_found):
        click.echo(f"rejected: {summary}", err=True)
        click.echo("nothing was written", err=True)
        sys.exit(1)
    if dry_run:
        click.echo(f"dry run: {summary}; nothing was written")
        return
    click.echo(f"imported: {summary} (batch {result.batch_id})")


@imports_cli.command("run")
@click.option("--batch", "batch_id", default=None, help="One batch id (default: all waiting).")
def run_command(batch_id):
    """Read queued uploads (when the server stopped before reading them)."""
    from directory.imports.batches import read_batch
    from directory.imports.models import ImportBatch

    query = sa.select(ImportBatch.id).where(ImportBatch.status == "queued")
    if batch_id:
        query = query.where(ImportBatch.id == batch_id)
    ids = list(db.session.scalars(query))
    for bid in ids:
        batch = read_batch(bid)
        click.echo(f"{bid}: {batch.status}")
    if not ids:
        click.echo("no queued import")


@imports_cli.command("recover")
@click.option(
    "--older-than",
    default=600,
    show_default=True,
    type=click.IntRange(0),
    help="Seconds since the commit started.",
)
def recover_command(older_than):
    """Reopen the batches whose commit was interrupted by a crash (nothing was written), and
    fail those whose reading was (the officer uploads the file again)."""
    from datetime import timedelta

    from directory.imports.batches import recover_interrupted_reads
    from directory.imports.commit import recover_interrupted

    ids = recover_interrupted(timedelta(seconds=older_than))
    for bid in ids:
        click.echo(f"{bid}: ready again (the interrupted commit wrote nothing)")
    if not ids:
        click.echo("no interrupted commit")
    for bid in recover_interrupted_reads(timedelta(seconds=older_than)):
        click.echo(f"{bid}: failed (its reading was interrupted; the file must be uploaded again)")


def recover_job() -> str | None:
    """One round of ``imports recover`` for the worker."""
    from directory.imports.batches import recover_interrupted_reads
    from directory.imports.commit import recover_interrupted

    ids, reads = recover_interrupted(), recover_interrupted_reads()
    said = []
    if ids:
        said.append(f"{len(ids)} interrupted commit(s) reopened")
    if reads:
        said.append(f"{len(reads)} interrupted reading(s) failed")
    return "; ".join(said) or None


def register_cli(app) -> None:
    app.cli.add_command(people_cli)
    app.cli.add_command(imports_cli)
    from directory.core.schedule import register

    register(app, "imports recover", 300, recover_job)
