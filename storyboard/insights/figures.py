"""The dashboard's story and people figures, each one aggregate query (GROUP BY in the database):
however many stories there are, a query returns one row per day, department, value or kind.

"Published" means published now, with `published_at` in the range: a story later archived no
longer shows on the feed, so it no longer counts here either. Stories belong to departments
and locations through their nominees (see `InsightFilters`); people through their own.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, Float, Integer, and_, case, cast, distinct, func, or_, select, union

from storyboard.extensions import db
from storyboard.insights.filters import InsightFilters
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
    day = local_day_number(Story.published_at, offset_spans(scope.start_at, scope.end_at, scope.zone))
    rows = db.session.execute(
        select(day.label("day"), func.count(Story.id))
        .where(*published_in(scope), *_where(scope.story_clause(Story.id)))
        .group_by(day)
    )
    return {day_from_number(number): stories for number, stories in rows}


@dataclass(frozen=True)
class PublishedFacts:
    """What the dashboard needs from each published story beyond its day: one pass over them."""

    timed: int  # stories published in the range with a submit time
    with_evidence: int
    # Nearest-rank percentiles of the seconds from submit to publish: {50: ..., 90: ...}.
    wait_percentiles: dict[int, float | None]


PERCENTILES = (50, 90)
BUCKET_SECONDS = 3600  # the histogram's width: an hour


def published_facts(scope: InsightFilters) -> PublishedFacts:
    """How many stories published in the range carry customer evidence, and the nearest-rank
    median and 90th percentile of their waits from submit to publish.

    Percentiles need the waits in order, but not all of them here: the database counts the
    waits per hour (a few hundred rows, however many stories), the hours holding the wanted
    ranks are found from the counts, and only their waits are read and sorted. Exact, and at
    30,000 stories a year about twice as fast as reading every wait (or having the database
    number them all with a window function, on SQLite).
    """
    # As a float: PostgreSQL's epoch is numeric, and its Decimals would cost more.
    wait = cast(epoch_seconds(Story.published_at) - epoch_seconds(Story.submitted_at), Float)
    # Truncated, not floored (SQLite may lack floor()): still one bucket per hour, in order.
    bucket = cast(wait / BUCKET_SECONDS, Integer)
    where = [*published_in(scope), *_where(scope.story_clause(Story.id))]
    # On the session's connection: plain rows, without the ORM's per-row work.
    connection = db.session.connection()
    rows = connection.execute(
        select(bucket, func.count(wait), func.sum(case((has_customer_evidence(), 1), else_=0)))
        .where(*where).group_by(bucket).order_by(bucket)
    ).all()
    with_evidence = sum(int(evidence or 0) for _, _, evidence in rows)
    histogram = [(number, count) for number, count, _ in rows if number is not None]
    timed = sum(count for _, count in histogram)
    held = _buckets_holding(histogram, {percentile: rank_of(percentile, timed) for percentile in PERCENTILES})
    # The waits of the (at most two) hours holding the ranks; asked even when there are none,
    # so the page makes the same queries however many stories there are.
    numbers = sorted({number for number, _ in held.values()})
    waits: dict[int, list[float]] = {number: [] for number in numbers}
    for number, seconds in connection.execute(select(bucket, wait).where(*where, bucket.in_(numbers))):
        waits[number].append(float(seconds))
    found: dict[int, float | None] = dict.fromkeys(PERCENTILES)
    for percentile, (number, offset) in held.items():
        found[percentile] = sorted(waits[number])[offset]
    return PublishedFacts(timed, with_evidence, found)


def _buckets_holding(histogram: list[tuple[int, int]], ranks: dict[int, int]) -> dict[int, tuple[int, int]]:
    """For each percentile's rank: the bucket holding it and the rank's offset within it."""
    held: dict[int, tuple[int, int]] = {}
    before = 0
    for number, count in histogram:
        for percentile, rank in ranks.items():
            if percentile not in held and before < rank <= before + count:
                held[percentile] = (number, rank - before - 1)
        before += count
    return held


def rank_of(percentile: int, count: int) -> int:
    """The nearest rank: the ceil(p * n / 100)-th smallest of n values (1-based), so always a
    value that occurred (the median of an even number is the lower middle one); 0 for none."""
    return -(-percentile * count // 100)


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
