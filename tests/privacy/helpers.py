"""Scanning the whole database, the search index and sent mail for a piece of text.

The scanners walk `db.metadata`, so a table added later is searched too without touching the
tests that use them.
"""
from __future__ import annotations

from email.message import Message

from sqlalchemy import select
from sqlalchemy import text as sql

from storyboard.db_helpers import dialect_name
from storyboard.extensions import db
from storyboard.models import AuditEntry


def holds(value, secret: str) -> bool:
    """Whether a stored value holds `secret` anywhere: strings, JSON keys and items, bytes."""
    if isinstance(value, str):
        return secret in value
    if isinstance(value, bytes):
        return secret.encode() in value
    if isinstance(value, dict):
        return any(holds(key, secret) or holds(item, secret) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return any(holds(item, secret) for item in value)
    return False


def places_holding(secret: str, ignore_case: bool = False) -> set[str]:
    """Every table.column, across the whole of db.metadata, with a row that holds `secret`."""
    db.session.expire_all()
    found = set()
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)).mappings():
            for column in table.columns:
                value = row[column]
                if ignore_case:
                    value = _folded(value)
                if holds(value, secret.casefold() if ignore_case else secret):
                    found.add(f"{table.name}.{column.name}")
    return found


def _folded(value):
    if isinstance(value, str):
        return value.casefold()
    if isinstance(value, dict):
        return {_folded(key): _folded(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_folded(item) for item in value]
    return value


def rows_holding(secret: str) -> int:
    """How many rows, across the whole of db.metadata, hold `secret` somewhere."""
    db.session.expire_all()
    return sum(
        any(holds(row[column], secret) for column in table.columns)
        for table in db.metadata.sorted_tables
        for row in db.session.execute(select(table)).mappings()
    )


def search_index_matches(secret: str) -> list[int]:
    """Story ids the database's own full-text index still finds for `secret`."""
    if dialect_name() == "sqlite":
        words = " ".join(part for part in secret.replace("@", " ").replace(".", " ").split())
        rows = db.session.execute(
            sql("SELECT rowid FROM story_fts WHERE story_fts MATCH :phrase"), {"phrase": f'"{words}"'}
        )
    else:
        rows = db.session.execute(
            sql("SELECT id FROM stories WHERE search_vector @@ plainto_tsquery('english', :q)"),
            {"q": secret},
        )
    return [row[0] for row in rows]


def mail_text(message: Message) -> str:
    """A received message's headers and every decoded part, as one string to search."""
    parts = [f"{name}: {value}" for name, value in message.items()]
    for part in message.walk():
        if not part.is_multipart():
            parts.append(part.get_content())
    return "\n".join(parts)


def status_trail(story_id: int) -> list[tuple[str, dict | None, dict | None]]:
    """The story's status changes as the audit log tells them: (action, before, after)."""
    db.session.expire_all()
    entries = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity_type == "story", AuditEntry.entity_id == story_id)
        .order_by(AuditEntry.id)
    )
    return [(entry.action, entry.before, entry.after) for entry in entries
            if "status" in (entry.after or {})]
