"""Fast inserts for demo data, with ids chosen before inserting: PostgreSQL's COPY there,
Core executemany in chunks elsewhere."""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from psycopg import sql
from sqlalchemy import Dialect, Table, func, insert, select, text

from storyboard.db_helpers import dialect_name
from storyboard.extensions import db

CHUNK_SIZE = 5000

Row = dict[str, Any]


def next_id(table: Table) -> int:
    """The first id after the table's highest, so new rows and their links can carry ids."""
    return (db.session.scalar(select(func.max(table.c.id))) or 0) + 1


def insert_rows(table: Table, rows: Sequence[Row]) -> None:
    """Insert rows (all with the same keys): by COPY on PostgreSQL, where an executemany of a
    million stories' readers would take most of a big seed's time; in executemany calls of at
    most CHUNK_SIZE rows elsewhere."""
    if not rows:
        return
    if dialect_name() == "postgresql":
        _copy_rows(_driver_connection(), db.session.get_bind().dialect, table, rows)
        return
    for start in range(0, len(rows), CHUNK_SIZE):
        db.session.execute(insert(table), rows[start : start + CHUNK_SIZE])


class BackgroundInserts:
    """Inserts each batch of rows while the caller makes the next. On PostgreSQL the COPY runs in
    a worker thread, on the session's connection and in its transaction (committed by close()):
    the server does most of that work, and psycopg lets go of the GIL while it waits, so the two
    cores both work. Elsewhere each batch is inserted and committed at once."""

    def __init__(self) -> None:
        self.copying = dialect_name() == "postgresql"
        self.workers = ThreadPoolExecutor(max_workers=1) if self.copying else None
        self.pending: Future | None = None

    def insert(self, tables: Sequence[tuple[Table, Sequence[Row]]]) -> None:
        """Insert each table's rows, parents first; waits for the batch before."""
        self.wait()
        if self.workers is None:
            for table, rows in tables:
                insert_rows(table, rows)
            db.session.commit()
            return
        connection, dialect = _driver_connection(), db.session.get_bind().dialect
        self.pending = self.workers.submit(_copy_tables, connection, dialect, tables)

    def wait(self) -> None:
        if self.pending is not None:
            pending, self.pending = self.pending, None
            pending.result()  # raises what the worker raised

    def close(self) -> None:
        """Wait for the last batch; the caller commits (PostgreSQL's batches are in its transaction)."""
        try:
            self.wait()
        finally:
            if self.workers is not None:
                self.workers.shutdown()


def _driver_connection() -> Any:
    """The psycopg connection under the session's, in the session's transaction."""
    return db.session.connection().connection.driver_connection


def _copy_tables(connection: Any, dialect: Dialect, tables: Sequence[tuple[Table, Sequence[Row]]]) -> None:
    for table, rows in tables:
        if rows:
            _copy_rows(connection, dialect, table, rows)


def _copy_rows(connection: Any, dialect: Dialect, table: Table, rows: Sequence[Row]) -> None:
    """COPY rows into `table` on `connection`, doing what an INSERT would: the columns' bind
    processing, and their Python-side defaults for columns the rows leave out."""
    given = list(rows[0])
    processors = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in given]
    defaulted = [column for column in table.columns
                 if column.name not in given and column.default is not None and not column.default.is_sequence]
    extra = tuple(column.default.arg if column.default.is_scalar else column.default.arg(None)
                  for column in defaulted)
    names = given + [column.name for column in defaulted]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, names)))
    pairs = list(zip(given, processors, strict=True))
    plain = all(processor is None for processor in processors)
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            if plain:
                values = tuple(row[name] for name in given)
            else:
                values = tuple(row[name] if process is None else process(row[name]) for name, process in pairs)
            copy.write_row(values + extra)


@contextmanager
def indexes_set_aside(tables: Sequence[Table]) -> Iterator[None]:
    """On PostgreSQL, drop the tables' secondary indexes (never a primary key or unique one) for a
    big load and build them again after it, in the same transaction (so a failed load leaves them
    as they were): building an index once is much faster than growing it row by row, above all
    the GIN index on the stories' search vectors."""
    if dialect_name() != "postgresql":
        yield
        return
    indexes = db.session.execute(text(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i "
        "JOIN pg_class c ON c.relname = i.indexname AND c.relnamespace = to_regnamespace(i.schemaname) "
        "JOIN pg_index x ON x.indexrelid = c.oid "
        "WHERE i.schemaname = current_schema() AND i.tablename = ANY(:tables) AND NOT x.indisunique "
        "ORDER BY i.indexname"
    ), {"tables": [table.name for table in tables]}).all()
    for name, _ in indexes:
        # Bandit B608 checked: index names come from PostgreSQL's catalogue, never from input.
        db.session.execute(text(f'DROP INDEX "{name}"'))  # nosec B608
    yield
    db.session.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
    for _, definition in indexes:
        db.session.execute(text(definition))


@contextmanager
def foreign_keys_set_aside(tables: Sequence[Table]) -> Iterator[None]:
    """On PostgreSQL, drop the tables' foreign keys for a big load and add them again after it, in
    the same transaction. Each row loaded under a foreign key looks its parent up on its own (a
    million stories bring some 25 million readers, each checked against a story and a person);
    adding the key afterwards checks every row at once, in one join, and fails the whole load
    if any row has no parent, as the row-by-row check would have."""
    if dialect_name() != "postgresql":
        yield
        return
    keys = db.session.execute(text(
        "SELECT c.relname, k.conname, pg_get_constraintdef(k.oid) FROM pg_constraint k "
        "JOIN pg_class c ON c.oid = k.conrelid "
        "WHERE k.contype = 'f' AND c.relnamespace = to_regnamespace(current_schema()) "
        "AND c.relname = ANY(:tables) ORDER BY c.relname, k.conname"
    ), {"tables": [table.name for table in tables]}).all()
    for table, name, _ in keys:
        # Bandit B608 checked: table and constraint names come from PostgreSQL's catalogue.
        db.session.execute(text(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"'))  # nosec B608
    yield
    db.session.execute(text("SET LOCAL work_mem = '256MB'"))
    for table, name, definition in keys:
        db.session.execute(text(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}'))  # nosec B608


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
