"""Digest candidates for the demo's year of past issues, read with Core queries week by week.

storyboard.digest.candidates loads Story objects with their people and values, which is right
for one issue; for 52 past issues of a million-story company that is half a million objects
(minutes, and gigabytes if held at once). These are the same Candidates, built from plain rows
of one week's stories at a time, by the same digest.candidates.candidate_from.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ColumnElement, select

from storyboard.digest.candidates import candidate_from
from storyboard.digest.selection import Candidate
from storyboard.extensions import db
from storyboard.models import Person, Story, StoryStatus, Value, story_digest_opt_outs, story_nominees, story_values


def load_week_candidates(*conditions: ColumnElement[bool], held_back: Iterable[int] = (),
                         cut_at: datetime | None = None) -> list[Candidate]:
    """Candidates for the published stories meeting `conditions`, by publication then id."""
    published = (Story.status == StoryStatus.PUBLISHED.value, *conditions)
    stories = db.session.execute(
        select(Story.id, Story.published_at, Story.happened_on, Story.applause_count, Story.reader_count,
               Story.in_canon, Story.canonized_at, Story.resurface, Story.legacy, Story.pinned_at, Story.status)
        .where(*published).order_by(Story.published_at, Story.id)
    ).all()
    if not stories:
        return []
    nominees: dict[int, list] = {}
    for row in db.session.execute(
        select(story_nominees.c.story_id, Person.id, Person.department, Person.active, Person.hide_from_digests)
        .join(Person, Person.id == story_nominees.c.person_id).join(Story, Story.id == story_nominees.c.story_id)
        .where(*published).order_by(story_nominees.c.story_id, Person.name, Person.id)
    ):
        nominees.setdefault(row.story_id, []).append(row)
    slugs: dict[int, list[str]] = {}
    for story_id, slug in db.session.execute(
        select(story_values.c.story_id, Value.slug).join(Value, Value.id == story_values.c.value_id)
        .join(Story, Story.id == story_values.c.story_id).where(*published)
    ):
        slugs.setdefault(story_id, []).append(slug)
    opted_out = set(db.session.scalars(
        select(story_digest_opt_outs.c.story_id).join(Story, Story.id == story_digest_opt_outs.c.story_id)
        .where(*published)
    ))
    held = set(held_back)
    return [
        candidate_from(story, nominees.get(story.id, []), slugs.get(story.id, []), story.id in opted_out,
                       story.id in held, cut_at)
        for story in stories
    ]
