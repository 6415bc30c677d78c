"""The canon section: the ladder's schedule, late and early showings, ranking, anniversaries and
how far the section grows."""

from dataclasses import replace
from datetime import date, timedelta

import pytest

from storyboard.digest.selection import (
    SECTION_CANON,
    SECTION_NEW,
    Appearance,
    SelectionParams,
    canon_schedule,
    is_anniversary,
    select_issue,
)
from tests.digest.selection_builders import (
    CUT,
    canon,
    eligible_weeks_before,
    fresh,
    on_schedule,
    sha256,
    shown,
)


@pytest.mark.parametrize(
    ("showings", "weeks_since_eligible", "due"),
    [
        (0, 0, True),  # eligible at the cut, never shown: due
        (1, 3, False),
        (1, 4, True),  # the ladder: 4 weeks
        (2, 11, False),
        (2, 12, True),  # then 8
        (3, 27, False),
        (3, 28, True),  # then 16
        (4, 53, False),
        (4, 54, True),  # then 26
        (5, 105, False),
        (5, 106, True),  # then yearly
        (9, 313, False),
        (9, 314, True),  # yearly forever
    ],
)
def test_the_ladders_schedule(showings, weeks_since_eligible, due):
    story = eligible_weeks_before(weeks_since_eligible)
    selection = select_issue(CUT, [story], on_schedule(1, weeks_since_eligible, showings))
    assert (selection.canon == (1,)) is due


@pytest.mark.parametrize(("weeks_since_eligible", "due"), [(13, False), (14, True)])
def test_a_late_first_showing_brings_the_second_four_weeks_later(weeks_since_eligible, due):
    # Shown first 10 weeks late: its second showing (scheduled 4 weeks after eligibility) is
    # already due, but never within four weeks of the first.
    history = [shown(1, weeks_since_eligible - 10)]
    selection = select_issue(CUT, [eligible_weeks_before(weeks_since_eligible)], history)
    assert (selection.canon == (1,)) is due


@pytest.mark.parametrize(("weeks_since_eligible", "due"), [(17, False), (18, True), (28, True)])
def test_a_late_showing_does_not_push_the_later_ones_back(weeks_since_eligible, due):
    # Shown 10 weeks late and again 4 weeks after that, the third showing keeps its scheduled
    # date (12 weeks after eligibility), so it is due as soon as four weeks have passed (at 18),
    # not 8 weeks after the late second showing (at 22).
    history = [shown(1, weeks_since_eligible - 10), shown(1, weeks_since_eligible - 14)]
    selection = select_issue(CUT, [eligible_weeks_before(weeks_since_eligible)], history)
    assert (selection.canon == (1,)) is due


@pytest.mark.parametrize(
    ("story", "due"),
    [
        (canon(1, canonized_days_before=27), False),
        (canon(1, canonized_days_before=28), True),
        # Without a canonization time the publication time counts.
        (replace(canon(1), canonized_at=None, published_at=CUT - timedelta(days=27)), False),
        (replace(canon(1), canonized_at=None, published_at=CUT - timedelta(days=28)), True),
    ],
)
def test_canon_stories_are_at_least_28_days_old(story, due):
    assert (select_issue(CUT, [story], []).canon == (1,)) is due


@pytest.mark.parametrize(("hours_early", "due"), [(1, True), (11, True), (12, True), (13, False)])
def test_a_clock_change_does_not_push_a_due_story_back_a_week(hours_early, due):
    # After the clocks go forward, a 07:00 local cut comes an hour earlier in UTC than the
    # step it was counted from.
    cut = CUT - timedelta(hours=hours_early)
    selection = select_issue(cut, [eligible_weeks_before(4)], on_schedule(1, 4, 1))
    assert (selection.canon == (1,)) is due


def test_a_new_appearance_keeps_the_first_interval_before_the_canon():
    story = canon(1, canonized_days_before=30)
    assert select_issue(CUT, [story], [shown(1, 3, SECTION_NEW)]).canon == ()
    assert select_issue(CUT, [story], [shown(1, 4, SECTION_NEW)]).canon == (1,)



