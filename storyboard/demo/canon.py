"""The demo's canon: the most applauded stories published at least five weeks ago, one per
situation, promoted with their situation's lesson a few weeks after they were published, so
`make run` shows the canon library, lessons on story pages, collections, and canon stories
retold in the digest. A few places go first to stories where a rule was in the way and to
stories about backstage colleagues, so the collections built on them are never empty."""
from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Row, select, update

from storyboard.demo.phrases import Situation
from storyboard.extensions import db
from storyboard.models import Person, Story, StoryStatus, story_nominees

MIN_AGE = timedelta(weeks=5)
# Departments whose people serve customers face to face or by phone; a story about nobody from
# these is a backstage story.
FRONT_LINE_DEPARTMENTS = frozenset({"Stores", "Customer Support", "Delivery"})
# At least this share of the promotions go to each of: a rule in the way, backstage colleagues.
QUOTA = 0.3


def nominee_departments(*conditions: ColumnElement[bool]) -> dict[int, set[str]]:
    """The departments of the nominees of each story meeting `conditions`."""
    rows = db.session.execute(
        select(story_nominees.c.story_id, Person.department)
        .join(Person, Person.id == story_nominees.c.person_id)
        .join(Story, Story.id == story_nominees.c.story_id)
        .where(*conditions)
    )
    found: dict[int, set[str]] = {}
    for story_id, department in rows:
        found.setdefault(story_id, set()).add(department)
    return found


def is_backstage(departments: set[str]) -> bool:
    return bool(departments) and not departments & FRONT_LINE_DEPARTMENTS


def promote_canon(rng: random.Random, anchor: datetime, situations: Mapping[int, Situation], count: int = 10) -> int:
    """Promote up to `count` of the best published stories told from `situations` (by story id),
    at most one per situation so that no two share a lesson; returns how many."""
    eligible = (Story.status == StoryStatus.PUBLISHED.value, Story.in_canon.is_(False),
                Story.published_at <= anchor - MIN_AGE)
    rows = [row for row in db.session.execute(
        select(Story.id, Story.published_at, Story.updated_at, Story.applause_count, Story.reader_count,
               Story.rule_in_the_way).where(*eligible)
    ) if row.id in situations]
    best = sorted(rows, key=lambda row: (-row.applause_count / max(row.reader_count, 1), row.id))
    departments = nominee_departments(*eligible)
    chosen: list[Row] = []
    lessons: set[str] = set()

    def take(wanted: Callable[[Row], bool], up_to: int) -> None:
        for row in best:
            if len(chosen) >= up_to:
                return
            lesson = situations[row.id].lesson
            if lesson not in lessons and row not in chosen and wanted(row):
                chosen.append(row)
                lessons.add(lesson)

    def backstage(row: Row) -> bool:
        return is_backstage(departments.get(row.id, set()))

    quota = min(count, math.ceil(count * QUOTA))
    take(lambda row: row.rule_in_the_way is not None, quota)
    take(backstage, len(chosen) + quota - sum(map(backstage, chosen)))
    take(lambda row: True, count)
    changes = []
    for row in sorted(chosen, key=lambda row: row.id):
        promoted = min(row.published_at + timedelta(days=rng.randint(14, 42)), anchor - timedelta(days=1))
        # The promotion is the story's last change, on the demo's own clock (not today's).
        changes.append({"id": row.id, "in_canon": True, "canon_lesson": situations[row.id].lesson,
                        "canonized_at": promoted, "updated_at": max(row.updated_at, promoted)})
    if changes:
        db.session.execute(update(Story), changes)
    return len(changes)
