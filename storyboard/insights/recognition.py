"""Who has gone unrecognised: the queries behind the equity page and the managers' email.

Recognised means named as a nominee on a PUBLISHED story. The windows are the company's
calendar days ending today: "the last 90 days" are today and the 89 days before it, so a story
published on the morning of the 90th day back still counts. Newcomers (started, or added when
no start date is known, within those same 90 days) are counted apart: nobody has had the time
to notice them yet, and they are not "never recognised". Leavers (inactive) are never counted.

How it stays fast: each person's latest story within the longest window (180 days) is found
once, from the stories' (status, published_at) index, and joined to people; checking each
person's own stories instead walks them oldest first, which for the much recognised means
thousands of rows each (a second and more at 100k stories). Only the few people on a page who
had no story in 180 days have their whole history read, for the date they were last recognised.

A department's stories are those about anyone whose department it is now, as the dashboard
counts them (`InsightFilters.story_clause`); a person's are those naming them.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, Subquery, and_, case, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from storyboard.extensions import db
from storyboard.insights.filters import InsightFilters, utc_start_of
from storyboard.models import Person, Story, StoryStatus, story_nominees

RECENT_DAYS = 90
LONG_DAYS = 180
WINDOWS = (RECENT_DAYS, LONG_DAYS)
NEWCOMER_DAYS = 90
PUBLISHED = StoryStatus.PUBLISHED.value


@dataclass(frozen=True)
class Windows:
    """The recognition windows counted back from the company's `today`."""

    today: date

    def since(self, days: int) -> datetime:
        """The naive-UTC moment the last `days` company days began."""
        return utc_start_of(self.today - timedelta(days=days - 1))

    @property
    def newcomer_from(self) -> date:
        """The first start date that still makes someone a newcomer today."""
        return self.today - timedelta(days=NEWCOMER_DAYS - 1)


@dataclass(frozen=True)
class Scope:
    """Whose recognition a page counts: active people in the filters' department and location,
    and only one manager's reports when `manager_id` is set."""

    filters: InsightFilters
    manager_id: int | None = None

    def conditions(self, person=Person) -> list[ColumnElement[bool]]:
        conditions = [person.active]
        if (place := self.filters.person_clause(person)) is not None:
            conditions.append(place)
        if self.manager_id is not None:
            conditions.append(person.manager_id == self.manager_id)
        return conditions


def company_date(moment: datetime | None, zone: ZoneInfo) -> date | None:
    """A stored naive-UTC moment as the company's calendar day."""
    return None if moment is None else moment.replace(tzinfo=UTC).astimezone(zone).date()


def latest_in_window(windows: Windows) -> Subquery:
    """(person_id, last_at): each person's latest published story in the last LONG_DAYS days."""
    return (
        select(story_nominees.c.person_id.label("person_id"), func.max(Story.published_at).label("last_at"))
        .join(Story, Story.id == story_nominees.c.story_id)
        .where(Story.status == PUBLISHED, Story.published_at >= windows.since(LONG_DAYS))
        .group_by(story_nominees.c.person_id)
        .subquery("latest")
    )


def unrecognised(latest: Subquery, windows: Windows, days: int) -> ColumnElement[bool]:
    """No published story in the last `days` days (at most LONG_DAYS), given `latest`."""
    return or_(latest.c.last_at.is_(None), latest.c.last_at < windows.since(days))


def last_recognised(person_ids: Iterable[int]) -> dict[int, datetime]:
    """When each of these people's latest published story came out, ever (absent: never).
    Asked even for nobody, so that a page's query count does not depend on its data."""
    ids = list(person_ids)
    return dict(db.session.execute(
        select(story_nominees.c.person_id, func.max(Story.published_at))
        .join(Story, Story.id == story_nominees.c.story_id)
        .where(story_nominees.c.person_id.in_(ids), Story.status == PUBLISHED)
        .group_by(story_nominees.c.person_id)
    ).all())


def is_newcomer(person, windows: Windows) -> ColumnElement[bool]:
    """Started within the newcomer window (or in the future); with no start date, added to
    Storyboard within it. Never NULL, so that its negation picks everyone else."""
    return or_(
        and_(person.start_date.is_not(None), person.start_date >= windows.newcomer_from),
        and_(person.start_date.is_(None), person.created_at >= utc_start_of(windows.newcomer_from)),
    )


def _count(condition: ColumnElement[bool]):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


@dataclass(frozen=True)
class EquityCounts:
    established: int  # active people here for 90 days or more
    unrecognised: dict[int, int]  # window in days -> established people with no story in it
    newcomers: int
    newcomers_unrecognised: int  # newcomers with no story yet in the last 90 days


def equity_counts(scope: Scope, windows: Windows) -> EquityCounts:
    """The figures at the top of the page, in one query."""
    newcomer = is_newcomer(Person, windows)
    latest = latest_in_window(windows)
    row = db.session.execute(
        select(
            _count(~newcomer),
            *(_count(and_(~newcomer, unrecognised(latest, windows, days))) for days in WINDOWS),
            _count(newcomer),
            _count(and_(newcomer, unrecognised(latest, windows, RECENT_DAYS))),
        )
        .select_from(Person)
        .outerjoin(latest, latest.c.person_id == Person.id)
        .where(*scope.conditions())
    ).one()
    established, *unrecognised_counts, newcomers, newcomers_unrecognised = (int(value) for value in row)
    return EquityCounts(established, dict(zip(WINDOWS, unrecognised_counts, strict=True)),
                        newcomers, newcomers_unrecognised)


