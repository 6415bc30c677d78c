"""What the review queue shows: submitted stories, oldest first, filtered."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import Request
from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from storyboard.clock import utcnow
from storyboard.extensions import db
from storyboard.models import Person, Story, StoryStatus, Value, story_nominees, story_values
from storyboard.stories.service import card_joins

AGE_CHOICES = {0: "Any age", 3: "Waiting 3+ days", 7: "Waiting a week+", 14: "Waiting 2 weeks+", 30: "Waiting a month+"}


@dataclass
class QueueFilters:
    department: str = ""
    value: str = ""
    min_age_days: int = 0

    @classmethod
    def from_request(cls, request: Request) -> QueueFilters:
        """Filters from the query string; anything unrecognised means "no filter"."""
        age = request.args.get("age", 0, type=int) or 0
        return cls(
            department=request.args.get("department", "").strip()[:120],
            value=request.args.get("value", "").strip()[:80],
            min_age_days=age if age in AGE_CHOICES else 0,
        )

    @property
    def active(self) -> bool:
        return bool(self.department or self.value or self.min_age_days)


def waiting_stories(filters: QueueFilters) -> Select[tuple[Story]]:
    statement = (
        select(Story)
        .where(Story.status == StoryStatus.SUBMITTED.value)
        .order_by(Story.submitted_at, Story.id)
        # One query for the stories and everything their cards show.
        .options(*card_joins(), joinedload(Story.nominator, innerjoin=True))
    )
    if filters.department:
        statement = statement.where(Story.id.in_(
            select(story_nominees.c.story_id).join(Person, Person.id == story_nominees.c.person_id)
            .where(Person.department == filters.department)
        ))
    if filters.value:
        statement = statement.where(Story.id.in_(
            select(story_values.c.story_id).join(Value, Value.id == story_values.c.value_id)
            .where(Value.slug == filters.value)
        ))
    if filters.min_age_days:
        statement = statement.where(Story.submitted_at <= utcnow() - timedelta(days=filters.min_age_days))
    return statement


def total_waiting() -> int:
    return db.session.scalar(
        select(func.count()).select_from(Story).where(Story.status == StoryStatus.SUBMITTED.value)
    ) or 0


def waited_days(story: Story) -> int:
    return max((utcnow() - (story.submitted_at or utcnow())).days, 0)
