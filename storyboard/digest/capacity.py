"""Whether the canon's room keeps up with HR's promotions: pure, like the selection.

Runs the real selection forward over the coming cuts with the canon stories alone, as if each
issue went out as chosen, and counts what it shows, how often the section grows past its usual
size (DIGEST_CANON_COUNT), and how many due showings wait a week or more because the section is
full or the honoree and department places are taken. Any waiting means promotions outrun the
room: HR should promote less often, or let older canon stories go (resurfacing off).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from storyboard.digest.selection import (
    SECTION_CANON,
    Appearance,
    Candidate,
    SelectionParams,
    canon_schedule,
    is_due,
    select_issue,
)


@dataclass(frozen=True)
class CanonCapacity:
    issues: int  # how many coming cuts were counted
    shown: int  # canon showings the section carries over them
    grown: int  # issues whose canon section is larger than usual
    waiting: int  # due showings left for a later issue (a story waiting two weeks counts twice)
    usual: int  # DIGEST_CANON_COUNT an issue
    most: int = 0  # DIGEST_CANON_MAX: how far the section may grow in one issue

    @property
    def outrun(self) -> bool:
        """Some canon stories will come late: more is due than the section can carry."""
        return self.waiting > 0


def canon_capacity(cuts: list[datetime], candidates: Iterable[Candidate], history: Iterable[Appearance],
                   params: SelectionParams) -> CanonCapacity:
    """The canon's room over `cuts` (in order). Held-back stories are back after the first cut."""
    canon = [candidate for candidate in candidates if candidate.in_canon]
    projected = list(history)
    shown = grown = waiting = 0
    for number, cut in enumerate(cuts):
        week = canon if number == 0 else [replace(candidate, held_back=False) for candidate in canon]
        due = len(_due(week, projected, cut, params))
        chosen = select_issue(cut, week, projected, params).canon
        shown += len(chosen)
        grown += len(chosen) > params.canon_count
        waiting += due - len(chosen)  # the selection only ever chooses due stories
        by_id = {candidate.story_id: candidate for candidate in week}
        projected += [Appearance(story_id, cut, SECTION_CANON, by_id[story_id].honoree_departments,
                                 by_id[story_id].values) for story_id in chosen]
    return CanonCapacity(issues=len(cuts), shown=shown, grown=grown, waiting=waiting,
                         usual=params.canon_count, most=params.canon_count and params.canon_max)


def _due(canon: list[Candidate], history: list[Appearance], cut: datetime, params: SelectionParams) -> list[int]:
    shown_at: dict[int, list[datetime]] = defaultdict(list)
    last: dict[int, datetime] = {}
    for appearance in history:
        if appearance.cut_at < cut:
            last[appearance.story_id] = max(appearance.cut_at, last.get(appearance.story_id, appearance.cut_at))
            if appearance.section == SECTION_CANON:
                shown_at[appearance.story_id].append(appearance.cut_at)
    due = []
    for candidate in canon:
        schedule = canon_schedule(candidate, sorted(shown_at[candidate.story_id]), last.get(candidate.story_id),
                                  cut, params)
        if schedule is not None and is_due(cut, schedule[0], schedule[2]):
            due.append(candidate.story_id)
    return due
