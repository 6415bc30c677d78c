"""What curation does when others announce something: today, when people leave."""
from __future__ import annotations

from sqlalchemy import select

from storyboard import audit, signals
from storyboard.extensions import db
from storyboard.models import Person, Story, story_nominees

LEGACY_NOTE = "Kept in the digest as legacy: someone it is about has left."


def keep_canon_as_legacy(actor: Person | None, person_ids: list[int], **_) -> None:
    """Canon stories about someone who leaves become legacy, so the digest keeps retelling them.

    Without it a leaver's canon stories drop out of the digest for good, often before anyone in
    HR notices: 51 of 120 did in the five years of tests/digest/folklore.py. HR can switch legacy off on the story;
    the audit entry says why it was switched on.
    """
    about = select(story_nominees.c.story_id).where(story_nominees.c.person_id.in_(person_ids))
    stories = db.session.scalars(
        select(Story).where(Story.in_canon.is_(True), Story.legacy.is_(False), Story.id.in_(about))
    )
    for story in stories:
        story.legacy = True
        audit.record(actor, "story.legacy", "story", story.id, {"legacy": False}, {"legacy": True}, note=LEGACY_NOTE)


def connect() -> None:
    """Listen from now on. Connecting again (every app the tests build) changes nothing."""
    signals.people_left.connect(keep_canon_as_legacy)
