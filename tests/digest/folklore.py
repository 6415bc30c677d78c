"""Five years of a harsh company, issue after issue through the real `select_issue`.

About 2,000 people in 12 departments of very different sizes; 5 to 40 stories a week with a
spring and a December peak; applause skewed (a few stories get most of it); a few prolific
honorees who are in many stories; about 1% of people leaving every month (new people join);
about 120 canon promotions over the five years, half of them from the largest department. The
run records every issue; the measures below read the record, never the selection's internals.
"""
from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from itertools import pairwise

from storyboard.digest.selection import (
    SECTION_ALSO_NEW,
    SECTION_CANON,
    SECTION_NEW,
    Appearance,
    Candidate,
    IssueSelection,
    SelectionParams,
    select_issue,
)

START = datetime(2022, 1, 3, 7, 0)  # a Monday
DEPARTMENT_SIZES = (800, 300, 200, 150, 120, 100, 90, 80, 60, 50, 30, 20)  # 2,000 people
LARGEST = "dept-00"
VALUES = tuple(f"value-{n}" for n in range(9))
VALUE_WEIGHTS = (40, 25, 15, 8, 5, 3, 2, 1, 0.4)


@dataclass
class Run:
    weeks: int
    params: SelectionParams
    stories: dict[int, Candidate] = field(default_factory=dict)
    issues: list[tuple[datetime, IssueSelection]] = field(default_factory=list)
    history: list[Appearance] = field(default_factory=list)
    left_at: dict[int, datetime] = field(default_factory=dict)  # person -> when they left
    published_per_week: list[int] = field(default_factory=list)
    # The exact input of the weeks asked for in `simulate(keep_inputs=...)`.
    inputs: dict[int, tuple[list[Candidate], list[Appearance]]] = field(default_factory=dict)

    @property
    def end(self) -> datetime:
        return START + timedelta(weeks=self.weeks - 1)


def stories_this_week(week: int, rng: random.Random) -> int:
    """5 to 40: a base that grows over the years, a spring peak and a December peak."""
    in_year = week % 52
    base = 8 + week // 26
    if 12 <= in_year <= 18:
        base += 14
    if in_year >= 48:
        base += 22
    return max(5, min(40, base + rng.randint(-3, 3)))


