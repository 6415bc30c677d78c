"""Fast inserts for demo data: Core executemany in chunks, with ids chosen before inserting."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Table, func, insert, select, text

from storyboard.db_helpers import dialect_name
from storyboard.extensions import db

CHUNK_SIZE = 5000

Row = dict[str, Any]


def next_id(table: Table) -> int:
    """The first id after the table's highest, so new rows and their links can carry ids."""
    return (db.session.scalar(select(func.max(table.c.id))) or 0) + 1


def insert_rows(table: Table, rows: Sequence[Row]) -> None:
    """Insert rows (all with the same keys) in executemany calls of at most CHUNK_SIZE rows."""
    for start in range(0, len(rows), CHUNK_SIZE):
        db.session.execute(insert(table), rows[start : start + CHUNK_SIZE])


def reset_sequences(tables: Iterable[Table]) -> None:
    """On PostgreSQL, move each id sequence past the explicit ids inserted into its table."""
    if dialect_name() != "postgresql":
        return
    for table in tables:
        # Bandit B608 checked: table names come from the models' metadata, never from input.
        db.session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), max(id)) "  # nosec B608
                f'FROM "{table.name}" HAVING max(id) IS NOT NULL'
            )
        )


def analyze() -> None:
    """Refresh PostgreSQL's planner statistics, which a bulk load leaves stale until autovacuum."""
    if dialect_name() == "postgresql":
        db.session.execute(text("ANALYZE"))
