"""Pure helpers the selection ranks with: a confidence bound on applause, a stable tie-breaker,
and anniversaries."""
from __future__ import annotations

import hashlib
import math
from datetime import date


def wilson_lower_bound(positive: int, total: int, z: float = 1.96) -> float:
    """The lower bound of the Wilson score interval for positive/total; 0 when total is 0."""
    if total <= 0:
        return 0.0
    # Applause from someone not counted as a reader must not push the ratio past 1.
    positive = min(max(positive, 0), total)
    phat = positive / total
    z2 = z * z
    centre = phat + z2 / (2 * total)
    margin = z * math.sqrt((phat * (1 - phat) + z2 / (4 * total)) / total)
    return max(0.0, (centre - margin) / (1 + z2 / total))


def stable_hash(issue_key: str, story_id: int) -> str:
    """A tie-breaker that differs per issue yet never per process (unlike Python's hash())."""
    return hashlib.sha256(f"{issue_key}:{story_id}".encode()).hexdigest()


def is_anniversary(happened_on: date | None, on: date, days: int) -> bool:
    """True when a later anniversary of `happened_on` falls within `days` of `on`.

    A 29 February story has its anniversary on 28 February in other years; the years either
    side of `on` are checked so that anniversaries across New Year count.
    """
    if happened_on is None:
        return False
    for year in (on.year - 1, on.year, on.year + 1):
        if year <= happened_on.year:
            continue
        try:
            anniversary = happened_on.replace(year=year)
        except ValueError:  # 29 February in a common year
            anniversary = date(year, 2, 28)
        if abs((anniversary - on).days) <= days:
            return True
    return False
