"""Retelling that keeps its promise at real volume: five harsh years through the real selection.

tests/digest/folklore.py builds the company (about 2,000 people, 12 departments, 5 to 40
stories a week with peaks, skewed applause, prolific honorees, monthly leavers, 120 canon
promotions half from the largest department) and reads the record of every issue.
"""
from __future__ import annotations

import random
from datetime import timedelta

import pytest

from storyboard.digest.selection import select_issue
from tests.digest import folklore

SHUFFLED_WEEKS = (60, 170, 259)


@pytest.fixture(scope="module")
def run() -> folklore.Run:
    return folklore.simulate(keep_inputs=frozenset(SHUFFLED_WEEKS))


def test_the_company_is_as_harsh_as_described(run):
    per_week = run.published_per_week
    assert len(per_week) == 260 and min(per_week) >= 5 and max(per_week) == 40
    assert sum(per_week) == len(run.stories) >= 4000
    canon = folklore.canon_stories(run)
    assert len(canon) == 120
    assert sum(folklore.LARGEST in story.honoree_departments for story in canon) >= 55
    assert len(run.left_at) >= 1000  # about 1% of 2,000 a month for five years


def test_leavers_canon_stories_stay_in_the_digest_as_legacy(run):
    canon = folklore.canon_stories(run)
    assert sum(story.any_honoree_left for story in canon) >= 40
    assert all(folklore.still_eligible(run, story) for story in canon)


def test_every_settled_canon_story_is_retold_at_least_five_times(run):
    settled = folklore.settled(run)
    assert len(settled) >= 95
    told = folklore.retellings(run)
    assert min(told[story.story_id] for story in settled) >= 5


def test_no_story_is_shown_twice_within_four_weeks(run):
    assert folklore.shortest_gap(run) >= timedelta(weeks=4)


def test_one_story_per_honoree_and_two_per_department_in_every_issue(run):
    assert folklore.fairness_breaches(run) == []


def test_the_canon_section_grows_only_as_far_as_allowed(run):
    assert max(len(selection.canon) for _, selection in run.issues) <= run.params.canon_max
    assert any(len(selection.canon) > run.params.canon_count for _, selection in run.issues)


def test_the_values_are_as_uneven_as_in_a_real_company(run):
    shown = [value for story in run.stories.values() for value in story.values]
    rarest = min(shown.count(value) for value in folklore.VALUES)
    assert rarest * 50 < len(run.stories)  # the rarest value is in under 2% of stories


def test_every_value_with_stories_is_featured_every_quarter(run):
    assert folklore.quarters_missing_a_value(run) == []


def test_every_department_with_stories_is_featured_at_least_twice_a_year(run):
    assert folklore.years_missing_a_department(run) == []


@pytest.mark.parametrize("week", SHUFFLED_WEEKS)
def test_shuffled_input_gives_the_same_issue(run, week):
    cut, expected = run.issues[week]
    candidates, history = (list(items) for items in run.inputs[week])
    rng = random.Random(week)
    rng.shuffle(candidates)
    rng.shuffle(history)
    assert select_issue(cut, candidates, history, run.params) == expected
