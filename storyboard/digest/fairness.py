"""The whole issue's fairness budget (stories per honoree and per department), and what a story
features. Pure, like the selection that uses it: no clock, no database."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Protocol


class Candidate(Protocol):
    """What the budget reads of a selection.Candidate (named here to keep the import one-way)."""

    story_id: int
    honoree_ids: tuple[int, ...]
    honoree_departments: tuple[str, ...]


class Fairness:
    """The whole issue's budget: stories per honoree and per department."""

    def __init__(self, max_per_honoree: int, max_per_department: int) -> None:
        self._max_per_honoree, self._max_per_department = max_per_honoree, max_per_department
        self._honorees: Counter[int] = Counter()
        self._departments: Counter[str] = Counter()
        self._chosen: set[int] = set()

    def take(self, ranked: list[Candidate], limit: int) -> tuple[int, ...]:
        """The first `limit` stories of `ranked` that fit the budget, which they then use."""
        taken: list[int] = []
        for candidate in ranked:
            if len(taken) >= limit:
                break
            if candidate.story_id in self._chosen or not self._fits(candidate):
                continue
            self._use(candidate)
            taken.append(candidate.story_id)
        return tuple(taken)

    def _fits(self, candidate: Candidate) -> bool:
        honorees, departments = _people(candidate)
        if any(self._honorees[h] >= self._max_per_honoree for h in honorees):
            return False
        return all(self._departments[d] < self._max_per_department for d in departments)

    def _use(self, candidate: Candidate) -> None:
        honorees, departments = _people(candidate)
        self._chosen.add(candidate.story_id)
        self._honorees.update(honorees)
        self._departments.update(departments)


def featured_keys(departments: Iterable[str], values: Iterable[str]) -> set[tuple[str, str]]:
    """What a story features, as ("department", name) and ("value", slug) keys."""
    return ({("department", d.strip()) for d in departments if d and d.strip()}
            | {("value", v) for v in values if v})


def _people(candidate: Candidate) -> tuple[set[int], set[str]]:
    """A story's distinct honorees and named departments; a blank department is no department."""
    departments = {d.strip() for d in candidate.honoree_departments if d and d.strip()}
    return set(candidate.honoree_ids), departments
