"""What the friction report reads: the rules and processes that got in the way of published
stories, counted by department, value and month, and the items HR has filed them under.

A story's friction counts when the story is published, was published in the filter range, has
a nominee in the chosen department and location, and its "rule in the way" is not blank. Like
the dashboard, a story counts once for each department its nominees are in (all of them, not
only the chosen one), so the department rows can add up to more than the total.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import ColumnElement, Select, and_, case, distinct, func, literal, select, tuple_
from sqlalchemy.orm import joinedload, selectinload

from storyboard.extensions import db
from storyboard.insights.filters import InsightFilters, company_zone
from storyboard.models import (
    FrictionItem,
    FrictionLink,
    FrictionStatus,
    Person,
    Story,
    StoryStatus,
    Value,
    story_nominees,
    story_values,
)
from storyboard.pagination import Page

FRICTIONS_PER_PAGE = 25
ITEMS_PER_PAGE = 50
STORIES_SHOWN_PER_ITEM = 3
CSV_BATCH = 500  # stories read per query while a CSV streams: memory stays flat however many
MONTHS_BEFORE_QUARTERS = 24  # a longer range is counted per quarter, so the table stays short
SHOW_CHOICES = {"all": "All", "unfiled": "Not filed yet", "filed": "Filed under an item"}
NO_DEPARTMENT = "(no department)"


def friction_conditions(filters: InsightFilters) -> list[ColumnElement[bool]]:
    """The WHERE clauses of "a published story's friction within these filters"."""
    conditions = [
        Story.status == StoryStatus.PUBLISHED.value,
        Story.published_at >= filters.start_at,
        Story.published_at < filters.end_at,
        Story.rule_in_the_way.is_not(None),
        func.trim(Story.rule_in_the_way) != "",
    ]
    scope = filters.story_clause(Story.id)
    return conditions if scope is None else [*conditions, scope]


@dataclass(frozen=True)
class Totals:
    frictions: int
    filed: int

    @property
    def unfiled(self) -> int:
        return self.frictions - self.filed


def totals(filters: InsightFilters) -> Totals:
    statement = (
        select(func.count(Story.id), func.count(FrictionLink.story_id))
        .outerjoin(FrictionLink, FrictionLink.story_id == Story.id)
        .where(*friction_conditions(filters))
    )
    frictions, filed = db.session.execute(statement).one()
    return Totals(frictions, filed)


def by_department(filters: InsightFilters) -> list[tuple[str, int]]:
    """(department, frictions) most first; a story counts once per department of its nominees."""
    stories = func.count(distinct(Story.id))
    statement = (
        select(Person.department, stories)
        .join(story_nominees, story_nominees.c.story_id == Story.id)
        .join(Person, Person.id == story_nominees.c.person_id)
        .where(*friction_conditions(filters))
        .group_by(Person.department)
        .order_by(stories.desc(), Person.department)
    )
    return [(name or NO_DEPARTMENT, count) for name, count in db.session.execute(statement)]


def by_value(filters: InsightFilters) -> list[tuple[str, int]]:
    """(value, frictions) most first; a story counts once for each value it shows."""
    stories = func.count(distinct(Story.id))
    statement = (
        select(Value.name, stories)
        .join(story_values, story_values.c.value_id == Value.id)
        .join(Story, Story.id == story_values.c.story_id)
        .where(*friction_conditions(filters))
        .group_by(Value.id, Value.name, Value.position)
        .order_by(stories.desc(), Value.position, Value.name)
    )
    return [(name, count) for name, count in db.session.execute(statement)]


@dataclass(frozen=True)
class Period:
    label: str
    start: date
    count: int


def trend(filters: InsightFilters) -> list[Period]:
    """Frictions per calendar month of the company's time zone over the range (per quarter when
    it spans more than two years), every period listed, the empty ones too.

    Months are counted here rather than in SQL: the two databases convert time zones in
    different ways, and one column of the matching stories is small even for 100,000 of them.
    """
    quarterly = _months_between(filters.start, filters.end) > MONTHS_BEFORE_QUARTERS
    zone = company_zone()
    published = db.session.scalars(select(Story.published_at).where(*friction_conditions(filters)))
    counts = Counter(
        _period_start(moment.replace(tzinfo=UTC).astimezone(zone).date(), quarterly) for moment in published
    )
    periods, current = [], _period_start(filters.start, quarterly)
    while current <= filters.end:
        periods.append(Period(_period_label(current, quarterly), current, counts.get(current, 0)))
        current = _next_period(current, quarterly)
    return periods


def _months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


def _period_start(day: date, quarterly: bool) -> date:
    month = (day.month - 1) // 3 * 3 + 1 if quarterly else day.month
    return date(day.year, month, 1)


def _next_period(start: date, quarterly: bool) -> date:
    month = start.month + (3 if quarterly else 1)
    return date(start.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def _period_label(start: date, quarterly: bool) -> str:
    return f"Q{(start.month - 1) // 3 + 1} {start.year}" if quarterly else start.strftime("%B %Y")


@dataclass
class ItemRow:
    item: FrictionItem
    in_range: int  # its published stories within the filters
    published: int  # its published stories, whenever published
    sample: list[tuple[int, str]]  # (story id, title) of its latest stories within the filters


def item_rows(filters: InsightFilters, page: int) -> Page[ItemRow]:
    """A page of items, those with most frictions in the filters first, with their owners."""
    in_filters = and_(*friction_conditions(filters))
    counts = (
        select(
            FrictionLink.item_id,
            func.sum(case((Story.status == StoryStatus.PUBLISHED.value, 1), else_=0)).label("published"),
            func.sum(case((in_filters, 1), else_=0)).label("in_range"),
        )
        .join(Story, Story.id == FrictionLink.story_id)
        .group_by(FrictionLink.item_id)
        .subquery()
    )
    in_range = func.coalesce(counts.c.in_range, 0)
    statement = (
        select(FrictionItem, in_range, func.coalesce(counts.c.published, 0))
        .outerjoin(counts, counts.c.item_id == FrictionItem.id)
        .options(joinedload(FrictionItem.owner))
        .order_by(in_range.desc(), FrictionItem.title, FrictionItem.id)
    )
    rows, has_next = _page_of(statement, ITEMS_PER_PAGE, page)
    samples = _latest_stories([item.id for item, _, _ in rows], filters)
    items = [ItemRow(item, in_range, published, samples.get(item.id, [])) for item, in_range, published in rows]
    return Page(items=items, number=page, has_next=has_next)


def _latest_stories(item_ids: list[int], filters: InsightFilters) -> dict[int, list[tuple[int, str]]]:
    """Each item's latest few stories within the filters, in one query for the whole page."""
    if not item_ids:
        return {}
    order = func.row_number().over(
        partition_by=FrictionLink.item_id, order_by=(Story.published_at.desc(), Story.id.desc())
    )
    ranked = (
        select(FrictionLink.item_id, Story.id, Story.title, Story.published_at, order.label("place"))
        .join(Story, Story.id == FrictionLink.story_id)
        .where(FrictionLink.item_id.in_(item_ids), *friction_conditions(filters))
        .subquery()
    )
    statement = (
        select(ranked.c.item_id, ranked.c.id, ranked.c.title)
        .where(ranked.c.place <= STORIES_SHOWN_PER_ITEM)
        .order_by(ranked.c.item_id, ranked.c.place)
    )
    samples: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for item_id, story_id, title in db.session.execute(statement):
        samples[item_id].append((story_id, title))
    return samples


