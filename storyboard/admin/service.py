"""Changes to values and people, each written to the audit log, and the queries admin pages use.

Functions here add to the session and never commit: the view commits, so that a change and its
audit entry are saved together or not at all.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import selectinload

from storyboard import audit, signals
from storyboard.auth import sessions
from storyboard.auth.roles import keep_an_admin
from storyboard.db_helpers import any_contains
from storyboard.errors import Refused
from storyboard.extensions import db
from storyboard.models import (
    AuditEntry,
    Person,
    Role,
    Story,
    StoryStatus,
    Value,
    story_values,
)
from storyboard.privacy.erasure import is_erased

SLUG_MAX = 80


# Values.


def slugify(name: str) -> str:
    """A URL-safe slug for a value's name: "Owned it, end to end!" -> "owned-it-end-to-end"."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "value"


def unique_slug(name: str) -> str:
    """The slug for `name`, with -2, -3... added if another value (retired or not) has it."""
    base = slugify(name)
    taken = set(db.session.scalars(select(Value.slug)))
    candidate, number = base[:SLUG_MAX].rstrip("-"), 2
    while candidate in taken:
        suffix = f"-{number}"
        candidate = base[: SLUG_MAX - len(suffix)].rstrip("-") + suffix
        number += 1
    return candidate


def value_named(name: str) -> Value | None:
    """The value whose name equals `name` ignoring case, retired or not."""
    # Values are few; comparing in Python folds case beyond ASCII, which SQLite's lower() does not.
    wanted = name.casefold()
    for value in db.session.scalars(select(Value)):
        if value.name.casefold() == wanted:
            return value
    return None


def values_with_counts() -> list[tuple[Value, int, int]]:
    """Every value in order, with how many stories have it and how many of those are published."""
    published = func.count(case((Story.status == StoryStatus.PUBLISHED.value, Story.id)))
    statement = (
        select(Value, func.count(Story.id), published)
        .outerjoin(story_values, story_values.c.value_id == Value.id)
        .outerjoin(Story, Story.id == story_values.c.story_id)
        .group_by(Value.id)
        .order_by(Value.position, Value.id)
    )
    return [(value, total, shown) for value, total, shown in db.session.execute(statement)]


def _value_state(value: Value) -> dict[str, Any]:
    return {
        "name": value.name,
        "slug": value.slug,
        "description": value.description,
        "position": value.position,
        "active": value.active,
    }


def create_value(actor: Person, name: str, description: str) -> Value:
    """A new active value at the end of the list, its slug made from its name."""
    last = db.session.scalar(select(func.max(Value.position))) or 0
    value = Value(
        name=name, slug=unique_slug(name), description=description, position=last + 1, active=True
    )
    db.session.add(value)
    db.session.flush()
    audit.record(actor, "value.create", "value", value.id, None, _value_state(value))
    return value


def update_value(actor: Person, value: Value, name: str, description: str) -> bool:
    """Rename a value or change its description; the slug stays, so links keep working.

    Returns whether anything changed."""
    before = {"name": value.name, "description": value.description}
    wanted = {"name": name, "description": description}
    changed = [key for key in before if before[key] != wanted[key]]
    if not changed:
        return False
    value.name, value.description = name, description
    audit.record(
        actor, "value.update", "value", value.id,
        {key: before[key] for key in changed}, {key: wanted[key] for key in changed},
    )
    return True


def move_value(actor: Person, value: Value, offset: int) -> Value:
    """Swap a value with the one above (offset -1) or below (+1); returns that neighbour."""
    # Locking every value row makes two simultaneous moves on PostgreSQL take turns.
    ordered = list(
        db.session.scalars(select(Value).order_by(Value.position, Value.id).with_for_update())
    )
    index = ordered.index(value)
    target = index + offset
    if not 0 <= target < len(ordered):
        raise Refused(f"“{value.name}” is already {'first' if offset < 0 else 'last'}.")
    neighbour = ordered[target]
    ordered[index], ordered[target] = neighbour, value
    # Positions are renumbered 1..n so that ties left by older data cannot stall a move.
    for position, item in enumerate(ordered, start=1):
        if item.position != position:
            item.position = position
    audit.record(
        actor, "value.reorder", "value", value.id,
        {"place": index + 1}, {"place": target + 1},
        note=f"Moved {'above' if offset < 0 else 'below'} “{neighbour.name}”.",
    )
    return neighbour


def retire_value(actor: Person, value: Value) -> None:
    """Stop offering a value for new stories; stories that have it keep it."""
    if not value.active:
        raise Refused(f"“{value.name}” is already retired.")
    value.active = False
    audit.record(actor, "value.retire", "value", value.id, {"active": True}, {"active": False})


