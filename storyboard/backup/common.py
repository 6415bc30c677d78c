"""What both kinds of backup share: telling them apart and checking their schema revision."""
from __future__ import annotations

from pathlib import Path

import click
from alembic.script import ScriptDirectory
from flask import current_app

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"  # pg_dump --format=custom
KIND_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


class BackupError(click.ClickException):
    """A backup or restore that cannot go ahead; the CLI prints the one-line message, exit 1."""


def file_kind(path: Path) -> str:
    """'sqlite' or 'postgresql' from the file's first bytes, or BackupError for anything else."""
    try:
        with path.open("rb") as handle:
            head = handle.read(64)
    except OSError as error:
        raise BackupError(f"Cannot read {path}: {error.strerror}.") from None
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_CUSTOM_MAGIC):
        return "postgresql"
    if b"PostgreSQL database dump" in head:
        raise BackupError(f"{path} is a plain-SQL pg_dump, not a backup this command made; "
                          "restore it with psql, or make one with `backup create`.")
    raise BackupError(f"{path} is not a Storyboard backup (neither a SQLite database "
                      "nor a pg_dump custom-format file).")


def check_revisions(path: Path, revisions: list[str]) -> str:
    """The backup's schema revision, if this code knows it; BackupError otherwise."""
    if len(revisions) != 1:
        raise BackupError(f"{path} records {len(revisions)} schema revisions; "
                          "a Storyboard backup has exactly one.")
    revision = revisions[0]
    # Compared exactly: alembic's own lookup would also accept a prefix such as "00".
    if revision not in {script.revision for script in _scripts().walk_revisions()}:
        raise BackupError(
            f"{path} has schema revision {revision!r}, which this version of Storyboard does not "
            f"know (newest known: {head_revision()}): it comes from a newer Storyboard or another "
            "application. Upgrade Storyboard first; nothing was restored."
        )
    return revision


def head_revision() -> str:
    """The schema revision this code migrates to."""
    return _scripts().get_current_head() or "none"


def _scripts() -> ScriptDirectory:
    return ScriptDirectory(current_app.extensions["migrate"].directory)


def human_size(size: int) -> str:
    """1536 -> '1.5 KB': how big a backup is, for the person who just made one."""
    if size < 1024:
        return f"{size} bytes"
    amount = size / 1024
    for unit in ("KB", "MB"):
        if amount < 1024:
            return f"{amount:.1f} {unit}"
        amount /= 1024
    return f"{amount:.1f} GB"
