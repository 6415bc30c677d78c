"""Digest selection: the window, this week's ranking, fairness, parameters, determinism, and a
five-year run. The canon's ladder is in test_canon_ladder.py, coverage in test_selection_coverage.py."""
from __future__ import annotations

import random
import time
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from itertools import pairwise

import pytest

from storyboard.digest.selection import (
    SECTION_ALSO_NEW,
    SECTION_CANON,
    SECTION_NEW,
    Appearance,
    Candidate,
    SelectionParams,
    select_issue,
    wilson_lower_bound,
    window_bounds,
)
from tests.digest.selection_builders import (
    CUT,
    canon,
    fresh,
    ids,
    shown,
)

# --- Wilson ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("positive", "total", "expected"),
    [
        (2, 2, 0.3424),
        (1, 1, 0.2065),
        (90, 100, 0.8256),
        (0, 0, 0.0),
        (0, 10, 0.0),
        (12, 10, wilson_lower_bound(10, 10)),  # applause beyond readers counts as all readers
    ],
)
def test_wilson_lower_bound(positive, total, expected):
    assert wilson_lower_bound(positive, total) == pytest.approx(expected, abs=5e-5)


def test_small_samples_do_not_win():
    assert wilson_lower_bound(2, 2) < wilson_lower_bound(90, 100)


# --- This week's stories ----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("published_before_cut", "in_window"),
    [
        (timedelta(hours=23), False),  # still gathering readers
        (timedelta(hours=24), False),  # the window's end is out: [start, end)
        (timedelta(hours=25), True),
        (timedelta(days=8), True),  # exactly the window's start is in
        (timedelta(days=8, seconds=1), False),  # last week's window
    ],
)
def test_window_edges(published_before_cut, in_window):
    story = replace(fresh(1), published_at=CUT - published_before_cut)
    selection = select_issue(CUT, [story], [])
    assert (selection.new == (1,)) is in_window


def test_consecutive_windows_tile_time():
    start, end = window_bounds(CUT, SelectionParams())
    next_start, _ = window_bounds(CUT + timedelta(weeks=1), SelectionParams())
    assert (start, end, next_start) == (CUT - timedelta(days=8), CUT - timedelta(hours=24), end)


def test_pins_first_then_wilson_then_earlier_publication_then_id():
    stories = [
        fresh(1, applause=90, readers=100),
        fresh(2, applause=1, readers=50, pinned=True),
        fresh(3, applause=2, readers=2),  # 0.34: fewer readers, so below story 1
        fresh(4, applause=9, readers=10, hours_before=30),
        fresh(5, applause=9, readers=10, hours_before=40),  # same score, published earlier
        fresh(7, applause=0, readers=0),
        fresh(6, applause=0, readers=0),  # same score and time: the lower id first
    ]
    selection = select_issue(CUT, stories, [])
    assert selection.new == (2, 1, 5)
    assert selection.also_new == (4, 3, 6, 7)


def test_three_new_then_at_most_five_also_new():
    selection = select_issue(CUT, [fresh(i, applause=i, readers=20) for i in range(1, 11)], [])
    assert selection.new == (10, 9, 8)
    assert selection.also_new == (7, 6, 5, 4, 3)


def test_a_story_featured_before_is_not_new_again():
    selection = select_issue(CUT, [fresh(1), fresh(2)], [shown(1, 1, SECTION_ALSO_NEW)])
    assert selection.new == (2,)


def test_an_appearance_at_the_cut_listed_first_does_not_hide_older_ones():
    history = [Appearance(2, CUT, SECTION_NEW), shown(1, 1, SECTION_ALSO_NEW)]
    assert select_issue(CUT, [fresh(1), fresh(2)], history).new == (2,)


def test_history_at_or_after_the_cut_is_ignored_so_rebuilding_an_issue_is_stable():
    stories = [fresh(1), fresh(2), canon(3)]
    first = select_issue(CUT, stories, [])
    recorded = [Appearance(i, CUT, SECTION_NEW) for i in first.new] + [Appearance(3, CUT, SECTION_CANON)]
    assert select_issue(CUT, stories, recorded) == first



def test_one_story_per_honoree_across_the_whole_issue():
    stories = [
        fresh(1, applause=9, readers=10, person=7),
        fresh(2, applause=8, readers=10, person=7),
        fresh(3, applause=1, readers=10),
        canon(4, person=7),
        canon(5),
    ]
    selection = select_issue(CUT, stories, [])
    # The due canon story about person 7 takes their place first: their new stories wait.
    assert (selection.new, selection.also_new, set(selection.canon)) == ((3,), (), {4, 5})


