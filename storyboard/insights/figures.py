"""The dashboard's story and people figures, each one aggregate query (GROUP BY in the database):
however many stories there are, a query returns one row per day, department, value or kind.

"Published" means published now, with `published_at` in the range: a story later archived no
longer shows on the feed, so it no longer counts here either. Stories belong to departments
and locations through their nominees (see `InsightFilters`); people through their own.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, Float, and_, case, cast, distinct, func, or_, select, union

from storyboard.extensions import db
from storyboard.insights.filters import InsightFilters, company_zone
from storyboard.insights.timeline import day_from_number, epoch_seconds, local_day_number, offset_spans
from storyboard.models import (
    DepartmentKind,
    Person,
    Story,
    StoryStatus,
    Value,
    story_co_nominators,
    story_nominees,
    story_values,
)

PUBLISHED = StoryStatus.PUBLISHED.value
# Every status a story can have once it has been sent to HR (drafts have not been).
SENT_TO_HR = [status.value for status in StoryStatus if status != StoryStatus.DRAFT]
WAITING_TOO_LONG = timedelta(days=7)


def has_customer_evidence() -> ColumnElement[bool]:
    """`Story.has_customer_evidence` in SQL: a quote or link that is not empty, or a score."""
    return or_(
        func.coalesce(Story.evidence_quote, "") != "",
        Story.evidence_score.is_not(None),
        func.coalesce(Story.evidence_link, "") != "",
    )


def published_in(scope: InsightFilters) -> list[ColumnElement[bool]]:
    """Stories published in the range (by the index on status and published_at)."""
    return [Story.status == PUBLISHED, Story.published_at >= scope.start_at, Story.published_at < scope.end_at]


def _where(*conditions: ColumnElement[bool] | None) -> list[ColumnElement[bool]]:
    return [condition for condition in conditions if condition is not None]


def published_per_day(scope: InsightFilters) -> dict[date, int]:
    """Published stories per company calendar day (read from the index alone)."""
    day = local_day_number(Story.published_at, offset_spans(scope.start_at, scope.end_at, company_zone()))
    rows = db.session.execute(
        select(day.label("day"), func.count(Story.id))
        .where(*published_in(scope), *_where(scope.story_clause(Story.id)))
        .group_by(day)
    )
    return {day_from_number(number): stories for number, stories in rows}


@dataclass(frozen=True)
class PublishedFacts:
    """What the dashboard needs from each published story beyond its day: one pass over them."""

    waits: list[float]  # seconds from submit to publish, shortest first (stories with a submit time)
    with_evidence: int


def published_facts(scope: InsightFilters) -> PublishedFacts:
    """How long each story published in the range waited, and how many carry customer evidence.

    The one query that reads the stories' rows rather than an index: two numbers a story, no
    text and no timestamps to parse, so 30,000 stories in a year cost a few milliseconds more
    than counting them. Percentiles need every wait (or the database's sort, which measured
    slower than Python's on SQLite).
    """
    # As a float: PostgreSQL's epoch is numeric, and 30,000 Decimals cost more than the query.
    wait = cast(epoch_seconds(Story.published_at) - epoch_seconds(Story.submitted_at), Float)
    # On the session's connection, not the session: plain rows, without the ORM's per-row work
    # (which measured as long as the query itself at 30,000 rows).
    rows = db.session.connection().execute(
        select(wait, case((has_customer_evidence(), 1), else_=0))
        .where(*published_in(scope), *_where(scope.story_clause(Story.id)))
    ).all()
    waits = sorted(float(seconds) for seconds, _ in rows if seconds is not None)
    return PublishedFacts(waits, sum(evidence for _, evidence in rows))


def nearest_rank(ordered: list[float], percentile: int) -> float | None:
    """The nearest-rank percentile: the ceil(p * n / 100)-th smallest of n values, so always a
    value that occurred (the median of an even number is the lower middle one)."""
    if not ordered:
        return None
    return ordered[-(-percentile * len(ordered) // 100) - 1]


@dataclass(frozen=True)
class DepartmentStories:
    stories: int
    with_evidence: int


def published_per_department(scope: InsightFilters) -> dict[str, DepartmentStories]:
    """Published stories per department of their nominees: a story about people in two
    departments counts once for each, and once only however many of a department it names."""
    rows = db.session.execute(
        select(
            Person.department,
            func.count(distinct(Story.id)),
            func.count(distinct(case((has_customer_evidence(), Story.id)))),
        )
        .select_from(Story)
        .join(story_nominees, story_nominees.c.story_id == Story.id)
        .join(Person, Person.id == story_nominees.c.person_id)
        .where(*published_in(scope), *_where(scope.person_clause()))
        .group_by(Person.department)
    )
    return {department: DepartmentStories(stories, evidence) for department, stories, evidence in rows}


def published_per_kind(scope: InsightFilters) -> dict[bool | None, int]:
    """Published stories about someone in a front-line department (True), a backstage one
    (False) or one not classified (None); a story about both sides counts for each."""
    rows = db.session.execute(
        select(DepartmentKind.front_line, func.count(distinct(Story.id)))
        .select_from(Story)
        .join(story_nominees, story_nominees.c.story_id == Story.id)
        .join(Person, Person.id == story_nominees.c.person_id)
        .outerjoin(DepartmentKind, DepartmentKind.department == Person.department)
        .where(*published_in(scope), *_where(scope.person_clause()))
        .group_by(DepartmentKind.front_line)
    )
    return dict(rows.all())


def published_per_value(scope: InsightFilters) -> list[tuple[Value, int]]:
    """Every active value, and retired ones still shown by a story in the range, with its
    published stories, in the values' own order."""
    counts = (
        select(story_values.c.value_id, func.count().label("stories"))
        .select_from(Story)
        .join(story_values, story_values.c.story_id == Story.id)
        .where(*published_in(scope), *_where(scope.story_clause(Story.id)))
        .group_by(story_values.c.value_id)
        .subquery()
    )
    stories = func.coalesce(counts.c.stories, 0)
    rows = db.session.execute(
        select(Value, stories)
        .outerjoin(counts, counts.c.value_id == Value.id)
        .where(or_(Value.active, counts.c.stories > 0))
        .order_by(Value.position, Value.id)
    )
    return [(value, count) for value, count in rows]


def active_people_per_department(scope: InsightFilters) -> dict[str, int]:
    """Active people in the chosen department and location, per department."""
    rows = db.session.execute(
        select(Person.department, func.count())
        .where(Person.active, *_where(scope.person_clause()))
        .group_by(Person.department)
    )
    return dict(rows.all())


def nominators_per_department(scope: InsightFilters) -> dict[str, int]:
    """Active people (in the chosen department and location) who nominated someone, or were a
    co-nominator, on a story sent to HR in the range (any status but draft), per department."""
    sent_in_range = and_(
        Story.status.in_(SENT_TO_HR), Story.submitted_at >= scope.start_at, Story.submitted_at < scope.end_at
    )
    nominators = union(
        select(Story.nominator_id.label("person_id")).where(sent_in_range),
        select(story_co_nominators.c.person_id)
        .join(Story, Story.id == story_co_nominators.c.story_id)
        .where(sent_in_range),
    ).subquery()
    rows = db.session.execute(
        select(Person.department, func.count())
        .where(Person.active, Person.id.in_(select(nominators.c.person_id)), *_where(scope.person_clause()))
        .group_by(Person.department)
    )
    return dict(rows.all())


def waiting_over_a_week(scope: InsightFilters, now: datetime) -> int:
    """Stories submitted over 7 days ago and still waiting for HR, whatever the range."""
    return db.session.scalar(
        select(func.count())
        .select_from(Story)
        .where(Story.status == StoryStatus.SUBMITTED.value, Story.submitted_at < now - WAITING_TOO_LONG,
               *_where(scope.story_clause(Story.id)))
    )


def department_kinds() -> dict[str, bool]:
    """Each classified department: True for front line, False for backstage."""
    return dict(db.session.execute(select(DepartmentKind.department, DepartmentKind.front_line)).all())