def test_most_overdue_relative_to_interval_then_lifetime_score():
    stories = [
        eligible_weeks_before(14, 1, score=0.8),  # shown twice on time; 2 weeks late on an 8-week step: 0.25
        eligible_weeks_before(6, 2, score=0.1),  # shown once on time; 2 weeks late on a 4-week step: 0.5
        eligible_weeks_before(119, 3, score=0.9),  # on the yearly step, 13 weeks late: 0.25, a higher score than 1
    ]
    # Only the lifetime score puts 3 before 1: the issue's hash and the ids both put 1 first,
    # and without a lifetime score both would fall back to the same Wilson bound (no applause).
    assert sha256("2026-06-15:1") < sha256("2026-06-15:3")
    history = on_schedule(1, 14, 2) + on_schedule(2, 6, 1) + on_schedule(3, 119, 5)
    params = SelectionParams(canon_count=3)
    assert select_issue(CUT, stories, history, params).canon == (2, 3, 1)


def test_without_a_lifetime_score_the_wilson_bound_with_the_issues_z_decides():
    stories = [
        canon(1, score=None, applause=2, readers=2),  # 0.34 at z=1.96, 0.995 at z=0.1
        canon(3, score=None, applause=60, readers=100),  # 0.50 at z=1.96, 0.595 at z=0.1
    ]
    assert sha256("2026-06-15:1") < sha256("2026-06-15:3")  # the hash alone would put 1 first
    assert select_issue(CUT, stories, [], SelectionParams(canon_count=2)).canon == (3, 1)
    assert select_issue(CUT, stories, [], SelectionParams(canon_count=2, z=0.1)).canon == (1, 3)


def test_a_lifetime_score_given_wins_over_applause():
    stories = [canon(1, score=0.1, applause=100, readers=100), canon(3, score=0.9, applause=0, readers=100)]
    assert select_issue(CUT, stories, [], SelectionParams(canon_count=2)).canon == (3, 1)


def test_this_weeks_ranking_uses_the_issues_z():
    stories = [fresh(1, applause=60, readers=100), fresh(2, applause=2, readers=2)]
    assert select_issue(CUT, stories, []).new == (1, 2)
    assert select_issue(CUT, stories, [], SelectionParams(z=0.1)).new == (2, 1)


def test_a_story_due_later_within_the_slack_is_no_more_overdue_than_one_due_now():
    due_now = eligible_weeks_before(4, 1, score=0.9)
    eligible_at = CUT - timedelta(weeks=4) + timedelta(hours=1)  # its second showing is due 1 h after the cut
    due_soon = replace(canon(3, score=0.1), canonized_at=eligible_at - timedelta(days=28))
    history = on_schedule(1, 4, 1) + [Appearance(3, eligible_at, SECTION_CANON)]
    assert select_issue(CUT, [due_now, due_soon], history, SelectionParams(canon_count=2)).canon == (1, 3)


def test_overdue_ratios_count_every_second():
    # 7.5 days over a 4-week step and 15 days over an 8-week step: exactly the same ratio, so the
    # lifetime score decides.
    first = replace(canon(1, score=0.9), canonized_at=CUT - timedelta(weeks=4, days=7 + 28, hours=12))
    second = replace(canon(3, score=0.1), canonized_at=CUT - timedelta(weeks=12, days=15 + 28))
    history = [
        Appearance(1, first.canonized_at + timedelta(days=28), SECTION_CANON),
        Appearance(3, second.canonized_at + timedelta(days=28), SECTION_CANON),
        Appearance(3, second.canonized_at + timedelta(days=28, weeks=4), SECTION_CANON),
    ]
    assert select_issue(CUT, [first, second], history, SelectionParams(canon_count=2)).canon == (1, 3)


def test_full_ties_break_on_a_stable_hash_of_the_issue_and_story():
    stories = [canon(i) for i in range(1, 9)]
    params = SelectionParams(canon_count=8, canon_max=8)
    for cut in (CUT, CUT + timedelta(weeks=1)):
        key = cut.date().isoformat()
        expected = tuple(sorted(range(1, 9), key=lambda i: sha256(f"{key}:{i}")))
        assert select_issue(cut, stories, [], params).canon == expected
    assert select_issue(CUT, stories, [], params) != select_issue(CUT + timedelta(weeks=1), stories, [], params)


@pytest.mark.parametrize(
    ("happened_on", "on", "expected"),
    [
        (date(2019, 6, 15), date(2026, 6, 15), True),
        (date(2019, 6, 12), date(2026, 6, 15), True),
        (date(2019, 6, 18), date(2026, 6, 15), True),
        (date(2019, 6, 11), date(2026, 6, 15), False),
        (date(2019, 6, 19), date(2026, 6, 15), False),
        (date(2019, 12, 30), date(2026, 1, 2), True),  # across New Year
        (date(2019, 1, 2), date(2025, 12, 30), True),
        (date(2024, 2, 29), date(2025, 2, 28), True),  # 29 February in a common year
        (date(2024, 2, 29), date(2025, 3, 3), True),
        (date(2024, 2, 29), date(2025, 3, 4), False),
        (date(2024, 2, 29), date(2028, 2, 29), True),
        (date(2026, 6, 14), date(2026, 6, 15), False),  # not a year old: no anniversary yet
        (None, date(2026, 6, 15), False),
    ],
)
def test_anniversaries(happened_on, on, expected):
    assert is_anniversary(happened_on, on, 3) is expected