def test_a_story_with_two_honorees_uses_both():
    both = replace(fresh(1, applause=9, readers=10), honoree_ids=(7, 8), honoree_departments=("a", "b"))
    selection = select_issue(CUT, [both, fresh(2, person=8), fresh(3, person=9)], [])
    assert selection.new == (1, 3)


def test_at_most_two_stories_per_department_across_the_whole_issue():
    stories = [
        fresh(1, applause=9, readers=10, department="Stores"),
        fresh(2, applause=8, readers=10, department="Stores"),
        fresh(3, applause=7, readers=10, department="Stores"),
        fresh(4, applause=6, readers=10),
        fresh(5, applause=5, readers=10, department="Stores"),
        canon(6, department="Stores"),
        canon(7),
    ]
    selection = select_issue(CUT, stories, [])
    # The due canon story from Stores uses one of its two places before this week's stories.
    assert (selection.new, selection.also_new, set(selection.canon)) == ((1, 4), (), {6, 7})


def test_a_due_canon_story_wins_the_department_over_a_new_story():
    stories = [
        fresh(1, applause=9, readers=10, department="Stores"),
        fresh(2, applause=8, readers=10, department="Stores"),
        canon(3, department="Stores", score=0.1),
        fresh(4, applause=1, readers=10),
    ]
    selection = select_issue(CUT, stories, [], SelectionParams(max_per_department=1))
    assert ids(selection) == ((4,), (), (3,))


@pytest.mark.parametrize("blank", ["", "   "])
def test_a_blank_department_is_no_department(blank):
    stories = [fresh(i, department=blank) for i in range(1, 5)]
    assert len(select_issue(CUT, stories, []).new) == 3


def test_a_story_is_never_in_an_issue_twice_even_when_the_limits_would_allow_it():
    stories = [fresh(i, applause=10 - i, readers=10) for i in range(1, 5)]
    params = SelectionParams(max_per_honoree=2, max_per_department=2)
    assert ids(select_issue(CUT, stories, [], params)) == ((1, 2, 3), (4,), ())


@pytest.mark.parametrize(
    ("overrides", "kept"),
    [
        ({}, True),
        ({"opted_out": True}, False),
        ({"status": "archived"}, False),
        ({"status": "rejected"}, False),
        ({"status": "submitted"}, False),
        ({"any_honoree_left": True}, False),
        ({"any_honoree_left": True, "legacy": True}, True),
        ({"legacy": True}, True),
        ({"held_back": True}, False),  # a curator swapped it out of this issue
    ],
)
def test_exclusions_apply_to_both_sections(overrides, kept):
    selection = select_issue(CUT, [fresh(1, **overrides), canon(2, **overrides)], [])
    assert ids(selection) == (((1,), (), (2,)) if kept else ((), (), ()))


def test_resurfacing_off_keeps_a_story_out_of_the_canon_only():
    selection = select_issue(CUT, [fresh(1, resurface=False), canon(2, resurface=False)], [])
    assert ids(selection) == ((1,), (), ())


def test_nothing_qualifies_means_no_issue():
    assert select_issue(CUT, [], []).is_empty
    stale = replace(fresh(1), published_at=CUT - timedelta(days=30))
    not_due = canon(2)
    selection = select_issue(CUT, [stale, not_due, fresh(3, opted_out=True)], [shown(2, 1)])
    assert selection.is_empty and selection.issue_key == "2026-06-15"
    assert not select_issue(CUT, [fresh(1)], []).is_empty


def test_a_candidate_given_twice_is_refused():
    with pytest.raises(ValueError, match="candidate twice"):
        select_issue(CUT, [fresh(1), fresh(1)], [])


def test_aware_times_mean_the_same_instant():
    naive = select_issue(CUT, [fresh(1), canon(2)], [])
    aware_story = replace(fresh(1), published_at=fresh(1).published_at.replace(tzinfo=UTC))
    assert select_issue(CUT.replace(tzinfo=UTC), [aware_story, canon(2)], []) == naive