def item_choices() -> list[tuple[int, str, str]]:
    """(id, title, status label) of every item, for the "add to an item" lists."""
    statement = select(FrictionItem.id, FrictionItem.title, FrictionItem.status).order_by(
        FrictionItem.title, FrictionItem.id
    )
    return [(ident, title, FrictionStatus(status).label) for ident, title, status in db.session.execute(statement)]


@dataclass
class FrictionRow:
    story: Story
    item: FrictionItem | None

    @property
    def departments(self) -> list[str]:
        return sorted({person.department or NO_DEPARTMENT for person in self.story.nominees})


def friction_rows(filters: InsightFilters, show: str, page: int) -> Page[FrictionRow]:
    """A page of frictions, newest story first, with the item each is filed under if any."""
    statement = (
        select(Story, FrictionItem)
        .outerjoin(FrictionLink, FrictionLink.story_id == Story.id)
        .outerjoin(FrictionItem, FrictionItem.id == FrictionLink.item_id)
        .where(*friction_conditions(filters))
        .options(selectinload(Story.nominees), selectinload(Story.values))
        .order_by(Story.published_at.desc(), Story.id.desc())
    )
    if show == "unfiled":
        statement = statement.where(FrictionLink.story_id.is_(None))
    elif show == "filed":
        statement = statement.where(FrictionLink.story_id.is_not(None))
    rows, has_next = _page_of(statement, FRICTIONS_PER_PAGE, page)
    return Page(items=[FrictionRow(story, item) for story, item in rows], number=page, has_next=has_next)


