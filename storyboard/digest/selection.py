"""Choosing an issue's stories: a pure function of the cut time, the candidates and the history.

No clock, no randomness, no database: the caller loads plain `Candidate` and `Appearance`
values, and the same input in any order gives the same ordered ids. Times are naive UTC, as
stored (see `storyboard.clock`); aware times are converted to naive UTC on the way in.

The sections share one fairness budget for the whole issue (one story per honoree, two per
department), spent in this order: one story of this week about a department or showing a value
not featured for weeks (the first "also new" title); the canon stories that are due; this
week's best; then the other "also new" titles. The canon comes before this week's best because
a new story that loses its place once is seldom hurt, while a canon story that loses it falls
behind its schedule.

A canon story's showings follow a schedule counted from when it became eligible: 4, 8, 16 and
26 weeks apart, then yearly. A late showing does not push the later ones back; a story behind
its schedule comes back as soon as it is four weeks since it was last shown. When more canon
stories are due than the usual slots hold, the section grows up to `canon_max`, the latest
first, so a backlog is worked off instead of growing.
"""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

from storyboard.digest.fairness import Fairness, featured_keys
from storyboard.digest.ranking import is_anniversary, stable_hash, wilson_lower_bound

PUBLISHED = "published"

SECTION_NEW = "new"
# How far before its due time a canon story may already come back (see _canon_key).
DUE_SLACK = timedelta(hours=12)
SECTION_ALSO_NEW = "also_new"
SECTION_CANON = "canon"


@dataclass(frozen=True)
class Candidate:
    """What selection needs to know about one story, flattened from the story and its nominees."""

    story_id: int
    published_at: datetime | None
    happened_on: date | None = None
    applause: int = 0
    readers: int = 0
    in_canon: bool = False
    canonized_at: datetime | None = None
    resurface: bool = True
    legacy: bool = False
    pinned: bool = False
    status: str = PUBLISHED
    honoree_ids: tuple[int, ...] = ()
    honoree_departments: tuple[str, ...] = ()
    # A nominee has left (Person.active is false).
    any_honoree_left: bool = False
    # A nominee kept this story out of digests, or hides from digests altogether.
    opted_out: bool = False
    # The canon's tie-breaker; the Wilson bound of applause over readers when not given.
    lifetime_score: float | None = None
    # A curator swapped it out of this issue (it may come back in a later one).
    held_back: bool = False
    # The values it shows (their slugs), so that no value goes a quarter unseen.
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Appearance:
    """A story shown in an earlier issue: which story, the issue's cut time, and the section."""

    story_id: int
    cut_at: datetime
    section: str
    # The departments of the story's honorees and the values it shows, as they were.
    departments: tuple[str, ...] = ()
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class SelectionParams:
    """Knobs for selection; the defaults are the ones the digest issue sets out."""

    new_count: int = 3
    also_new_max: int = 5
    # This week's window is `window` long and ends `window_lag` before the cut, so fresh
    # stories can gather readers before they are ranked.
    window: timedelta = timedelta(days=7)
    window_lag: timedelta = timedelta(hours=24)
    canon_count: int = 2
    # How far the canon section may grow when more canon stories are due than canon_count.
    canon_max: int = 5
    canon_min_age: timedelta = timedelta(days=28)
    # No story is shown twice within this time, whatever its schedule says.
    min_gap: timedelta = timedelta(weeks=4)
    # A canon showing missed by longer than this is skipped rather than caught up.
    catch_up: timedelta = timedelta(weeks=13)
    # Weeks to wait after a story's k-th canon appearance: ladder_weeks[k-1], then the cap.
    ladder_weeks: tuple[int, ...] = (4, 8, 16, 26)
    ladder_cap_weeks: int = 52
    anniversary_days: int = 3
    max_per_honoree: int = 1
    max_per_department: int = 2
    # A department or a value not featured for this long has its week's stories put first
    # among the "also new" titles, so that each comes up at least twice a year and once a
    # quarter whenever it has stories.
    department_gap: timedelta = timedelta(weeks=12)
    value_gap: timedelta = timedelta(weeks=8)
    z: float = 1.96

    def __post_init__(self) -> None:
        counts = (self.new_count, self.also_new_max, self.canon_count, self.anniversary_days,
                  self.max_per_honoree, self.max_per_department)
        if any(n < 0 for n in counts):
            raise ValueError("Counts and limits cannot be negative.")
        if self.window <= timedelta(0) or self.window_lag < timedelta(0):
            raise ValueError("The window must be positive and its lag not negative.")
        if min(self.canon_min_age, self.min_gap, self.catch_up, self.department_gap, self.value_gap) < timedelta(0):
            raise ValueError("The canon's minimum age and the gaps cannot be negative.")
        if self.canon_max < self.canon_count:
            raise ValueError("The canon's maximum cannot be below its usual count.")
        if not self.ladder_weeks or any(w <= 0 for w in (*self.ladder_weeks, self.ladder_cap_weeks)):
            raise ValueError("The ladder needs at least one step, and every step must be positive.")
        if self.z <= 0:
            raise ValueError("z must be positive.")

    def interval_after(self, appearances: int) -> timedelta:
        """How long to wait after a story's `appearances`-th canon appearance (at least 1)."""
        step = max(appearances, 1)
        weeks = self.ladder_weeks[step - 1] if step <= len(self.ladder_weeks) else self.ladder_cap_weeks
        return timedelta(weeks=weeks)

    def scheduled_after(self, appearances: int) -> timedelta:
        """When a canon story's next showing falls due, counted from when it became eligible,
        after `appearances` canon showings: 0, then 4, 12, 28, 54 weeks, then yearly."""
        steps = self.ladder_weeks[:appearances]
        yearly = max(appearances - len(self.ladder_weeks), 0)
        return timedelta(weeks=sum(steps) + yearly * self.ladder_cap_weeks)


