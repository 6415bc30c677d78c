"""`flask people import FILE`: the CSV people import from the command line.

The checks, the plan and the writing live in storyboard/people/importer.py, which the admins'
web page (/people/import) uses too, so a file means the same thing either way."""
from __future__ import annotations

import smtplib
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy.exc import IntegrityError

from storyboard import mail
from storyboard.extensions import db
from storyboard.people.importer import COLUMNS, FileRefused, apply_plan, check_file
from storyboard.people.invitations import build_invitations

people_cli = AppGroup("people", help="Manage people.")


@people_cli.command("import", epilog=f"Columns: {', '.join(COLUMNS)}.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--deactivate-missing", is_flag=True, help="Deactivate active people not in the file.")
@click.option("--no-invite", is_flag=True, help="Do not email invitations to the people created.")
@click.option("--dry-run", is_flag=True, help="Check the file and report the changes, changing nothing.")
def import_command(file: Path, deactivate_missing: bool, no_invite: bool, dry_run: bool) -> None:
    """Create and update people from a CSV file, inviting the new ones."""
    try:
        people, plan, problems = check_file(file.read_bytes(), file.name, deactivate_missing)
    except FileRefused as error:
        raise click.ClickException(str(error)) from None
    if plan is None:
        if problems[0][0] == 0:  # the file as a whole: it would leave no active admin
            raise click.ClickException(f"Nothing was imported: {problems[0][1]}.")
        report = [f"line {line}: {message}" for line, message in problems]
        report.append(f"Nothing was imported: {len(problems)} problem(s).")
        raise click.ClickException("\n".join(report))
    if dry_run:
        click.echo(f"{plan.summary()} Dry run: nothing was written and no invitations were sent.")
        return
    try:
        created = apply_plan(plan, people)
        invitations = [] if no_invite else build_invitations(created)
        db.session.commit()
    except IntegrityError:  # someone added one of these people while the file was being checked
        db.session.rollback()
        raise click.ClickException("Nothing was imported: people changed meanwhile; run it again.") from None
    try:
        sent = mail.send(invitations)
    except (smtplib.SMTPException, OSError) as error:
        click.echo(plan.summary())
        raise click.ClickException(f"The people were imported but the invitations failed: {error}") from None
    plural = "" if sent == 1 else "s"
    invited = "No invitations sent (--no-invite)." if no_invite else f"Sent {sent} invitation{plural}."
    click.echo(f"{plan.summary()} {invited}")