def unrecognised_people(scope: Scope, windows: Windows, days: int, newcomers: bool = False) -> Select:
    """(person, latest story in LONG_DAYS) for people with no published story in the last
    `days` days: established people, or with `newcomers` the newcomers (over the 90-day
    window). Those with none in LONG_DAYS first, by name, then the longest unrecognised; the
    manager comes in the same query. `last_recognised` dates the first group."""
    newcomer = is_newcomer(Person, windows)
    latest = latest_in_window(windows)
    return (
        select(Person, latest.c.last_at)
        .outerjoin(latest, latest.c.person_id == Person.id)
        .where(*scope.conditions(), newcomer if newcomers else ~newcomer,
               unrecognised(latest, windows, RECENT_DAYS if newcomers else days))
        .options(joinedload(Person.manager).load_only(Person.id, Person.name, Person.active))
        .order_by(latest.c.last_at.asc().nulls_first(), Person.name, Person.id)
    )


def with_last_recognised(rows: list) -> list[tuple[Person, datetime | None]]:
    """(person, latest story in LONG_DAYS) rows with the latest story ever filled in."""
    older = last_recognised(person.id for person, last in rows if last is None)
    return [(person, last if last is not None else older.get(person.id)) for person, last in rows]


def team_recognition(manager_id: int, windows: Windows) -> list[tuple[Person, datetime | None, bool]]:
    """Every active report of one manager: (person, last recognised, is a newcomer), by name."""
    latest = latest_in_window(windows)
    rows = db.session.execute(
        select(Person, latest.c.last_at, case((is_newcomer(Person, windows), 1), else_=0))
        .outerjoin(latest, latest.c.person_id == Person.id)
        .where(Person.manager_id == manager_id, Person.active)
        .order_by(Person.name, Person.id)
    ).all()
    older = last_recognised(person.id for person, last, _ in rows if last is None)
    return [(person, last if last is not None else older.get(person.id), bool(flag)) for person, last, flag in rows]


def _department_stories(scope: Scope) -> Select:
    """(department, published_at) of published stories' nominees within the location filter."""
    nominee = aliased(Person)
    conditions = [Story.status == PUBLISHED]
    if (place := scope.filters.person_clause(nominee)) is not None:
        conditions.append(place)
    return (
        select(nominee.department.label("name"), Story.published_at)
        .select_from(Story)
        .join(story_nominees, story_nominees.c.story_id == Story.id)
        .join(nominee, nominee.id == story_nominees.c.person_id)
        .where(*conditions)
    )


@dataclass(frozen=True)
class DepartmentRow:
    name: str
    people: int  # active people in it (within the filters)
    last_story_at: datetime | None


def unrecognised_departments(scope: Scope, windows: Windows, days: int) -> list[DepartmentRow]:
    """Departments of active people with no published story about anyone in them in the last
    `days` days, never recognised first. Recent stories are found from the stories' side; only
    the listed departments' own (older) stories are read for their dates."""
    recent = _department_stories(scope).where(Story.published_at >= windows.since(days))
    teams = db.session.execute(
        select(Person.department, func.count(Person.id))
        .where(*scope.conditions(), Person.department != "",
               Person.department.not_in(recent.with_only_columns(recent.selected_columns.name)))
        .group_by(Person.department)
    ).all()
    stories = _department_stories(scope).subquery()
    last = dict(db.session.execute(
        select(stories.c.name, func.max(stories.c.published_at))
        .where(stories.c.name.in_([name for name, _ in teams]))
        .group_by(stories.c.name)
    ).all())
    rows = [DepartmentRow(name, people, last.get(name)) for name, people in teams]
    return sorted(rows, key=lambda row: (row.last_story_at is not None, row.last_story_at or datetime.min, row.name))


def manager_summary(scope: Scope, windows: Windows) -> Select:
    """(manager, active reports, established reports unrecognised in 90 days, newcomers with no
    story yet) per manager with active reports in scope; the most unrecognised first."""
    report = aliased(Person)
    newcomer = is_newcomer(report, windows)
    latest = latest_in_window(windows)
    none_recent = unrecognised(latest, windows, RECENT_DAYS)
    unrecognised_count = _count(and_(~newcomer, none_recent))
    return (
        select(Person, func.count(report.id), unrecognised_count, _count(and_(newcomer, none_recent)))
        .join(report, report.manager_id == Person.id)
        .outerjoin(latest, latest.c.person_id == report.id)
        .where(*scope.conditions(report))
        .group_by(Person.id)
        .order_by(unrecognised_count.desc(), Person.name, Person.id)
    )


def managers_with_reports() -> list[tuple[int, str, bool]]:
    """(id, name, active) of everyone with at least one active report, by name."""
    report = aliased(Person)
    return [tuple(row) for row in db.session.execute(
        select(Person.id, Person.name, Person.active)
        .where(select(report.id).where(report.manager_id == Person.id, report.active).exists())
        .order_by(Person.name, Person.id)
    )]