def test_the_servers_own_time_zone_makes_no_difference(monkeypatch):
    # A cut given in Paris time on a server set to New York: the story published 25 hours
    # before (stored as naive UTC) is in the window, and the issue is keyed by the UTC date.
    paris = timezone(timedelta(hours=2))
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        cut = CUT.replace(tzinfo=UTC).astimezone(paris)
        assert select_issue(cut, [fresh(1, hours_before=25)], []).new == (1,)
        late = datetime(2026, 6, 15, 1, 0, tzinfo=paris)  # 23:00 UTC on the 14th
        assert select_issue(late, [], []).issue_key == "2026-06-14"
    finally:
        monkeypatch.undo()
        time.tzset()


# --- Parameters ---------------------------------------------------------------------------------

NEGATIVE = "Counts and limits cannot be negative."
WINDOW = "The window must be positive and its lag not negative."
LADDER = "The ladder needs at least one step, and every step must be positive."
GAPS = "The canon's minimum age and the gaps cannot be negative."


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"new_count": -1}, NEGATIVE),
        ({"also_new_max": -1}, NEGATIVE),
        ({"canon_count": -1}, NEGATIVE),
        ({"anniversary_days": -1}, NEGATIVE),
        ({"max_per_honoree": -1}, NEGATIVE),
        ({"max_per_department": -1}, NEGATIVE),
        ({"window": timedelta(0)}, WINDOW),
        ({"window": timedelta(days=-7)}, WINDOW),
        ({"window_lag": timedelta(seconds=-1)}, WINDOW),
        ({"canon_min_age": timedelta(seconds=-1)}, GAPS),
        ({"min_gap": timedelta(seconds=-1)}, GAPS),
        ({"catch_up": timedelta(seconds=-1)}, GAPS),
        ({"department_gap": timedelta(seconds=-1)}, GAPS),
        ({"value_gap": timedelta(seconds=-1)}, GAPS),
        ({"canon_count": 3, "canon_max": 2}, "The canon's maximum cannot be below its usual count."),
        ({"ladder_weeks": ()}, LADDER),
        ({"ladder_weeks": (4, 0, 16)}, LADDER),
        ({"ladder_weeks": (4, -8)}, LADDER),
        ({"ladder_cap_weeks": 0}, LADDER),
        ({"z": 0}, "z must be positive."),
        ({"z": -1.96}, "z must be positive."),
    ],
    ids=lambda value: "" if isinstance(value, str) else ",".join(f"{k}={v}" for k, v in value.items()),
)
def test_params_refuse_a_bad_value(overrides, message):
    with pytest.raises(ValueError) as refused:
        SelectionParams(**overrides)
    assert str(refused.value) == message


def test_params_accept_the_smallest_good_values():
    params = SelectionParams(
        new_count=0, also_new_max=0, canon_count=0, canon_max=0, min_gap=timedelta(0), anniversary_days=0,
        max_per_honoree=0,
        max_per_department=0, window=timedelta(seconds=1), window_lag=timedelta(0),
        canon_min_age=timedelta(0), ladder_weeks=(1,), ladder_cap_weeks=1, z=0.01,
    )
    assert select_issue(CUT, [fresh(1), canon(2)], [], params).is_empty


# --- Determinism --------------------------------------------------------------------------------

def test_the_same_input_in_any_order_gives_the_same_ids():
    stories = [fresh(i, applause=i % 3, readers=3, person=i % 7, department=f"d{i % 4}") for i in range(1, 16)]
    stories += [fresh(16, pinned=True), fresh(17, pinned=True)]
    stories += [canon(i, person=i % 5, department=f"d{i % 3}") for i in range(20, 35)]
    stories += [canon(40, happened_on=date(2022, 6, 14)), canon(41, happened_on=date(2022, 6, 16))]
    history = [shown(i, 4 + i % 5) for i in range(20, 28)] + [shown(9, 2, SECTION_NEW)]
    expected = select_issue(CUT, stories, history)
    assert not expected.is_empty and len(expected.canon) >= 2 and len(expected.new) == 3
    for seed in range(25):
        rng = random.Random(seed)
        shuffled_stories, shuffled_history = stories[:], history[:]
        rng.shuffle(shuffled_stories)
        rng.shuffle(shuffled_history)
        assert select_issue(CUT, shuffled_stories, shuffled_history) == expected


# --- Five years of a company ----------------------------------------------------------------------

