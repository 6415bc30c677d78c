"""The dashboard's figures as data tables: one definition of each table feeds the page, its
CSV download and its chart, so the three always carry the same numbers.

`DashboardFigures` runs each query at most once per request, and only the ones a table asks for:
a chart or a CSV of one table costs that table's queries alone.
"""
from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from flask import current_app

from storyboard.extensions import db
from storyboard.insights import figures
from storyboard.insights.figures_digest import DigestReach, digest_reach
from storyboard.insights.filters import InsightFilters
from storyboard.insights.timeline import WEEKLY_UP_TO_DAYS, Period, roll_up
from storyboard.models import Value

NO_DEPARTMENT = "No department"
KIND_LABELS = {True: "Front line", False: "Backstage", None: "Not classified"}
TOTAL = "Total"


def rounded(number: float) -> float:
    """One decimal place, halves rounded up (as people round), not to the even neighbour."""
    return float(Decimal(str(number)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def per_hundred(count: int, people: int) -> float | None:
    """`count` per 100 of `people`, or None when there is nobody to divide by."""
    return rounded(count * 100 / people) if people else None


def hours(seconds: float | None) -> float | None:
    return None if seconds is None else rounded(seconds / 3600)


def department_label(name: str) -> str:
    return name or NO_DEPARTMENT


@dataclass(frozen=True)
class DataTable:
    name: str  # in the URLs of its CSV and chart
    caption: str
    header: tuple[str, ...]
    rows: list[tuple]
    total: tuple | None = None  # the whole scope, after the rows; never charted

    @property
    def all_rows(self) -> list[tuple]:
        return [*self.rows, self.total] if self.total else list(self.rows)


class DashboardFigures:
    """The figures for one scope (the filters in force), each queried when first needed, or
    all at once, side by side, by `prefetch` (the whole page needs them all)."""

    def __init__(self, scope: InsightFilters, now: datetime) -> None:
        self.scope, self.now = scope, now

    def prefetch(self) -> None:
        """Query the page's figures side by side, each on its own connection.

        Each figure reads a different slice of the stories in one aggregate query; one after
        another they took 250 to 350 ms at 100,000 stories, most of it the database working,
        which two cores (PostgreSQL's backends, SQLite's threads outside the GIL) can overlap.
        Each runs in an app context of its own, so it has its own session and connection.
        """
        app = current_app._get_current_object()
        with ThreadPoolExecutor(max_workers=PARALLEL_QUERIES) as pool:
            futures = {name: pool.submit(_figure_in_own_context, app, self, name) for name in PREFETCHED}
        for name, future in futures.items():
            self.__dict__[name] = future.result()  # what the cached property would have stored

    @property
    def monthly(self) -> bool:
        return self.scope.days > WEEKLY_UP_TO_DAYS

    @cached_property
    def per_day(self) -> dict[date, int]:
        return figures.published_per_day(self.scope)

    @cached_property
    def published(self) -> int:
        return sum(self.per_day.values())

    @cached_property
    def facts(self) -> figures.PublishedFacts:
        return figures.published_facts(self.scope)

    @cached_property
    def periods(self) -> list[Period]:
        return roll_up(self.per_day.items(), self.scope.start, self.scope.end, self.monthly)

    @cached_property
    def waiting_over_a_week(self) -> int:
        return figures.waiting_over_a_week(self.scope, self.now)

    def wait(self, percentile: int) -> float | None:
        """Seconds from submit to publish at this percentile (nearest rank), or None."""
        return self.facts.wait_percentiles[percentile]

    @cached_property
    def headcount(self) -> dict[str, int]:
        return figures.active_people_per_department(self.scope)

    @cached_property
    def active_people(self) -> int:
        return sum(self.headcount.values())

    @cached_property
    def per_department(self) -> dict[str, figures.DepartmentStories]:
        return figures.published_per_department(self.scope)

    @cached_property
    def nominators(self) -> dict[str, int]:
        return figures.nominators_per_department(self.scope)

    @cached_property
    def digest(self) -> DigestReach:
        return digest_reach(self.scope)

    @cached_property
    def kinds(self) -> dict[str, bool]:
        return figures.department_kinds()

    @cached_property
    def per_value(self) -> list[tuple[Value, int]]:
        return figures.published_per_value(self.scope)

    @cached_property
    def per_kind(self) -> dict[bool | None, int]:
        return figures.published_per_kind(self.scope)

    def departments(self, *more: dict) -> list[str]:
        """Departments with active people in scope, or with figures of their own, by name
        (people with no department last)."""
        names = set(self.headcount).union(*more)
        return sorted(names, key=lambda name: (name == "", name.casefold()))

    def table(self, name: str) -> DataTable:
        return TABLES[name](self)

    @property
    def participation(self) -> float | None:
        return per_hundred(sum(self.nominators.values()), self.active_people)


# The figures the page prefetches (the slow ones: each reads many stories), and how many run at once.
PREFETCHED = ("facts", "per_department", "per_kind", "nominators", "per_value", "digest", "per_day")
PARALLEL_QUERIES = 4


def _figure_in_own_context(app, data: DashboardFigures, name: str):
    with app.app_context():
        try:
            return getattr(DashboardFigures, name).func(data)
        finally:
            db.session.remove()  # the connection goes back to the pool


def timeline_table(data: DashboardFigures) -> DataTable:
    unit = "month" if data.monthly else "week"
    first = "Month" if data.monthly else "Week starting (Monday)"
    return DataTable(
        "timeline", f"Published stories per {unit}",
        (first, "Days in the range", "Published stories"),
        [(period.start, period.days_in_range, period.stories) for period in data.periods],
        (TOTAL, data.scope.days, data.published),
    )


def departments_table(data: DashboardFigures) -> DataTable:
    counts = data.per_department
    rows = []
    for name in data.departments(counts):
        people, stories = data.headcount.get(name, 0), counts[name].stories if name in counts else 0
        rows.append((department_label(name), people, stories, per_hundred(stories, people)))
    return DataTable(
        "departments", "Published stories by department of the people in them",
        ("Department", "Active people", "Published stories", "Per 100 active people"),
        rows, (TOTAL, data.active_people, data.published, per_hundred(data.published, data.active_people)),
    )


def values_table(data: DashboardFigures) -> DataTable:
    rows = [
        (value.name if value.active else f"{value.name} (retired)", stories,
         per_hundred(stories, data.active_people))
        for value, stories in data.per_value
    ]
    return DataTable(
        "values", "Published stories by value",
        ("Value", "Published stories", "Per 100 active people"), rows,
    )


def kinds_table(data: DashboardFigures) -> DataTable:
    stories = data.per_kind
    departments: dict[bool | None, int] = dict.fromkeys(KIND_LABELS, 0)
    people: dict[bool | None, int] = dict.fromkeys(KIND_LABELS, 0)
    for name, count in data.headcount.items():
        kind = data.kinds.get(name)
        departments[kind] += 1
        people[kind] += count
    rows = [
        (label, departments[kind], people[kind], stories.get(kind, 0), per_hundred(stories.get(kind, 0), people[kind]))
        for kind, label in KIND_LABELS.items()
    ]
    return DataTable(
        "front-line", "Front line and backstage: published stories by the kind of department",
        ("Departments", "Departments in it", "Active people", "Published stories", "Per 100 active people"), rows,
    )


def participation_table(data: DashboardFigures) -> DataTable:
    rows = []
    for name in data.departments():
        people, nominated = data.headcount.get(name, 0), data.nominators.get(name, 0)
        rows.append((department_label(name), people, nominated, per_hundred(nominated, people)))
    nominated = sum(data.nominators.values())
    return DataTable(
        "participation", "Participation: active people who nominated someone, by department",
        ("Department", "Active people", "Nominated someone", "Share (%)"),
        rows, (TOTAL, data.active_people, nominated, data.participation),
    )


def evidence_table(data: DashboardFigures) -> DataTable:
    counts = data.per_department
    rows = []
    for name in sorted(counts, key=lambda name: (name == "", name.casefold())):
        stories, evidence = counts[name].stories, counts[name].with_evidence
        rows.append((department_label(name), stories, evidence, per_hundred(evidence, stories)))
    return DataTable(
        "evidence", "Published stories with customer evidence, by department",
        ("Department", "Published stories", "With customer evidence", "Share (%)"),
        rows, (TOTAL, data.published, data.facts.with_evidence, per_hundred(data.facts.with_evidence, data.published)),
    )


def queue_table(data: DashboardFigures) -> DataTable:
    return DataTable(
        "queue", "Queue health: time from submit to publish, and stories waiting",
        ("Figure", "Value"),
        [
            ("Stories published in the range (with a submit time)", data.facts.timed),
            ("Median hours from submit to publish", hours(data.wait(50))),
            ("90th percentile hours from submit to publish", hours(data.wait(90))),
            ("Stories waiting over 7 days now", data.waiting_over_a_week),
        ],
    )


def digest_table(data: DashboardFigures) -> DataTable:
    reach = data.digest
    return DataTable(
        "digest", "Digest reach: issues cut in the range, and what readers did",
        ("Figure", "Value"),
        [
            ("Deliveries sent", reach.sent),
            ("Bounces", reach.bounced),
            ("Unsubscribes (changed to never)", reach.unsubscribed),
            ("Readers who came from a digest link", reach.readers),
            ("Stories opened from a digest link", reach.visits),
        ],
    )


TABLES: dict[str, Callable[[DashboardFigures], DataTable]] = {
    "timeline": timeline_table,
    "departments": departments_table,
    "values": values_table,
    "front-line": kinds_table,
    "participation": participation_table,
    "queue": queue_table,
    "digest": digest_table,
    "evidence": evidence_table,
}


def duration_text(seconds: float | None) -> str:
    """A wait as people say it: hours under two days, days after."""
    if seconds is None:
        return "—"
    if seconds < 48 * 3600:
        return f"{rounded(seconds / 3600)} hours"
    return f"{rounded(seconds / 86400)} days"


def headline(data: DashboardFigures) -> list[tuple[str, str, str]]:
    """The summary row: (id, label, figure as shown)."""
    per_100 = per_hundred(data.published, data.active_people)
    participation = data.participation
    return [
        ("published", "Published stories", f"{data.published:,}"),
        ("per-100", "Per 100 active people", "—" if per_100 is None else f"{per_100}"),
        ("participation", "People who nominated someone",
         "—" if participation is None else f"{participation}%"),
        ("median-wait", "Median time to publish", duration_text(data.wait(50))),
        ("waiting", "Waiting over 7 days now", f"{data.waiting_over_a_week:,}"),
        ("readers", "Readers from the digest", f"{data.digest.readers:,}"),
    ]
