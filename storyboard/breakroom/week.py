"""Which story is the break room's "story of the week": one rule, in one place.

1. The story HR pinned for the next digest, if one is pinned (the newest pin first). A pin is
   HR's own pick of the moment and is used up when a digest goes out (digest/issues.py), so
   the notice board shows what the coming digest features, and changes when it has gone.
2. Otherwise the most applauded story published in the last 7 days (ties: the newest). A
   story with no applause yet still counts: a quiet week's only story is still this week's.
3. Otherwise the canon story promoted most recently (one HR has not switched resurfacing off
   for): company folklore is always worth retelling, and the board is never blank after a
   quiet week.
4. Otherwise none, and the page says what to do next.

In every step a story is left out if any of its people asked to be kept out of digests (for
this story or for all of theirs): a printed sheet on a wall is more public than an email, so
it respects at least what the digest does.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from storyboard.extensions import db
from storyboard.models import Person, Story, StoryStatus
from storyboard.models.stories import story_digest_opt_outs, story_nominees

WINDOW = timedelta(days=7)

# Why the story was chosen, as the screen says it under "Story of the week".
PINNED, APPLAUDED, CANON = "pinned", "applauded", "canon"
REASONS = {
    PINNED: "HR picked it: it is pinned for the next digest.",
    APPLAUDED: "The most applauded story published in the last 7 days.",
    CANON: "Nothing new was published in the last 7 days, so here is the newest story in the canon.",
}


@dataclass(frozen=True)
class WeekPick:
    """The story of the week and which step of the rule chose it."""

    story: Story
    reason: str

    @property
    def why(self) -> str:
        return REASONS[self.reason]


def story_of_the_week(now: datetime) -> WeekPick | None:
    """The story of the week at `now` (naive UTC), by the rule in this module's docstring."""
    steps = (
        (PINNED, [Story.pinned_at.is_not(None)], [Story.pinned_at.desc()]),
        (APPLAUDED, [Story.published_at >= now - WINDOW],
         [Story.applause_count.desc(), Story.published_at.desc()]),
        (CANON, [Story.in_canon, Story.resurface], [Story.canonized_at.desc()]),
    )
    for reason, conditions, order in steps:
        story = db.session.scalars(
            _printable().where(*conditions).order_by(*order, Story.id.desc()).limit(1)
        ).first()
        if story is not None:
            return WeekPick(story, reason)
    return None


def _printable():
    """Published stories none of whose people keep them out of digests, with what a sheet shows."""
    opted_out = exists().where(story_digest_opt_outs.c.story_id == Story.id)
    hidden_nominee = exists().where(
        story_nominees.c.story_id == Story.id,
        story_nominees.c.person_id == Person.id,
        Person.hide_from_digests,
    )
    return (
        select(Story)
        .where(Story.status == StoryStatus.PUBLISHED.value, ~opted_out, ~hidden_nominee)
        .options(selectinload(Story.nominees), selectinload(Story.values))
    )
