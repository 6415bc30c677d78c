"""`flask --app storyboard backup create [PATH]` and `backup restore PATH [--yes]`."""
from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import delete, inspect
from sqlalchemy.engine import URL, make_url

from storyboard.backup import postgres, sqlite
from storyboard.backup.common import (
    KIND_NAMES,
    BackupError,
    check_revisions,
    file_kind,
    head_revision,
    human_size,
)
from storyboard.clock import utcnow
from storyboard.extensions import db
from storyboard.models import SignIn

backup_cli = AppGroup("backup", help="Back up the whole database to one file, or restore it.")

ENGINES = {"sqlite": sqlite, "postgresql": postgres}
SUFFIXES = {"sqlite": "db", "postgresql": "dump"}


@backup_cli.command("create")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
def create_command(path: Path | None) -> None:
    """Back up the database to PATH (default: instance/backups/storyboard-<UTC time>.db|dump)."""
    kind, url = configured_database()
    target = path or default_path(kind)
    if not target.parent.is_dir():
        raise BackupError(f"There is no folder {target.parent} to write the backup into.")
    revisions = write_privately(target, lambda partial: ENGINES[kind].create(url, partial), kind)
    click.echo(f"Backed up {describe(kind, url)} (schema {', '.join(revisions)}) to {target} "
               f"({human_size(target.stat().st_size)}).")


@backup_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace the database without asking first.")
def restore_command(path: Path, yes: bool) -> None:
    """Replace everything in the database with the backup at PATH."""
    kind, url = configured_database()
    found = file_kind(path)
    if found != kind:
        raise BackupError(f"{path} is a {KIND_NAMES[found]} backup, but this Storyboard uses "
                          f"{KIND_NAMES[kind]}; restore it where Storyboard runs on {KIND_NAMES[found]}.")
    revision = check_revisions(path, ENGINES[kind].revisions(path))
    where = describe(kind, url)
    if not yes:
        click.confirm(f"This replaces every row in {where} with {path} (schema {revision}). "
                      "Continue?", abort=True)
    # This process's pooled connections could hold locks the restore must take.
    db.session.remove()
    db.engine.dispose()
    ENGINES[kind].restore(path, url)
    signed_out = sign_everyone_out()
    click.echo(f"Restored {path} into {where} (schema {revision}).")
    if signed_out:
        sessions = "1 session" if signed_out == 1 else f"{signed_out} sessions"
        click.echo(f"Signed everyone out ({sessions}): a restore brings back no session.")
    if revision != head_revision():
        click.echo(f"The backup's schema is older than this Storyboard's ({head_revision()}): "
                   "run `flask --app storyboard init-db` to upgrade it.")


def sign_everyone_out() -> int:
    """End every sign-in the backup brought back, and return how many.

    A restore must not revive sessions that were signed out (or ended by a password change or
    a deactivation) after the backup was taken; signing in again is a small price.
    """
    if "sign_ins" not in inspect(db.engine).get_table_names():
        return 0  # a backup from before sign-ins were kept on the server
    count = db.session.execute(delete(SignIn)).rowcount
    db.session.commit()
    return count


def configured_database() -> tuple[str, URL]:
    """The kind ('sqlite' or 'postgresql') and URL of the database the app is configured with."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    kind = url.get_backend_name()
    if kind not in ENGINES:
        raise BackupError(f"Backups cover SQLite and PostgreSQL, not {kind}.")
    return kind, url


def describe(kind: str, url: URL) -> str:
    """Which database, for messages: never with its password."""
    if kind == "sqlite":
        return f"the SQLite database {sqlite.database_file(url)}"
    return f"the PostgreSQL database {url.database} on {url.host or 'the local socket'}"


def default_path(kind: str) -> Path:
    """A new file in the instance's backups folder, named for the current UTC time."""
    folder = Path(current_app.instance_path) / "backups"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)  # mkdir's mode is cut by the umask, and ignored for an existing folder
    return folder / f"storyboard-{utcnow():%Y%m%dT%H%M%SZ}.{SUFFIXES[kind]}"


def write_privately(target: Path, write: Callable[[Path], None], kind: str) -> list[str]:
    """Write a backup beside `target`, check it reads back, then move it into place.

    The file is created 0600 (mkstemp), since it holds everyone's data and password hashes; a
    failed or unreadable backup never replaces a good one of the same name.
    """
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    os.close(handle)
    partial = Path(name)
    try:
        write(partial)
        try:
            revisions = ENGINES[kind].revisions(partial)
        except BackupError as error:
            raise BackupError(f"The new backup did not read back ({error.message}); it was not kept.") from None
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return revisions
