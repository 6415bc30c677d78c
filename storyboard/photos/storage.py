"""Where photo files live: `<instance>/photos/<token>.<ext>` and `<token>-thumb.<ext>`.

Names come from a random token, never from an upload, so nothing a person sends can choose or
guess a path. Files follow their rows: new files are deleted again if the session rolls back,
and the files of deleted rows are deleted once the deletion commits, however the rows went (a
photo removed, a draft deleted, a leaver's story erased: the ORM cascade from Story.photos).
"""
from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from pathlib import Path

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from storyboard.models import StoryPhoto

# session.info keys: files written in this transaction, and files whose rows it deleted.
_WRITTEN = "photos.written"
_DELETED = "photos.deleted"


def photo_dir() -> Path:
    """The folder holding every photo file (PHOTO_DIR, or `photos` in the instance folder)."""
    configured = current_app.config.get("PHOTO_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "photos"


def new_token() -> str:
    return secrets.token_urlsafe(24)  # 32 characters of [A-Za-z0-9_-]


def path_of(token: str, extension: str, thumbnail: bool = False) -> Path:
    return photo_dir() / f"{token}{'-thumb' if thumbnail else ''}.{extension}"


def paths_of(photo: StoryPhoto) -> tuple[Path, Path]:
    return path_of(photo.token, photo.extension), path_of(photo.token, photo.extension, thumbnail=True)


def write(session: Session, token: str, extension: str, display: bytes, thumbnail: bytes) -> None:
    """Write a photo's two files; they are deleted again if `session` rolls back."""
    folder = photo_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    session.info.setdefault(_WRITTEN, set()).add((token, extension))
    for data, thumb in ((display, False), (thumbnail, True)):
        _write_whole(path_of(token, extension, thumb), data)


def _write_whole(path: Path, data: bytes) -> None:
    # A private temporary file renamed into place: a reader never sees half a photo.
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def read(photo: StoryPhoto, thumbnail: bool = False) -> bytes | None:
    """A photo's file, or None if it is missing (a database restored without its photos)."""
    try:
        return path_of(photo.token, photo.extension, thumbnail).read_bytes()
    except FileNotFoundError:
        return None


def delete_files(token: str, extension: str) -> None:
    for thumb in (False, True):
        with contextlib.suppress(FileNotFoundError):
            path_of(token, extension, thumb).unlink()


@event.listens_for(Session, "after_flush")
def _note_deleted_rows(session: Session, flush_context) -> None:
    gone = {(row.token, row.extension) for row in session.deleted if isinstance(row, StoryPhoto)}
    if gone:
        session.info.setdefault(_DELETED, set()).update(gone)


@event.listens_for(Session, "after_commit")
def _delete_files_of_deleted_rows(session: Session) -> None:
    session.info.pop(_WRITTEN, None)  # kept: their rows are committed
    deleted = session.info.pop(_DELETED, None)
    if deleted and has_app_context():
        for token, extension in deleted:
            delete_files(token, extension)


@event.listens_for(Session, "after_soft_rollback")
def _undo_files(session: Session, previous_transaction) -> None:
    # Rows deleted in what rolled back are back, so their files stay; files written for rows
    # that never committed go. A savepoint's rollback is left alone: photos never use one, and
    # the outer transaction still decides.
    if previous_transaction.nested:
        return
    session.info.pop(_DELETED, None)
    written = session.info.pop(_WRITTEN, None)
    if written and has_app_context():
        for token, extension in written:
            delete_files(token, extension)
