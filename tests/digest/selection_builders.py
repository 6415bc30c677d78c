"""Candidates and history for the selection tests: this week's stories, canon stories on
the ladder, and past issues."""

import hashlib
from datetime import date, datetime, timedelta

from storyboard.digest.selection import (
    SECTION_CANON,
    SECTION_NEW,
    Appearance,
    Candidate,
)

CUT = datetime(2026, 6, 15, 7, 0)  # a Monday, 07:00 UTC
LONG_AGO = CUT - timedelta(days=400)


def fresh(story_id, *, hours_before=48, applause=0, readers=0, person=None, department=None, **overrides):
    """A story published `hours_before` the cut, about one person in their own department."""
    person = story_id if person is None else person
    department = f"dept-{story_id}" if department is None else department
    return Candidate(
        story_id=story_id,
        published_at=CUT - timedelta(hours=hours_before),
        happened_on=date(2026, 1, 10),
        applause=applause,
        readers=readers,
        honoree_ids=(person,),
        honoree_departments=(department,),
        **overrides,
    )


def canon(story_id, *, canonized_days_before=200, happened_on=date(2020, 1, 10), score=0.5, person=None,
          department=None, **overrides):
    """A canon story canonized `canonized_days_before` the cut."""
    person = 1000 + story_id if person is None else person
    department = f"canon-dept-{story_id}" if department is None else department
    return Candidate(
        story_id=story_id,
        published_at=LONG_AGO,
        happened_on=happened_on,
        in_canon=True,
        canonized_at=CUT - timedelta(days=canonized_days_before),
        honoree_ids=(person,),
        honoree_departments=(department,),
        lifetime_score=score,
        **overrides,
    )


def shown(story_id, weeks_before, section=SECTION_CANON):
    return Appearance(story_id=story_id, cut_at=CUT - timedelta(weeks=weeks_before), section=section)


def ids(selection):
    return (selection.new, selection.also_new, selection.canon)



def eligible_weeks_before(weeks: float, story_id: int = 1, **overrides) -> Candidate:
    """A canon story that became eligible (28 days after its promotion) `weeks` before the cut."""
    return canon(story_id, canonized_days_before=weeks * 7 + 28, **overrides)


def on_schedule(story_id: int, eligible_weeks: int, showings: int) -> list[Appearance]:
    """`showings` canon appearances, each exactly when the ladder put it: the eligibility date,
    then 4, 8, 16 and 26 weeks apart, then every 52 weeks."""
    offsets = [0, 4, 12, 28, 54] + [54 + 52 * n for n in range(1, 20)]
    return [shown(story_id, eligible_weeks - offsets[n]) for n in range(showings)]



def sha256(text):
    return hashlib.sha256(text.encode()).hexdigest()



def featured(story_id, weeks_before, *, departments=(), values=()):
    return Appearance(story_id, CUT - timedelta(weeks=weeks_before), SECTION_NEW, departments, values)


def seen_last_week(*stories):
    """An appearance last week featuring every department of `stories` (so none is overlooked)."""
    return featured(999, 1, departments=tuple(d for story in stories for d in story.honoree_departments))


def busy_week(rare_value="patience"):
    """Eight strong stories, and a weak one showing a value otherwise seldom seen."""
    stories = [fresh(i, applause=90 - i, readers=100, values=("courtesy",)) for i in range(1, 9)]
    return stories + [fresh(9, applause=1, readers=100, values=(rare_value,))]