def item_stories(item: FrictionItem, page: int) -> Page[Story]:
    """A page of the stories filed under `item`, whatever their status now, newest first."""
    statement = (
        select(Story)
        .join(FrictionLink, FrictionLink.story_id == Story.id)
        .where(FrictionLink.item_id == item.id)
        .options(selectinload(Story.nominees), selectinload(Story.values))
        .order_by(Story.published_at.desc(), Story.id.desc())
    )
    rows, has_next = _page_of(statement, FRICTIONS_PER_PAGE, page)
    return Page(items=[story for (story,) in rows], number=page, has_next=has_next)


def _page_of(statement: Select, per_page: int, page: int) -> tuple[list, bool]:
    """One page of rows (tuples), fetching one more to know whether another page follows."""
    rows = db.session.execute(statement.limit(per_page + 1).offset((page - 1) * per_page)).all()
    return rows[:per_page], len(rows) > per_page


CSV_HEADER = ("Story", "Title", "Link", "Published", "Departments", "Values", "Rule or process in the way",
              "Item", "Status", "Owner")


def csv_rows(filters: InsightFilters, link_to) -> Iterator[list[object]]:
    """One row per story friction, oldest first, read CSV_BATCH stories at a time; `link_to`
    makes a story's absolute link from its id."""
    zone = company_zone()
    after: tuple[datetime, int] | None = None
    while True:
        batch = db.session.execute(_csv_batch(filters, after)).all()
        if not batch:
            return
        ids = [row.id for row in batch]
        departments, values = _departments_of(ids), _values_of(ids)
        for row in batch:
            yield [
                row.id, row.title, link_to(row.id),
                row.published_at.replace(tzinfo=UTC).astimezone(zone).date(),
                "; ".join(departments.get(row.id, [])), "; ".join(values.get(row.id, [])),
                row.rule_in_the_way, row.item_title or "",
                FrictionStatus(row.item_status).label if row.item_status else "", row.owner_name or "",
            ]
        after = (batch[-1].published_at, batch[-1].id)


def _csv_batch(filters: InsightFilters, after: tuple[datetime, int] | None) -> Select:
    statement = (
        select(
            Story.id, Story.title, Story.published_at, Story.rule_in_the_way,
            FrictionItem.title.label("item_title"), FrictionItem.status.label("item_status"),
            Person.name.label("owner_name"),
        )
        .outerjoin(FrictionLink, FrictionLink.story_id == Story.id)
        .outerjoin(FrictionItem, FrictionItem.id == FrictionLink.item_id)
        .outerjoin(Person, Person.id == FrictionItem.owner_id)
        .where(*friction_conditions(filters))
        .order_by(Story.published_at, Story.id)
        .limit(CSV_BATCH)
    )
    if after is not None:
        key = tuple_(Story.published_at, Story.id)
        statement = statement.where(key > tuple_(literal(after[0], Story.published_at.type),
                                                 literal(after[1], Story.id.type)))
    return statement


def _departments_of(story_ids: list[int]) -> dict[int, list[str]]:
    statement = (
        select(story_nominees.c.story_id, Person.department)
        .join(Person, Person.id == story_nominees.c.person_id)
        .where(story_nominees.c.story_id.in_(story_ids))
        .distinct()
        .order_by(story_nominees.c.story_id, Person.department)
    )
    found: dict[int, list[str]] = defaultdict(list)
    for story_id, department in db.session.execute(statement):
        found[story_id].append(department or NO_DEPARTMENT)
    return found


def _values_of(story_ids: list[int]) -> dict[int, list[str]]:
    statement = (
        select(story_values.c.story_id, Value.name)
        .join(Value, Value.id == story_values.c.value_id)
        .where(story_values.c.story_id.in_(story_ids))
        .order_by(story_values.c.story_id, Value.position, Value.name)
    )
    found: dict[int, list[str]] = defaultdict(list)
    for story_id, name in db.session.execute(statement):
        found[story_id].append(name)
    return found
