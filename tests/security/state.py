"""Every row of every table, to prove that a request changed nothing (or only what it may).

`snapshot()` reads the database as it really is (reflected, so the SQLite search index and any
table a migration adds are in it too) plus the number of emails written to the outbox.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import JSON, String, Text, inspect, select, text

from storyboard.extensions import db

# Columns a request may touch without writing anything people asked for: when a sign-in was
# last used (the idle timeout's clock).
IGNORED_COLUMNS = {("sign_ins", "last_seen_at"), ("sign_ins", "last_seen")}
# SQLite's full-text index keeps its own shadow tables; the index table itself is compared.
_SHADOW = ("_data", "_idx", "_content", "_docsize", "_config")


@dataclass
class Snapshot:
    tables: dict[str, tuple[tuple[str, ...], list[tuple]]]
    mail: int

    def diff(self, after: Snapshot) -> list[str]:
        """What changed, one line per added or removed row, most useful first."""
        lines = [f"outbox: {self.mail} -> {after.mail} emails"] if self.mail != after.mail else []
        for name in sorted(set(self.tables) | set(after.tables)):
            columns, old = self.tables.get(name, ((), []))
            new = after.tables.get(name, (columns, []))[1]
            if old != new:
                gone = [row for row in old if row not in new]
                added = [row for row in new if row not in old]
                lines += [f"{name} -{dict(zip(columns, row, strict=True))}" for row in gone[:3]]
                lines += [f"{name} +{dict(zip(columns, row, strict=True))}" for row in added[:3]]
        return lines

    def without_first_read(self, story_id: int, person_id: int) -> Snapshot:
        """This snapshot with one reader's first read of a story taken back out: the only write a
        GET may make (a published story counts a reader once)."""
        tables = dict(self.tables)
        columns, rows = tables["story_readers"]
        kept = [row for row in rows if (row[columns.index("story_id")], row[columns.index("person_id")])
                != (story_id, person_id)]
        if len(kept) == len(rows):
            return self
        tables["story_readers"] = (columns, kept)
        columns, rows = tables["stories"]
        at, count = columns.index("id"), columns.index("reader_count")
        tables["stories"] = (columns, [
            row[:count] + (row[count] - 1,) + row[count + 1:] if row[at] == story_id else row
            for row in rows
        ])
        return Snapshot(tables, self.mail)


_TABLES: dict[str, list[str]] = {}  # database URL -> its tables, read once per test session


def table_names() -> list[str]:
    url = str(db.engine.url)
    if url not in _TABLES:
        names = inspect(db.engine).get_table_names()
        _TABLES[url] = sorted(name for name in names if name != "alembic_version" and not name.endswith(_SHADOW))
    return _TABLES[url]


def snapshot() -> Snapshot:
    """All rows of all tables (sorted, so the order rows come back in does not matter)."""
    db.session.expire_all()
    db.session.rollback()  # see what other connections committed
    tables = {}
    for name in table_names():
        result = db.session.execute(text(f'SELECT * FROM "{name}"'))
        columns = tuple(result.keys())
        keep = [i for i, column in enumerate(columns) if (name, column) not in IGNORED_COLUMNS]
        rows = sorted((tuple(row[i] for i in keep) for row in result), key=repr)
        tables[name] = (tuple(columns[i] for i in keep), rows)
    db.session.rollback()
    outbox = Path(current_app.config["OUTBOX_DIR"])
    return Snapshot(tables, len(list(outbox.glob("*.eml"))) if outbox.exists() else 0)


def bad_characters(value: str) -> list[str]:
    """Control characters other than newline and tab, and lone surrogates, in a stored string."""
    return sorted({f"U+{ord(c):04X}" for c in value
                   if c not in "\n\t" and unicodedata.category(c) in ("Cc", "Cs")})


def _strings(value: Any):
    """Every string inside a stored JSON value, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def stored_garbage() -> list[str]:
    """Text no form should have let through: control characters (other than newline and tab),
    NUL, lone surrogates, and strings longer than their column (SQLite does not enforce it)."""
    db.session.expire_all()
    problems = []
    for table in db.metadata.sorted_tables:
        columns = [column for column in table.columns if isinstance(column.type, (String, Text, JSON))]
        if not columns:
            continue
        key = list(table.primary_key.columns)
        for row in db.session.execute(select(*key, *columns)):
            where = f"{table.name}{tuple(row[:len(key)])}"
            for column, value in zip(columns, row[len(key):], strict=True):
                limit = getattr(column.type, "length", None)
                if isinstance(value, str) and limit and len(value) > limit:
                    problems.append(f"{where}.{column.name}: {len(value)} characters in a column of {limit}")
                for string in _strings(value):
                    if bad := bad_characters(string):
                        problems.append(f"{where}.{column.name}: {', '.join(bad)} in {string[:60]!r}")
    db.session.rollback()
    return problems