def simulate(weeks: int = 260, promotions: int = 120, seed: int = 20261202,
             params: SelectionParams | None = None, keep_inputs: frozenset[int] = frozenset()) -> Run:
    rng = random.Random(seed)
    run = Run(weeks=weeks, params=params or SelectionParams())
    department_of: dict[int, str] = {}
    for number, size in enumerate(DEPARTMENT_SIZES):
        for _ in range(size):
            department_of[len(department_of)] = f"dept-{number:02d}"
    active = set(department_of)
    prolific = rng.sample(sorted(active), 40)  # honorees of many stories
    # Promotion weeks spread from week 6 to week 236; half of them from the largest department.
    promotion_weeks = Counter(6 + (230 * n) // promotions for n in range(promotions))
    next_story = 1
    for week in range(weeks):
        cut = START + timedelta(weeks=week)
        # About 1% leave each month, on the first cut of each four weeks; as many join.
        if week % 4 == 0 and week:
            for person in rng.sample(sorted(active), len(active) // 100):
                active.discard(person)
                run.left_at[person] = cut
                _mark_leaver(run, person)
                newcomer = len(department_of)
                department_of[newcomer] = department_of[person]
                active.add(newcomer)
        people = sorted(active)
        run.published_per_week.append(stories_this_week(week, rng))
        for _ in range(run.published_per_week[-1]):
            honorees = _honorees(rng, people, prolific, active)
            published_at = cut - timedelta(days=8) + timedelta(seconds=rng.randrange(7 * 86_400))
            readers = rng.randint(20, 400)
            applause = int(readers * min(1.0, rng.paretovariate(2.5) / 10))  # most low, a few high
            run.stories[next_story] = Candidate(
                story_id=next_story,
                published_at=published_at,
                happened_on=(published_at - timedelta(days=rng.randint(1, 900))).date(),
                applause=applause,
                readers=readers,
                pinned=rng.random() < 0.03,
                honoree_ids=honorees,
                honoree_departments=tuple(sorted({department_of[p] for p in honorees})),
                values=_values(rng),
            )
            next_story += 1
        for _ in range(promotion_weeks[week]):
            _promote(run, cut, rng, from_largest=rng.random() < 0.5)
        candidates = list(run.stories.values())
        if week in keep_inputs:
            run.inputs[week] = (candidates, list(run.history))
        selection = select_issue(cut, candidates, run.history, run.params)
        run.issues.append((cut, selection))
        for section, chosen in ((SECTION_NEW, selection.new), (SECTION_ALSO_NEW, selection.also_new),
                                (SECTION_CANON, selection.canon)):
            run.history.extend(
                Appearance(story_id, cut, section, run.stories[story_id].honoree_departments,
                           run.stories[story_id].values)
                for story_id in chosen
            )
    return run


def _values(rng: random.Random) -> tuple[str, ...]:
    """One to three values, some common and some rare: the rarest is in about one story in 150."""
    chosen = set(rng.choices(VALUES, weights=VALUE_WEIGHTS, k=rng.choice((1, 2, 2, 3))))
    return tuple(sorted(chosen))


def _honorees(rng: random.Random, people: list[int], prolific: list[int], active: set[int]) -> tuple[int, ...]:
    count = rng.choice((1, 1, 1, 2, 3))
    chosen = set(rng.sample(people, count))
    if rng.random() < 0.15:  # a prolific honoree in about one story in seven
        stars = [person for person in prolific if person in active]
        if stars:
            chosen.add(rng.choice(stars))
    return tuple(sorted(chosen))


def _promote(run: Run, cut: datetime, rng: random.Random, from_largest: bool) -> None:
    """HR promotes one of the most applauded stories published 2 to 12 weeks ago."""
    recent = [s for s in run.stories.values()
              if not s.in_canon and not s.any_honoree_left
              and cut - timedelta(weeks=12) <= s.published_at <= cut - timedelta(weeks=2)
              and (LARGEST in s.honoree_departments) is from_largest]
    if not recent:
        return
    recent.sort(key=lambda s: (-s.applause / max(s.readers, 1), s.story_id))
    chosen = rng.choice(recent[:5])
    run.stories[chosen.story_id] = replace(chosen, in_canon=True, canonized_at=cut - timedelta(days=1))


def _mark_leaver(run: Run, person: int) -> None:
    """As Storyboard does when someone leaves: their stories stop coming back, except canon
    stories, which become legacy (HR may switch that off, which nobody does here)."""
    for story_id, story in run.stories.items():
        if person in story.honoree_ids and not story.any_honoree_left:
            run.stories[story_id] = replace(story, any_honoree_left=True, legacy=story.in_canon or story.legacy)


# --- What the record shows ------------------------------------------------------------------------

def canon_stories(run: Run) -> list[Candidate]:
    return [story for story in run.stories.values() if story.in_canon]


def still_eligible(run: Run, story: Candidate) -> bool:
    """In the canon and allowed in the digest at the end of the run (honorees there, or legacy)."""
    return story.resurface and (story.legacy or not story.any_honoree_left)


def retellings(run: Run) -> Counter[int]:
    return Counter(appearance.story_id for appearance in run.history if appearance.section == SECTION_CANON)


def settled(run: Run, weeks: int = 64) -> list[Candidate]:
    """Canon stories still eligible that were promoted at least `weeks` before the end."""
    return [story for story in canon_stories(run)
            if still_eligible(run, story) and story.canonized_at <= run.end - timedelta(weeks=weeks)]


def shortest_gap(run: Run) -> timedelta:
    shown_at: dict[int, list[datetime]] = defaultdict(list)
    for appearance in run.history:
        shown_at[appearance.story_id].append(appearance.cut_at)
    gaps = [later - earlier for times in shown_at.values() for earlier, later in pairwise(sorted(times))]
    return min(gaps, default=timedelta.max)


def fairness_breaches(run: Run) -> list[str]:
    breaches = []
    for cut, selection in run.issues:
        issue = [run.stories[story_id] for story_id in selection.story_ids]
        honorees = Counter(h for story in issue for h in set(story.honoree_ids))
        departments = Counter(d for story in issue for d in set(story.honoree_departments))
        if max(honorees.values(), default=0) > run.params.max_per_honoree:
            breaches.append(f"{cut:%Y-%m-%d}: an honoree twice")
        if max(departments.values(), default=0) > run.params.max_per_department:
            breaches.append(f"{cut:%Y-%m-%d}: a department three times")
    return breaches


def could_be_new(run: Run, story: Candidate) -> bool:
    """Whether every honoree was still there when the story's week was cut (leavers' stories
    stay out of the digest unless they are legacy)."""
    cut = story.published_at + timedelta(days=8)
    return all(run.left_at.get(person, cut) >= cut for person in story.honoree_ids)


def quarters_missing_a_value(run: Run) -> list[tuple[int, str]]:
    """(quarter, value) where stories showing the value were published that quarter (13 weeks)
    yet no issue of the quarter (or the week after it) featured a story showing it."""
    missing = []
    for quarter in range(run.weeks // 13 - 1):  # the last quarter has no issue after it
        start = START + timedelta(weeks=13 * quarter)
        end = start + timedelta(weeks=13)
        published = {v for story in run.stories.values() if start <= story.published_at < end
                     and could_be_new(run, story) for v in story.values}
        # A story published in the quarter's last days is new in the next quarter's first issue.
        featured = {v for cut, selection in run.issues if start <= cut < end + timedelta(weeks=1)
                    for story_id in selection.story_ids for v in run.stories[story_id].values}
        missing += [(quarter, value) for value in sorted(published - featured)]
    return missing


def years_missing_a_department(run: Run) -> list[tuple[int, str]]:
    """(year, department) where two or more stories about the department were published that
    year (52 weeks) yet fewer than two issues of the year featured one. (A department with a
    single story cannot be featured twice: a story is new in one issue only.)"""
    missing = []
    for year in range(run.weeks // 52):
        start = START + timedelta(weeks=52 * year)
        end = start + timedelta(weeks=52)
        published = Counter(d for story in run.stories.values() if start <= story.published_at < end
                            for d in story.honoree_departments)
        issues_featuring: Counter[str] = Counter()
        for cut, selection in run.issues:
            if start <= cut < end:
                issues_featuring.update({d for story_id in selection.story_ids
                                         for d in run.stories[story_id].honoree_departments})
        missing += [(year, d) for d, count in sorted(published.items()) if count >= 2 and issues_featuring[d] < 2]
    return missing
