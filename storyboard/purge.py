"""Purging text from everything Storyboard stores: the one routine behind redaction and erasure.

A purge rewrites user text (what people typed, and people's names) wherever it is kept: a
story's fields, its photos' alt text, every revision, the audit log, notifications, thank-you
notes, and the errors recorded on digest deliveries. It never rewrites an audit entry's keys or its machine values
(statuses, roles, ids, dates): the log stays a true record of who did what, and when.

Digest deliveries still to be sent hold no copy of the email: the issue is rendered from the
live stories and people when it goes (digest.issues.issue_content), so it sends what the purge
left. Functions here change the session and never commit; the caller commits.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, Text, cast, func, or_, select
from sqlalchemy import text as sql_text

from storyboard import markdown
from storyboard.db_helpers import dialect_name
from storyboard.extensions import db
from storyboard.models import (
    AuditEntry,
    DigestDelivery,
    Notification,
    Story,
    StoryPhoto,
    StoryRevision,
    ThankYou,
)

# Audit values that record what the system did rather than what someone wrote. A purge leaves
# them alone whatever it looks for: redacting the word "published" from a story must not turn
# {"status": "published"} into {"status": "[redacted]"}. Every other key's strings are treated
# as user text and purged, because a leak is worse than an over-eager rewrite; a new machine
# key belongs here.
MACHINE_KEYS = frozenset({
    "status", "role", "active", "pinned", "in_canon", "resurface", "legacy", "merged_into",
    "survivor_nominees", "impact_kind", "happened_on", "slug", "position", "place", "issue",
    "fields", "length", "occurrences", "records", "stories", "stories_about", "removed",
    "relabelled", "kind", "frequency", "digest_frequency", "hide_from_digests",
})


@dataclass(frozen=True)
class Purge:
    """What to look for in stored text, and what to put in its place."""

    pattern: re.Pattern[str]
    replacement: str
    # Plain strings the pattern finds, used to pick candidate rows in SQL; empty: every row.
    needles: tuple[str, ...] = ()

    @classmethod
    def exact(cls, text: str, replacement: str) -> Purge:
        """Exactly `text`, as a curator marked it."""
        return cls(re.compile(re.escape(text)), replacement, (text,))

    @classmethod
    def any_case(cls, texts: Collection[str], replacement: str, whole_words: bool = False) -> Purge:
        """Any of `texts` in any letter case, longest first (a full name before its parts)."""
        ordered = sorted({text for text in texts if text}, key=len, reverse=True)
        body = "|".join(re.escape(text) for text in ordered)
        if whole_words:
            body = rf"(?<!\w)(?:{body})(?!\w)"
        return cls(re.compile(body, re.IGNORECASE), replacement, tuple(ordered))

    @classmethod
    def everything(cls, replacement: str) -> Purge:
        """All user text becomes `replacement`: for records whose every word must go."""
        return cls(re.compile(r".+", re.DOTALL), replacement)

    def holds(self, value: str | None) -> bool:
        return bool(value) and self.pattern.search(value) is not None

    def apply(self, value: str | None) -> str | None:
        if not self.holds(value):
            return value
        # A function, so that a replacement is never read as a pattern (\1, \g<name>).
        return self.pattern.sub(lambda _match: self.replacement, value)

    def count(self, value: str | None) -> int:
        return len(self.pattern.findall(value)) if value else 0


def purge_json(value: Any, purge: Purge) -> Any:
    """A copy of a JSON value with user text purged; keys and MACHINE_KEYS' values kept."""
    if isinstance(value, dict):
        return {
            key: item if key in MACHINE_KEYS else purge_json(item, purge)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [purge_json(item, purge) for item in value]
    if isinstance(value, str):
        return purge.apply(value)
    return value


@dataclass(frozen=True)
class Place:
    """A table's columns that hold user text: plain text, and JSON with text inside."""

    model: type
    text: tuple[str, ...]
    json: tuple[str, ...] = ()
    after: Callable[[Any], None] | None = None  # recompute what is derived from the text


def _story_after(story: Story) -> None:
    story.body_html = markdown.render(story.body_md)
    story.refresh_search_text()


def _thanks_after(note: ThankYou) -> None:
    note.body_html = markdown.render(note.body_md)


STORY_TEXT = ("title", "body_md", "impact", "rule_in_the_way", "decision_note", "canon_lesson",
              "evidence_quote", "evidence_link")
STORIES = Place(Story, STORY_TEXT, after=_story_after)
REVISIONS = Place(StoryRevision, ("title", "body_md", "impact", "rule_in_the_way"),
                  ("value_names", "nominee_names"))
AUDIT = Place(AuditEntry, ("note",), ("before", "after"))
AUDIT_VALUES = Place(AuditEntry, (), ("before", "after"))
NOTIFICATIONS = Place(Notification, ("message",))
THANKS = Place(ThankYou, ("body_md",), after=_thanks_after)
DELIVERIES = Place(DigestDelivery, ("last_error",))
PHOTOS = Place(StoryPhoto, ("alt_text",))  # the words; a photo itself goes only when removed


def _fit(value: str | None, column) -> str | None:
    # A replacement can be longer than what it replaces; keep within VARCHAR limits, which
    # PostgreSQL enforces.
    length = getattr(column.type, "length", None)
    return value[:length] if value and length else value


def _rewrite(row: Any, place: Place, purge: Purge) -> bool:
    """Purge one row in place; True if anything in it changed."""
    changed = False
    columns = place.model.__table__.c
    for name in place.text:
        old = getattr(row, name)
        new = _fit(purge.apply(old), columns[name])
        if new != old:
            setattr(row, name, new)
            changed = True
    for name in place.json:
        old = getattr(row, name)
        new = purge_json(old, purge)
        if new != old:
            setattr(row, name, new)  # a new object, so the ORM sees the JSON column change
            changed = True
    return changed


def _purge_rows(statement: Select, place: Place, purge: Purge, counts: Counter) -> None:
    for row in db.session.scalars(statement).all():
        if _rewrite(row, place, purge):
            counts[place.model.__tablename__] += 1
            if place.after is not None:
                place.after(row)
        elif place is STORIES and purge.holds(row.search_text):
            row.refresh_search_text()  # only a nominee's name put it there; names follow people


def purge_stories(story_ids: Collection[int], purge: Purge) -> Counter:
    """Purge stories and everything kept about them: revisions, audit entries, notifications,
    thank-you notes and photos' alt text. Returns how many rows changed, by table."""
    ids = list(story_ids)
    counts: Counter = Counter()
    _purge_rows(select(Story).where(Story.id.in_(ids)), STORIES, purge, counts)
    _purge_rows(select(StoryRevision).where(StoryRevision.story_id.in_(ids)), REVISIONS, purge, counts)
    _purge_rows(_audit_about("story", ids), AUDIT, purge, counts)
    _purge_rows(select(Notification).where(Notification.story_id.in_(ids)), NOTIFICATIONS, purge, counts)
    _purge_rows(select(ThankYou).where(ThankYou.story_id.in_(ids)), THANKS, purge, counts)
    _purge_rows(select(StoryPhoto).where(StoryPhoto.story_id.in_(ids)), PHOTOS, purge, counts)
    db.session.flush()
    return counts


def purge_everywhere(purge: Purge) -> Counter:
    """Purge every table that holds user text, whatever the rows are about."""
    counts: Counter = Counter()
    for place in (STORIES, REVISIONS, AUDIT, NOTIFICATIONS, THANKS, DELIVERIES, PHOTOS):
        statement = select(place.model)
        found = _candidates(place, purge)
        if found is not None:
            statement = statement.where(found)
        _purge_rows(statement, place, purge, counts)
    db.session.flush()
    return counts


def purge_audit_about(entity_type: str, entity_ids: Collection[int], purge: Purge,
                      notes: bool = True) -> int:
    """Purge the audit entries about some records (their notes too, unless told not to);
    returns how many changed."""
    counts: Counter = Counter()
    place = AUDIT if notes else AUDIT_VALUES
    _purge_rows(_audit_about(entity_type, list(entity_ids)), place, purge, counts)
    return counts[AuditEntry.__tablename__]


def _audit_about(entity_type: str, ids: list[int]) -> Select:
    return select(AuditEntry).where(AuditEntry.entity_type == entity_type, AuditEntry.entity_id.in_(ids))


def _candidates(place: Place, purge: Purge):
    """A WHERE clause finding the rows that may hold the purge's needles, or None for all.

    Lower-cased on both sides, then matched by the purge's pattern in Python. A copy in the same case
    is always found; SQLite's lower() folds ASCII letters only, so a copy that differs in the
    case of a non-ASCII letter (É for é) is missed there. JSON is searched as stored, with its
    escapes (json.dumps writes é as \\u00e9).
    """
    if not purge.needles:
        return None
    model = place.model
    # A story's search text also holds its nominees' names, which a purge of names looks for.
    text_columns = place.text + (("search_text",) if place is STORIES else ())
    tests = []
    for needle in purge.needles:
        for name in text_columns:
            tests.append(func.lower(getattr(model, name), type_=Text).contains(needle.lower(), autoescape=True))
        for name in place.json:
            stored = func.lower(cast(getattr(model, name), Text), type_=Text)
            for form in {needle, json.dumps(needle)[1:-1]}:
                tests.append(stored.contains(form.lower(), autoescape=True))
    return or_(*tests)


def refresh_search_index() -> None:
    """Make the full-text index forget purged words.

    SQLite's FTS5 table is kept by triggers, which swap a story's tokens as its search_text
    changes; a rebuild also drops tokens an index kept from text that no longer matches its
    content table. PostgreSQL's tsvector is a generated column and follows search_text itself.
    """
    db.session.flush()
    if dialect_name() == "sqlite":
        db.session.execute(sql_text("INSERT INTO story_fts(story_fts) VALUES('rebuild')"))