def restore_value(actor: Person, value: Value) -> None:
    """Offer a retired value for new stories again."""
    if value.active:
        raise Refused(f"“{value.name}” is not retired.")
    value.active = True
    audit.record(actor, "value.restore", "value", value.id, {"active": False}, {"active": True})


# People.


def people_statement(query: str = "", role: str = "", status: str = "") -> Select:
    """Everyone, by name, filtered by name or email, role, and active or inactive."""
    statement = select(Person).order_by(Person.name, Person.id)
    if query:
        statement = statement.where(any_contains(query, Person.name, Person.email))
    if role:
        statement = statement.where(Person.role == role)
    if status == "active":
        statement = statement.where(Person.active)
    elif status == "inactive":
        statement = statement.where(~Person.active)
    return statement


def change_role(actor: Person, person: Person, role: str) -> bool:
    """Make someone staff, curator or admin; returns whether the role changed."""
    role = Role(role).value
    if person.role == role:
        return False
    if role != Role.ADMIN:
        keep_an_admin(person, "demoted")
    before = person.role
    person.role = role
    audit.record(actor, "person.role", "person", person.id, {"role": before}, {"role": role})
    return True


def deactivate(actor: Person, person: Person) -> None:
    """Someone has left: they can no longer sign in, and their sessions end."""
    if not person.active:
        raise Refused(f"{person.name} is already deactivated.")
    keep_an_admin(person, "deactivated")
    person.active = False
    sessions.end_all(person)
    audit.record(actor, "person.deactivate", "person", person.id, {"active": True}, {"active": False})
    signals.people_left.send(actor, person_ids=[person.id])


def reactivate(actor: Person, person: Person) -> None:
    """Let someone sign in again, with the role they had."""
    if person.active:
        raise Refused(f"{person.name} is already active.")
    if is_erased(person):
        raise Refused("This account was erased. If they come back, invite them as a new person.")
    person.active = True
    # Cookies from before they left stay dead: they sign in afresh.
    sessions.end_all(person)
    audit.record(actor, "person.reactivate", "person", person.id, {"active": False}, {"active": True})


# The audit log.


@dataclass
class AuditFilters:
    action: str = ""
    actor: str = ""
    entity_type: str = ""
    entity_id: int | None = None
    since: date | None = None
    until: date | None = None


def audit_statement(filters: AuditFilters) -> Select:
    """Audit entries matching `filters`, newest first."""
    statement = (
        select(AuditEntry)
        .options(selectinload(AuditEntry.actor))
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    )
    if filters.action:
        statement = statement.where(AuditEntry.action == filters.action)
    if filters.actor:
        actors = select(Person.id).where(any_contains(filters.actor, Person.email))
        statement = statement.where(AuditEntry.actor_id.in_(actors))
    if filters.entity_type:
        statement = statement.where(AuditEntry.entity_type == filters.entity_type)
    if filters.entity_id is not None:
        statement = statement.where(AuditEntry.entity_id == filters.entity_id)
    if filters.since is not None:
        statement = statement.where(AuditEntry.created_at >= datetime.combine(filters.since, time.min))
    if filters.until is not None:
        # Inclusive: everything up to the end of that day (9999-12-31 has no day after it).
        end = datetime.combine(filters.until, time.max)
        statement = statement.where(AuditEntry.created_at <= end)
    return statement


def audit_choices() -> tuple[list[str], list[str]]:
    """The actions and entity types the log holds, to suggest in the filter form."""
    actions = db.session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action))
    types = db.session.scalars(
        select(AuditEntry.entity_type).distinct().order_by(AuditEntry.entity_type)
    )
    return list(actions), list(types)


@dataclass
class Change:
    """One key of an audit entry's before/after, as text for the page."""

    key: str
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


ABSENT = "—"


def readable(value: Any) -> str:
    """A JSON value as plain text; the template escapes it."""
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value if value else "(empty)"
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return ", ".join(value) if value else "(none)"
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _as_dict(data: Any) -> dict[str, Any]:
    if data is None:
        return {}
    if isinstance(data, dict):
        return data
    return {"value": data}  # entries written by hand may hold a bare value


def diff(before: Any, after: Any) -> list[Change]:
    """The keys of `before` and `after`, in the order they were written, with both sides."""
    before, after = _as_dict(before), _as_dict(after)
    keys = list(before) + [key for key in after if key not in before]
    return [
        Change(
            str(key),
            readable(before[key]) if key in before else ABSENT,
            readable(after[key]) if key in after else ABSENT,
        )
        for key in keys
    ]
