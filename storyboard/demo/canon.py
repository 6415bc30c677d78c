"""The demo's canon: the most applauded stories published at least five weeks ago, promoted
with a one-line lesson a few weeks after they were published, so `make run` shows the canon
library, lessons on story pages and canon stories in the next digest."""
from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select, update

from storyboard.extensions import db
from storyboard.models import Story, StoryStatus

LESSONS = (
    "Own the problem until the customer says it is fixed.",
    "The rule serves the customer; when it stops, ask who can change it.",
    "A call back when you promised is worth more than a quick answer.",
    "Small kindness is remembered long after the order is forgotten.",
    "Say what you will do, then do exactly that.",
    "The fix nobody asked for is often the one that mattered.",
    "Backstage work is customer service too: someone's day depends on it.",
    "When two teams own a problem, one person has to carry it across.",
    "Listen for the need behind the complaint.",
    "Hand over the whole story, not just the ticket number.",
    "Calm is catching: stay steady and the customer will too.",
    "Make it right first; find out whose fault it was later.",
)
MIN_AGE = timedelta(weeks=5)


def promote_canon(rng: random.Random, anchor: datetime, count: int = 10) -> int:
    """Promote up to `count` of the best published stories; returns how many."""
    rows = db.session.execute(
        select(Story.id, Story.published_at, Story.updated_at, Story.applause_count, Story.reader_count)
        .where(Story.status == StoryStatus.PUBLISHED.value, Story.in_canon.is_(False),
               Story.published_at <= anchor - MIN_AGE)
    ).all()
    # One lesson a story: never more canon stories than lessons, however big the demo.
    best = sorted(rows, key=lambda row: (-row.applause_count / max(row.reader_count, 1), row.id))
    best = best[:min(count, len(LESSONS))]
    lessons = rng.sample(LESSONS, len(best))
    changes = []
    for row, lesson in zip(best, lessons, strict=True):
        promoted = min(row.published_at + timedelta(days=rng.randint(14, 42)), anchor - timedelta(days=1))
        # The promotion is the story's last change, on the demo's own clock (not today's).
        changes.append({"id": row.id, "in_canon": True, "canon_lesson": lesson, "canonized_at": promoted,
                        "updated_at": max(row.updated_at, promoted)})
    if changes:
        db.session.execute(update(Story), changes)
    return len(changes)