@dataclass(frozen=True)
class IssueSelection:
    """The ordered story ids of each section of one issue."""

    issue_key: str
    new: tuple[int, ...] = ()
    also_new: tuple[int, ...] = ()
    canon: tuple[int, ...] = ()

    @property
    def is_empty(self) -> bool:
        """True when no story qualified, and so no issue is sent."""
        return not (self.new or self.also_new or self.canon)

    @property
    def story_ids(self) -> tuple[int, ...]:
        """Every chosen id, in the order the email shows them."""
        return self.new + self.canon + self.also_new


def issue_key_for(cut_at: datetime) -> str:
    """The issue's key: the cut's ISO date, unique per issue with one cut a week."""
    return _naive_utc(cut_at).date().isoformat()


def window_bounds(cut_at: datetime, params: SelectionParams) -> tuple[datetime, datetime]:
    """This week's window as [start, end): the start is in, the end is out.

    Half-open so that consecutive weekly windows tile time: every story falls in exactly one.
    """
    end = _naive_utc(cut_at) - params.window_lag
    return end - params.window, end


def select_issue(
    cut_at: datetime,
    candidates: Iterable[Candidate],
    history: Iterable[Appearance],
    params: SelectionParams | None = None,
) -> IssueSelection:
    """Choose this week's stories, the "also new" titles and the canon stories for one cut."""
    params = params or SelectionParams()
    cut_at = _naive_utc(cut_at)
    issue_key = issue_key_for(cut_at)
    by_id: dict[int, Candidate] = {}
    for candidate in candidates:
        if candidate.story_id in by_id:
            raise ValueError(f"Story {candidate.story_id} is a candidate twice.")
        by_id[candidate.story_id] = candidate
    shown = _ShowingIndex(history, before=cut_at)
    fairness = Fairness(params.max_per_honoree, params.max_per_department)

    fresh = sorted(
        (c for c in by_id.values() if _is_fresh(c, cut_at, shown, params)),
        key=lambda c: _fresh_key(c, params),
    )
    # A department or value left out too long gets its place first: the others are featured
    # every week, the overlooked one maybe never. One story a week is enough to keep every
    # value and department in view, and leaves the canon its places.
    overlooked = fairness.take(shown.overlooked(fresh, cut_at, params), min(1, params.also_new_max))

    canon_keys = (_canon_key(c, cut_at, issue_key, shown, params) for c in by_id.values())
    canon_ranked = [by_id[key[-1]] for key in sorted(k for k in canon_keys if k is not None)]
    # A canon count of 0 switches the canon section off; otherwise it grows with what is due.
    canon_slots = params.canon_count and min(params.canon_max, max(params.canon_count, len(canon_ranked)))
    canon = fairness.take(canon_ranked, canon_slots)
    # The overlooked story is one of this week's best if it ranks among them, else a title.
    best = sorted((by_id[story_id] for story_id in (*overlooked, *fairness.take(fresh, params.new_count))),
                  key=lambda c: _fresh_key(c, params))
    new = tuple(c.story_id for c in best[:params.new_count])
    also_new = tuple(c.story_id for c in best[params.new_count:])
    also_new += fairness.take(fresh, params.also_new_max - len(also_new))
    return IssueSelection(issue_key=issue_key, new=new, also_new=also_new, canon=canon)