def test_anniversaries_come_first():
    stories = [
        canon(1, score=0.9),  # never shown since it became canon long ago: most overdue
        canon(2, score=0.1, happened_on=date(2021, 6, 17), canonized_days_before=30),
    ]
    assert select_issue(CUT, stories, [], SelectionParams(canon_count=1, canon_max=1)).canon == (2,)
    # Both are due, so with room to grow the section carries both, the anniversary first.
    assert select_issue(CUT, stories, [], SelectionParams(canon_count=1, canon_max=2)).canon == (2, 1)


def test_the_canon_grows_up_to_its_maximum_when_more_stories_are_due():
    never_shown = [canon(i, canonized_days_before=40 + i) for i in range(1, 8)]  # all due, 7 of them
    not_yet = canon(20, canonized_days_before=27)
    params = SelectionParams(canon_count=2, canon_max=5)
    # The five latest against their schedule (the earliest promoted) fill the grown section.
    assert select_issue(CUT, [*never_shown, not_yet], [], params).canon == (7, 6, 5, 4, 3)
    # With only one due, the section keeps its usual size: no story comes early to fill it.
    assert select_issue(CUT, [never_shown[0], not_yet], [], params).canon == (1,)


def test_a_canon_count_of_zero_switches_the_canon_off():
    stories = [canon(n) for n in range(1, 5)]
    assert select_issue(CUT, stories, [], SelectionParams(canon_count=0)).canon == ()


def test_a_story_back_after_a_long_time_away_comes_once_then_keeps_its_schedule():
    # Promoted three years ago, never retold (its resurfacing was off): it comes back now, and
    # next on its yearly step, not every four weeks until it has made up the showings it missed.
    story = eligible_weeks_before(156)
    history = []
    for week in range(0, 40):
        cut = CUT + timedelta(weeks=week)
        if select_issue(cut, [story], history).canon == (1,):
            history.append(Appearance(1, cut, SECTION_CANON))
    # The next point on its yearly step falls two weeks after its return: four weeks after it.
    assert [round((a.cut_at - CUT) / timedelta(weeks=1)) for a in history] == [0, 4]


@pytest.mark.parametrize(("late", "steps_skipped"), [
    (timedelta(weeks=13), 0),  # exactly the catch-up limit late: still caught up
    (timedelta(weeks=13, seconds=1), 1),  # a second more: that showing is skipped
])
def test_a_showing_is_caught_up_until_thirteen_weeks_late(late, steps_skipped):
    # Shown once when eligible; its second showing (4 weeks on) is `late` overdue at the cut.
    eligible_at = CUT - timedelta(weeks=4) - late
    story = replace(canon(1, score=0.5), canonized_at=eligible_at - timedelta(days=28))
    schedule = canon_schedule(story, [eligible_at], eligible_at, CUT, SelectionParams())
    assert schedule[3] == 1 + steps_skipped


def test_a_skipped_showing_needs_a_later_one_already_due_to_skip_to():
    # 30 weeks behind its second showing, but its third (12 weeks after eligibility) falls
    # exactly at the cut: skipping to it is allowed, to the fourth (28 weeks) not.
    eligible_at = CUT - timedelta(weeks=12)
    story = replace(canon(1), canonized_at=eligible_at - timedelta(days=28))
    assert canon_schedule(story, [], None, CUT, SelectionParams(catch_up=timedelta(0)))[3] == 2


def test_the_last_canon_showing_counts_whatever_order_the_history_comes_in():
    # Shown on time when eligible 14 weeks ago, and 8 weeks late 2 weeks ago: its third showing
    # is due by the schedule now, but two weeks after the last is too soon.
    story = eligible_weeks_before(14)
    assert select_issue(CUT, [story], [shown(1, 14), shown(1, 2)]).canon == ()
    assert select_issue(CUT, [story], [shown(1, 2), shown(1, 14)]).canon == ()  # the later listed first
    assert select_issue(CUT + timedelta(weeks=2), [story], [shown(1, 2), shown(1, 14)]).canon == (1,)
