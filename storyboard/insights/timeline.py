"""Counting stamped rows per company calendar day in SQL, and rolling the days up into weeks
(starting Monday) or months.

SQLite knows no time zones, so the database is told the company's UTC offset itself: between
two daylight-saving changes the offset is constant, and a CASE picks the offset of the span a
moment falls in. The day number (days since 1970-01-01 in company time) is then integer
arithmetic on epoch seconds, which both databases do quickly and exactly, and a GROUP BY on it
returns at most one row per calendar day, however many stories there are.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Integer, Numeric, case, cast, extract, func, literal, type_coerce

from storyboard.db_helpers import dialect_name

SECONDS_PER_DAY = 86_400
EPOCH = date(1970, 1, 1)
# Longer ranges than this are counted per month: 100 weekly bars stop being readable.
WEEKLY_UP_TO_DAYS = 731
# Daylight-saving changes are months apart, so stepping a week at a time finds each of them.
SCAN_STEP = timedelta(days=7)


def utc_offset(moment: datetime, zone: ZoneInfo) -> int:
    """The company's offset from UTC, in seconds, at a naive-UTC moment."""
    return int(moment.replace(tzinfo=UTC).astimezone(zone).utcoffset().total_seconds())


def offset_spans(start_at: datetime, end_at: datetime, zone: ZoneInfo) -> list[tuple[datetime | None, int]]:
    """The offsets in force over [start_at, end_at): (until, offset) pairs in order, each offset
    holding for moments before its `until`; the last pair's `until` is None."""
    spans: list[tuple[datetime | None, int]] = []
    moment, offset = start_at, utc_offset(start_at, zone)
    while moment < end_at:
        step_end = min(moment + SCAN_STEP, end_at)
        if utc_offset(step_end, zone) == offset:
            moment = step_end
            continue
        change = _first_moment_with_new_offset(moment, step_end, offset, zone)
        spans.append((change, offset))
        moment, offset = change, utc_offset(change, zone)
    spans.append((None, offset))
    return spans


def _first_moment_with_new_offset(before: datetime, after: datetime, offset: int, zone: ZoneInfo) -> datetime:
    # Bisect to the second: zones change their offset on whole seconds (in practice, hours).
    while after - before > timedelta(seconds=1):
        middle = before + (after - before) / 2
        middle = middle.replace(microsecond=0)
        if utc_offset(middle, zone) == offset:
            before = middle
        else:
            after = middle
    return after


def epoch_seconds(column) -> ColumnElement:
    """Seconds since 1970 of a naive-UTC timestamp column (whole seconds on SQLite)."""
    if dialect_name() == "sqlite":
        # unixepoch() (SQLite 3.38) is several times faster than strftime('%s') over 100k rows.
        if sqlite3.sqlite_version_info >= (3, 38):
            return type_coerce(func.unixepoch(column), Integer)
        return cast(func.strftime("%s", column), Integer)
    return type_coerce(extract("epoch", column), Numeric)


def local_day_number(column, spans: list[tuple[datetime | None, int]]) -> ColumnElement:
    """The company calendar day of a timestamp column, as days since 1970-01-01."""
    if len(spans) == 1:
        offset = literal(spans[0][1])
    else:
        offset = case(*[(column < until, spans_offset) for until, spans_offset in spans[:-1]],
                      else_=spans[-1][1])
    shifted = epoch_seconds(column) + offset
    if dialect_name() == "sqlite":
        return shifted // SECONDS_PER_DAY  # integer division; every stamp here is after 1970
    return func.floor(shifted / SECONDS_PER_DAY)


def day_from_number(number) -> date:
    return EPOCH + timedelta(days=int(number))


@dataclass(frozen=True)
class Period:
    """One bar of the timeline: a week (from its Monday) or a month (from its first day)."""

    start: date
    days_in_range: int  # fewer than the week's or month's days at either end of the range
    stories: int


def period_start(day: date, monthly: bool) -> date:
    return day.replace(day=1) if monthly else day - timedelta(days=day.weekday())


def _next_period(start: date, monthly: bool) -> date:
    if not monthly:
        return start + timedelta(days=7)
    return date(start.year + start.month // 12, start.month % 12 + 1, 1)


def roll_up(per_day: Iterable[tuple[date, int]], first: date, last: date, monthly: bool) -> list[Period]:
    """Every week (or month) touching [first, last], with the day counts summed into it; the
    first and last may lie partly outside the range, and say how many of their days are in it."""
    totals: dict[date, int] = {}
    for day, count in per_day:
        key = period_start(day, monthly)
        totals[key] = totals.get(key, 0) + count
    periods = []
    start = period_start(first, monthly)
    while start <= last:
        following = _next_period(start, monthly)
        days = (min(following - timedelta(days=1), last) - max(start, first)).days + 1
        periods.append(Period(start, days, totals.get(start, 0)))
        start = following
    return periods