def _naive_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def _may_appear(candidate: Candidate) -> bool:
    """The rules that keep a story out of every section, new or canon."""
    if candidate.status != PUBLISHED or candidate.published_at is None:
        return False
    if candidate.opted_out or candidate.held_back:
        return False
    return candidate.legacy or not candidate.any_honoree_left


def _is_fresh(candidate: Candidate, cut_at: datetime, shown: _ShowingIndex,
              params: SelectionParams) -> bool:
    if not _may_appear(candidate) or shown.last(candidate.story_id) is not None:
        return False  # shown in any section before: not new again
    start, end = window_bounds(cut_at, params)
    # The window closes a day before the cut so that stories gather readers first; a curator
    # who pins a story published since wants it in now, not in next week's issue.
    return start <= _naive_utc(candidate.published_at) < (cut_at if candidate.pinned else end)


def _fresh_key(candidate: Candidate, params: SelectionParams) -> tuple:
    score = wilson_lower_bound(candidate.applause, candidate.readers, params.z)
    return (not candidate.pinned, -score, _naive_utc(candidate.published_at), candidate.story_id)


def canon_schedule(candidate: Candidate, shown_at: list[datetime], last: datetime | None, cut_at: datetime,
                   params: SelectionParams) -> tuple[datetime, datetime, datetime, int] | None:
    """When a canon story became eligible, when its next showing is scheduled, when it may come
    (never within `min_gap` of its last appearance), and which step of the ladder that is, given
    its canon showings `shown_at` (in order) and its last appearance in any section, as seen at
    `cut_at`; None when it may not come back at all.

    A late story catches up, every `min_gap`, on showings up to `catch_up` overdue; showings
    missed by longer (its resurfacing was off for a year, say) are skipped, so it comes back
    once and then keeps its schedule instead of coming every four weeks for months."""
    if not (candidate.in_canon and candidate.resurface and _may_appear(candidate)):
        return None
    # Canonized stories always carry canonized_at; the publication date is a fallback for
    # rows promoted before it was recorded.
    eligible_at = _naive_utc(candidate.canonized_at or candidate.published_at) + params.canon_min_age

    def skipping(step: int, moment: datetime) -> int:
        while (eligible_at + params.scheduled_after(step) < moment - params.catch_up
               and eligible_at + params.scheduled_after(step + 1) <= moment):
            step += 1
        return step

    step = 0
    for moment in shown_at:
        step = skipping(step, moment) + 1
    step = skipping(step, cut_at)
    scheduled_at = eligible_at + params.scheduled_after(step)
    due_at = scheduled_at if last is None else max(scheduled_at, _naive_utc(last) + params.min_gap)
    return eligible_at, scheduled_at, due_at, step


def is_due(cut_at: datetime, eligible_at: datetime, due_at: datetime) -> bool:
    # Weekly cuts at a fixed local time move by an hour in UTC when the clocks change; a
    # story due an hour after this cut must not wait a whole week for the next one.
    return eligible_at <= cut_at and due_at <= cut_at + DUE_SLACK


