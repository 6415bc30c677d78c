"""The people directory and profiles: who is here, their departments, what they were recognised for."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from storyboard.db_helpers import any_contains
from storyboard.extensions import db
from storyboard.models import (
    Person,
    Story,
    StoryStatus,
    Value,
    story_nominees,
    story_values,
)


def directory(query: str, department: str | None):
    """The statement listing active people for the directory, filtered by name and department.

    Each person's manager comes in the same query and everyone's active reports in one more,
    so a page costs the same however many reports people have."""
    statement = (
        select(Person).where(Person.active).order_by(Person.name, Person.id)
        .options(
            joinedload(Person.manager).load_only(Person.id, Person.name, Person.active),
            selectinload(Person.reports.and_(Person.active)).load_only(Person.id, Person.name),
        )
    )
    if query:
        statement = statement.where(any_contains(query, Person.name, Person.email, Person.job_title))
    if department:
        statement = statement.where(Person.department == department)
    return statement


def active_reports(person: Person) -> list[Person]:
    """The people who report to `person` and are still here, by name."""
    return list(db.session.scalars(
        select(Person).where(Person.manager_id == person.id, Person.active).order_by(Person.name, Person.id)
    ))


def departments() -> list[str]:
    return list(
        db.session.scalars(
            select(Person.department).where(Person.active, Person.department != "")
            .distinct().order_by(Person.department)
        )
    )


def values_recognised(person: Person) -> list[tuple[Value, int]]:
    """The values a person's published stories show, most often first."""
    statement = (
        select(Value, func.count(story_values.c.story_id))
        .join(story_values, story_values.c.value_id == Value.id)
        .join(story_nominees, story_nominees.c.story_id == story_values.c.story_id)
        .join(Story, Story.id == story_values.c.story_id)
        .where(story_nominees.c.person_id == person.id, Story.status == StoryStatus.PUBLISHED.value)
        .group_by(Value.id)
        .order_by(func.count(story_values.c.story_id).desc(), Value.position)
    )
    return [(value, count) for value, count in db.session.execute(statement)]


def locations() -> list[str]:
    return list(
        db.session.scalars(
            select(Person.location).where(Person.active, Person.location != "")
            .distinct().order_by(Person.location)
        )
    )
