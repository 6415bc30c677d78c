"""The audit log: one entry for every status change and every curator edit."""
from __future__ import annotations

from typing import Any

from storyboard.extensions import db
from storyboard.models import AuditEntry, Person


def record(
    actor: Person | None,
    action: str,
    entity_type: str,
    entity_id: int,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str | None = None,
) -> AuditEntry:
    """Add an audit entry to the session; the caller's commit makes it permanent with the change."""
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        before=before,
        after=after,
        note=note,
    )
    db.session.add(entry)
    return entry