def _canon_key(candidate: Candidate, cut_at: datetime, issue_key: str, shown: _ShowingIndex,
               params: SelectionParams) -> tuple | None:
    """The canon sort key (smaller first), ending with the story id; None when not due."""
    schedule = canon_schedule(candidate, shown.canon_showings(candidate.story_id), shown.last(candidate.story_id),
                              cut_at, params)
    if schedule is None or not is_due(cut_at, schedule[0], schedule[2]):
        return None
    _, scheduled_at, _, resurfaced = schedule
    # How far behind its schedule, in steps of the ladder it is on. Exact arithmetic, so that
    # equal ratios tie on every platform.
    overdue = Fraction(max(_seconds(cut_at - scheduled_at), 0), _seconds(params.interval_after(resurfaced)))
    lifetime = candidate.lifetime_score
    if lifetime is None or math.isnan(lifetime):  # NaN would make the sort order-dependent
        lifetime = wilson_lower_bound(candidate.applause, candidate.readers, params.z)
    anniversary = is_anniversary(candidate.happened_on, cut_at.date(), params.anniversary_days)
    return (not anniversary, -overdue, -lifetime, stable_hash(issue_key, candidate.story_id),
            candidate.story_id)


def _seconds(delta: timedelta) -> int:
    return delta.days * 86_400 + delta.seconds


class _ShowingIndex:
    """Earlier appearances per story; those at or after the cut are ignored, so rebuilding an
    issue whose own appearances are already recorded gives the same selection."""

    def __init__(self, history: Iterable[Appearance], before: datetime) -> None:
        self._canon: dict[int, list[datetime]] = defaultdict(list)
        self._last: dict[int, datetime] = {}
        # When each department and each value was last featured, keyed ("department", name).
        self._featured: dict[tuple[str, str], datetime] = {}
        self._first: datetime | None = None  # the first issue: "never featured" counts from it
        for appearance in history:
            at = _naive_utc(appearance.cut_at)
            if at >= before:
                continue
            if appearance.section == SECTION_CANON:
                self._canon[appearance.story_id].append(at)
            self._last[appearance.story_id] = max(at, self._last.get(appearance.story_id, at))
            self._first = min(at, self._first or at)
            for key in featured_keys(appearance.departments, appearance.values):
                self._featured[key] = max(at, self._featured.get(key, at))

    def canon_showings(self, story_id: int) -> list[datetime]:
        """When the story was shown in the canon section, earliest first."""
        return sorted(self._canon.get(story_id, ()))

    def last(self, story_id: int) -> datetime | None:
        """The latest earlier appearance in any section; None for a story never shown."""
        return self._last.get(story_id)

    def overlooked(self, fresh: list[Candidate], cut_at: datetime, params: SelectionParams) -> list[Candidate]:
        """This week's stories about a department or showing a value that has gone unfeatured
        too long, the longest unfeatured first. One never featured counts from the first issue,
        so the first weeks of a digest rank stories as usual."""
        if self._first is None:
            return []
        gaps = {"department": params.department_gap, "value": params.value_gap}
        never = self._first

        def overdue_since(story: Candidate) -> datetime | None:
            waits = [self._featured.get(key, never) for key in featured_keys(story.honoree_departments, story.values)
                     if self._featured.get(key, never) <= cut_at - gaps[key[0]] + DUE_SLACK]
            return min(waits, default=None)

        waiting = [(since, story) for story in fresh if (since := overdue_since(story)) is not None]
        return [story for since, story in sorted(waiting, key=lambda pair: (pair[0], _fresh_key(pair[1], params)))]


__all__ = [
    "SECTION_ALSO_NEW",
    "SECTION_CANON",
    "SECTION_NEW",
    "Appearance",
    "Candidate",
    "IssueSelection",
    "canon_schedule",
    "is_due",
    "SelectionParams",
    "is_anniversary",
    "issue_key_for",
    "select_issue",
    "stable_hash",
    "wilson_lower_bound",
    "window_bounds",
]
