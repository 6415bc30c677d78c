"""The filters every insights page and export shares, carried in the URL: a date range,
a department and a location.

Dates are the company's calendar days (the digest's time zone), so "1 to 31 March" means what
HR in the office means by it; queries compare stored naive-UTC times with `start_at` and
`end_at`. A story belongs to a department or location through its nominees: a story about
people in two departments counts for each of them.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, exists, select

from storyboard.clock import utcnow
from storyboard.models import Person, story_nominees
from storyboard.settings import setting

DEFAULT_DAYS = 365
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)
NAME_MAX = 120  # department and location names, as people's columns hold them


def company_zone() -> ZoneInfo:
    return ZoneInfo(setting("DIGEST_TIMEZONE"))


def company_today(now: datetime | None = None) -> date:
    """Today in the company's time zone."""
    moment = (now or utcnow()).replace(tzinfo=UTC)
    return moment.astimezone(company_zone()).date()


def utc_start_of(day: date, zone: ZoneInfo | None = None) -> datetime:
    """The naive-UTC moment the company's `day` begins."""
    local = datetime.combine(day, time.min, tzinfo=zone or company_zone())
    return local.astimezone(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class InsightFilters:
    start: date
    end: date  # inclusive
    department: str = ""
    location: str = ""
    errors: tuple[str, ...] = field(default=())
    # Whether the range was chosen, rather than the default last 12 months.
    chosen_range: bool = False
    # The company's time zone as it was when the filters were read: figures computed on other
    # threads (the dashboard's) then need no settings of their own.
    zone_name: str = ""

    @classmethod
    def from_args(cls, args: Mapping[str, str], today: date | None = None) -> InsightFilters:
        """Filters from a query string. What cannot be read is reported in `errors` (the page
        answers 400 and shows them) and the default stands in for it."""
        today = today or company_today()
        errors: list[str] = []
        default_start = today - timedelta(days=DEFAULT_DAYS - 1)
        start = _date(args.get("start", ""), "start", errors) or default_start
        end = _date(args.get("end", ""), "end", errors) or today
        if start > end:
            errors.append("The start date is after the end date: choose a start on or before the end.")
            start, end = default_start, today
        department = (args.get("department") or "").strip()
        location = (args.get("location") or "").strip()
        for label, value in (("department", department), ("location", location)):
            if len(value) > NAME_MAX:
                errors.append(f"No {label} has a name that long (at most {NAME_MAX} characters).")
        return cls(
            start=start, end=end,
            department=department[:NAME_MAX], location=location[:NAME_MAX],
            errors=tuple(errors),
            chosen_range=bool(args.get("start") or args.get("end")),
            zone_name=setting("DIGEST_TIMEZONE"),
        )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.zone_name) if self.zone_name else company_zone()

    @property
    def start_at(self) -> datetime:
        return utc_start_of(self.start, self.zone)

    @property
    def end_at(self) -> datetime:
        """The moment after the last day: ranges are `start_at <= t < end_at`."""
        return utc_start_of(self.end + timedelta(days=1), self.zone)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def narrowed(self) -> bool:
        """Whether anything narrows the pages beyond their defaults."""
        return bool(self.chosen_range or self.department or self.location)

    def query_args(self) -> dict[str, str]:
        """The filters as URL parameters, for links that keep them (exports, other pages)."""
        args = {}
        if self.chosen_range:
            args.update(start=self.start.isoformat(), end=self.end.isoformat())
        if self.department:
            args["department"] = self.department
        if self.location:
            args["location"] = self.location
        return args

    def person_clause(self, person=Person) -> ColumnElement[bool] | None:
        """The department and location conditions on a person (or an alias of Person)."""
        conditions = []
        if self.department:
            conditions.append(person.department == self.department)
        if self.location:
            conditions.append(person.location == self.location)
        return and_(*conditions) if conditions else None

    def story_clause(self, story_id: ColumnElement) -> ColumnElement[bool] | None:
        """Stories with a nominee in the chosen department and location, or None for all."""
        condition = self.person_clause()
        if condition is None:
            return None
        return exists(
            select(story_nominees.c.story_id)
            .join(Person, Person.id == story_nominees.c.person_id)
            .where(story_nominees.c.story_id == story_id, condition)
        )


def _date(text: str, which: str, errors: list[str]) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = date.fromisoformat(text)
    except ValueError:
        errors.append(f"The {which} date “{text[:20]}” is not a date: use the form 2026-03-31.")
        return None
    if not EARLIEST <= value <= LATEST:
        errors.append(f"Choose a {which} date between {EARLIEST.year} and {LATEST.year}.")
        return None
    return value
