"""Small database helpers that must behave the same on SQLite and PostgreSQL."""
from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Table, func, or_, text
from sqlalchemy.dialects import postgresql, sqlite

from storyboard.extensions import db


def insert_if_absent(table: Table, values: dict[str, Any]) -> bool:
    """Insert a row unless its key already exists; True if this call inserted it.

    Concurrent requests (two clicks, two workers) cannot both insert: the database decides.
    """
    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    key = list(table.primary_key.columns)[0]
    # RETURNING, not rowcount: drivers need not report a rowcount for INSERT.
    statement = module.insert(table).values(**values).on_conflict_do_nothing().returning(key)
    return db.session.execute(statement).first() is not None


# The largest id every table can hold: ids are INTEGER columns, which PostgreSQL keeps in 32
# bits (SQLite would take 64); a larger number in a URL or form is simply not found.
MAX_ID = 2**31 - 1


def parse_id(text: str | None) -> int | None:
    """A record number typed or sent as text ("42", "#42"), or None if it is not one the
    database could hold. ASCII digits only: "²".isdigit() is true, but int("²") fails."""
    text = (text or "").strip().lstrip("#")
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def database_id(value) -> int:
    """Form coercion for an id field: a positive integer the database can hold, else ValueError."""
    number = parse_id(value if isinstance(value, str) else str(value))
    if number is None:
        raise ValueError("not a valid id")
    return number


# How long a SQLite writer waits for another to finish before giving up with "database is locked".
SQLITE_BUSY_TIMEOUT_MS = 5000


def dialect_name() -> str:
    return db.session.get_bind().dialect.name


def include_in_migrations(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic filter: full-text search is hand-written per dialect in the first migration."""
    if type_ == "table" and name.startswith("story_fts"):
        return False
    return name not in ("search_vector", "ix_stories_search")


def begin_immediate() -> None:
    """On SQLite, take the write lock now (BEGIN IMMEDIATE); call it first in a transaction.

    SQLite has one writer at a time: a transaction that reads and then writes can fail on the
    lock halfway through, so claims take it before reading. PostgreSQL needs nothing here.
    """
    if dialect_name() == "postgresql":
        return
    connection = db.session.connection()
    if not connection.connection.dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def lock_for_writing(advisory_key: int) -> None:
    """Serialise one critical section across processes; call it first in a transaction.

    PostgreSQL takes an advisory lock held until commit; SQLite takes its write lock.
    """
    if dialect_name() == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": advisory_key})
    else:
        begin_immediate()


def escape_like(text: str) -> str:
    """`text` matched literally by LIKE ... ESCAPE '\\': its %, _ and backslashes escaped."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def any_contains(text: str, *columns) -> ColumnElement[bool]:
    """True where any of `columns` contains `text`, ignoring case; the %, _ and backslashes
    people type match themselves (a search for "100%" is not a search for everything)."""
    pattern = f"%{escape_like(text.lower())}%"
    return or_(*(func.lower(column).like(pattern, escape="\\") for column in columns))
