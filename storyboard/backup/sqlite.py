"""SQLite backups through the online backup API, in both directions.

The API copies pages through SQLite's own locking, so a backup taken while the app writes is a
consistent snapshot, and a restore is seen at once by every worker that has the file open (a
plain file copy gives neither: it can tear a write in half, or leave a stale WAL behind).
"""
from __future__ import annotations

import sqlite3
import time
from contextlib import closing
from pathlib import Path

from sqlalchemy.engine import URL

from storyboard.backup.common import BackupError

BUSY_TIMEOUT_MS = 30_000  # how long to wait for a worker's write to finish before giving up


def database_file(url: URL) -> Path:
    """The SQLite file the app uses; BackupError for an in-memory database."""
    if not url.database or url.database == ":memory:" or url.database.startswith("file::memory:"):
        raise BackupError("The database is in memory: there is no file to back up or restore.")
    return Path(url.database)


def create(url: URL, target: Path) -> None:
    """Copy the live database into `target` (an empty file) as one self-contained file."""
    source = database_file(url)
    if not source.is_file():
        raise BackupError(f"There is no database at {source}; nothing to back up.")
    try:
        with closing(_connect(source)) as live, closing(sqlite3.connect(target)) as copy:
            # All pages in one step: one read transaction, so one consistent snapshot. Copying in
            # smaller steps would start again every time a worker wrote, possibly for ever.
            live.backup(copy, pages=-1, progress=_give_up_after(BUSY_TIMEOUT_MS))
            # The copy inherits WAL mode from the live file; a backup should be a single file.
            copy.execute("PRAGMA journal_mode=DELETE").fetchall()
    except sqlite3.Error as error:
        raise BackupError(f"The backup of {source} failed: {error}.") from None


def revisions(path: Path) -> list[str]:
    """The schema revisions recorded in a backup file, after checking the file is whole."""
    try:
        # Read-only and immutable: checking a file must never change it, nor need a -wal file.
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)) as copy:
            check = copy.execute("PRAGMA quick_check").fetchall()
            if check != [("ok",)]:
                raise BackupError(f"{path} is damaged ({check[0][0]}); nothing was restored.")
            named = copy.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
            ).fetchone()
            if named is None:
                raise BackupError(f"{path} is a SQLite database but not a Storyboard backup "
                                  "(it has no alembic_version table).")
            return [row[0] for row in copy.execute("SELECT version_num FROM alembic_version")]
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a readable SQLite backup: {error}.") from None


def restore(path: Path, url: URL) -> None:
    """Replace the live database's content with the backup's, page for page, in one step."""
    target = database_file(url)
    if target.exists() and target.resolve() == path.resolve():
        raise BackupError(f"{path} is the database itself; choose a backup file.")
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)) as copy, \
                closing(_connect(target)) as live:
            # The backup API takes the write lock and swaps every page in one transaction: a
            # failure leaves the old content, and workers' next reads see the new.
            copy.backup(live, pages=-1, progress=_give_up_after(BUSY_TIMEOUT_MS))
    except sqlite3.Error as error:
        raise BackupError(f"The restore into {target} failed: {error}; "
                          "the database was left as it was.") from None


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
    connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return connection


def _give_up_after(milliseconds: int):
    """A progress callback that ends a backup kept waiting on a lock for too long.

    Python retries a busy backup step for ever; a stuck worker should give an error instead.
    """
    deadline = time.monotonic() + milliseconds / 1000

    def progress(status: int, remaining: int, total: int) -> None:
        if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) and time.monotonic() > deadline:
            raise BackupError("The database stayed locked by another process; try again.")

    return progress
