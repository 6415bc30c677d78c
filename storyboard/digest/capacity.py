"""Whether the canon's room keeps up with HR's promotions: pure, like the selection.

Counts the canon showings that fall due over the coming cuts if every due story were shown on
time, against the usual slots (DIGEST_CANON_COUNT an issue) and the most the section may grow
to (DIGEST_CANON_MAX). More due than the most means some will be late: HR should promote less
often, or let older canon stories go (resurfacing off), until the canon fits again.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from storyboard.digest.selection import (
    SECTION_CANON,
    Appearance,
    Candidate,
    SelectionParams,
    canon_schedule,
    is_due,
)


@dataclass(frozen=True)
class CanonCapacity:
    issues: int  # how many coming cuts were counted
    due: int  # canon showings falling due over them
    usual: int  # DIGEST_CANON_COUNT slots an issue
    most: int  # DIGEST_CANON_MAX slots an issue

    @property
    def grows(self) -> bool:
        """The section will carry more than its usual count in some issues."""
        return self.due > self.usual

    @property
    def outrun(self) -> bool:
        """More is due than the section can carry even at its largest: some showings will be late."""
        return self.due > self.most


def canon_capacity(cuts: list[datetime], candidates: Iterable[Candidate], history: Iterable[Appearance],
                   params: SelectionParams) -> CanonCapacity:
    """Canon demand over `cuts` (in order), each due story counted as shown at the cut it falls due."""
    showings: Counter[int] = Counter()
    last: dict[int, datetime] = {}
    for appearance in history:
        if appearance.section == SECTION_CANON:
            showings[appearance.story_id] += 1
        last[appearance.story_id] = max(appearance.cut_at, last.get(appearance.story_id, appearance.cut_at))
    due = 0
    for candidate in candidates:
        shown, seen = showings[candidate.story_id], last.get(candidate.story_id)
        for cut in cuts:
            schedule = canon_schedule(candidate, shown, seen, params)
            if schedule is None:
                break
            if is_due(cut, schedule[0], schedule[2]):
                due, shown, seen = due + 1, shown + 1, cut
    return CanonCapacity(issues=len(cuts), due=due, usual=len(cuts) * params.canon_count,
                         most=len(cuts) * params.canon_max)
