"""Redaction: text a curator marks leaves the story and every record kept about it.

The text goes wherever it is stored, whether or not the story still holds it: the story's
fields, every revision (a card number deleted before resubmitting is still in revision 1),
decision notes, the audit log's user text, notifications, thank-you notes and the search index.
Digest deliveries waiting to go keep no copy of the email; it is rendered from the purged
story when it is sent.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from storyboard import audit
from storyboard.errors import InvalidRequest
from storyboard.extensions import db
from storyboard.models import Person, Story
from storyboard.purge import (
    STORY_TEXT,
    Purge,
    purge_stories,
    refresh_search_index,
)

REDACTED = "[redacted]"
MIN_REDACTION = 3  # a shorter text would rewrite ordinary words all over the story's records


class RedactionRefused(InvalidRequest):
    """The text cannot be redacted from this story; views answer with 400 and the message."""


@dataclass(frozen=True)
class Redacted:
    """What a redaction did: how often the story itself held the text, and other records changed."""

    in_story: int
    records: int


def story_family(story: Story) -> list[int]:
    """The story, the story it was merged into, and the duplicates merged into either: a
    duplicate tells the same moment, and its thank-you notes moved to the survivor."""
    ids = {story.id} | ({story.merged_into_id} if story.merged_into_id else set())
    ids |= set(db.session.scalars(select(Story.id).where(Story.merged_into_id.in_(ids))))
    return sorted(ids)


def redact(story: Story, text: str, actor: Person) -> Redacted:
    """Replace `text` with [redacted] in the story and everything stored about it.

    The audit entry records where and how long the text was, never the text. The caller commits.
    """
    if len(text.strip()) < MIN_REDACTION:
        raise RedactionRefused(f"Choose at least {MIN_REDACTION} characters to redact.")
    if text in REDACTED:
        raise RedactionRefused("That text is already redacted.")
    purge = Purge.exact(text, REDACTED)
    fields = [name for name in STORY_TEXT if purge.holds(getattr(story, name))]
    in_story = sum(purge.count(getattr(story, name)) for name in fields)
    counts = purge_stories(story_family(story), purge)
    if not counts:
        raise RedactionRefused("That text is not in the story or its history; nothing was redacted.")
    records = sum(counts.values()) - (1 if fields else 0)
    audit.record(
        actor, "story.redact", "story", story.id,
        after={"fields": fields, "length": len(text), "occurrences": in_story, "records": records},
    )
    refresh_search_index()
    return Redacted(in_story, records)