def test_a_260_week_simulation_of_a_company():
    """300 people in 8 departments, about 5 new stories a week, 60 canon stories promoted over
    four years. Two canon slots a week carry about 100 stories once all are on the yearly step,
    but each newly promoted story takes 5 slots in its first 58 weeks, so ~100 promotions in five
    years is more than the slots hold; 60 keeps the ladder on time."""
    rng = random.Random(20261123)
    weeks, people = 260, 300
    departments = {person: f"dept-{person % 8}" for person in range(people)}
    start = datetime(2021, 1, 4, 7, 0)
    end = start + timedelta(weeks=weeks - 1)
    stories: dict[int, Candidate] = {}
    history: list[Appearance] = []
    # One promotion every 3.4 weeks or so, from week 4 to week 208.
    promotions = [4 + (204 * n) // 60 for n in range(60)]
    next_id, full_issues = 1, 0
    for week in range(weeks):
        cut = start + timedelta(weeks=week)
        for _ in range(rng.randint(3, 7)):
            honorees = tuple(rng.sample(range(people), rng.choice((1, 1, 1, 2))))
            published_at = cut - timedelta(days=8) + timedelta(seconds=rng.randrange(7 * 86_400))
            readers = rng.randint(0, 200)
            stories[next_id] = Candidate(
                story_id=next_id,
                published_at=published_at,
                happened_on=(published_at - timedelta(days=rng.randint(1, 700))).date(),
                applause=rng.randint(0, readers),
                readers=readers,
                pinned=rng.random() < 0.05,
                honoree_ids=honorees,
                honoree_departments=tuple(departments[p] for p in honorees),
            )
            next_id += 1
        older = sorted(s.story_id for s in stories.values()
                       if not s.in_canon and s.published_at < cut - timedelta(weeks=2))
        for story_id in rng.sample(older, promotions.count(week)):
            stories[story_id] = replace(stories[story_id], in_canon=True, canonized_at=cut - timedelta(days=1))
        selection = select_issue(cut, list(stories.values()), history)
        for section, chosen in ((SECTION_NEW, selection.new), (SECTION_ALSO_NEW, selection.also_new),
                                (SECTION_CANON, selection.canon)):
            history.extend(Appearance(story_id, cut, section) for story_id in chosen)
        issue = [stories[i] for i in selection.story_ids]
        honorees = Counter(h for story in issue for h in set(story.honoree_ids))
        per_department = Counter(d for story in issue for d in set(story.honoree_departments))
        assert max(honorees.values(), default=0) <= 1, week
        assert max(per_department.values(), default=0) <= 2, week
        assert len(selection.new) <= 3 and len(selection.also_new) <= 5 and len(selection.canon) <= 5
        assert len(selection.story_ids) == len(set(selection.story_ids))
        full_issues += len(selection.new) == 3

    assert full_issues >= weeks * 0.9
    shown_at: dict[int, list[datetime]] = defaultdict(list)
    for appearance in history:
        shown_at[appearance.story_id].append(appearance.cut_at)
    for times in shown_at.values():
        assert all(later - earlier >= timedelta(weeks=4) for earlier, later in pairwise(times))

    canon_stories = [s for s in stories.values() if s.in_canon]
    assert len(canon_stories) == 60
    resurfaced = Counter(a.story_id for a in history if a.section == SECTION_CANON)
    # The ladder itself puts the fifth showing 58 weeks after promotion (4 + 4 + 8 + 16 + 26).
    settled = [s for s in canon_stories if s.canonized_at <= end - timedelta(weeks=64)]
    assert len(settled) >= 40
    assert min(resurfaced[s.story_id] for s in settled) >= 5
    assert all(resurfaced[s.story_id] >= 1 for s in canon_stories if s.canonized_at <= end - timedelta(weeks=5))


def test_a_pinned_story_from_the_day_before_the_cut_goes_in_and_an_unpinned_one_waits():
    """The window closes 24 hours before the cut; a curator's pin takes a later story in now."""
    candidates = [fresh(1, hours_before=72), fresh(2, hours_before=12, pinned=True), fresh(3, hours_before=12),
                  fresh(4, hours_before=0, pinned=True)]  # published at the cut itself: not before it
    selection = select_issue(CUT, candidates, [])
    assert selection.new == (2, 1)
    assert 3 not in selection.story_ids and 4 not in selection.story_ids
    # The unpinned one is next week's: a week later it is in that window.
    assert 3 in select_issue(CUT + timedelta(weeks=1), candidates, []).story_ids
