"""Values and departments not featured for weeks: one of this week's stories about them takes
its place first."""


import pytest

from storyboard.digest.selection import (
    select_issue,
)
from tests.digest.selection_builders import (
    CUT,
    busy_week,
    featured,
    fresh,
    seen_last_week,
)


@pytest.mark.parametrize(("weeks_unseen", "kept"), [(7, False), (8, True), (30, True)])
def test_a_value_unseen_for_eight_weeks_gets_a_place(weeks_unseen, kept):
    stories = busy_week()
    history = [featured(100, 40, values=("courtesy", "patience")), featured(101, weeks_unseen, values=("patience",)),
               featured(102, 1, values=("courtesy",)), seen_last_week(*stories)]
    selection = select_issue(CUT, stories, history)
    assert selection.new == (1, 2, 3)
    assert (9 in selection.also_new) is kept
    assert len(selection.also_new) == 5
    if kept:
        assert selection.also_new[0] == 9  # its place is kept before the week's other titles


@pytest.mark.parametrize(("weeks_unseen", "kept"), [(11, False), (12, True)])
def test_a_department_unseen_for_twelve_weeks_gets_a_place(weeks_unseen, kept):
    stories = [fresh(i, applause=90 - i, readers=100, department="Stores") for i in range(1, 3)]
    stories += [fresh(i, applause=90 - i, readers=100) for i in range(3, 9)]
    night = fresh(9, applause=1, readers=100, department="Night shift")
    history = [featured(100, 40, departments=("Night shift",)),
               featured(101, weeks_unseen, departments=("Night shift",)), seen_last_week(*stories)]
    assert (9 in select_issue(CUT, [*stories, night], history).also_new) is kept


def test_only_one_overlooked_story_a_week_jumps_the_queue():
    stories = busy_week() + [fresh(10, applause=0, readers=100, values=("patience",)),
                             fresh(11, applause=0, readers=100, values=("grit",))]
    history = [featured(100, 40, values=("patience", "grit", "courtesy")), featured(102, 1, values=("courtesy",)),
               seen_last_week(*stories)]
    selection = select_issue(CUT, stories, history)
    assert selection.also_new[0] == 9 and not {10, 11} & set(selection.also_new)


def test_an_overlooked_story_that_ranks_among_the_best_stays_among_them():
    stories = busy_week()[:2] + [fresh(9, applause=95, readers=100, values=("patience",))]
    history = [featured(100, 40, values=("patience", "courtesy")), featured(102, 1, values=("courtesy",)),
               seen_last_week(*stories)]
    selection = select_issue(CUT, stories, history)
    assert (selection.new, selection.also_new) == ((9, 1, 2), ())


def test_an_overlooked_story_takes_its_departments_place_before_the_weeks_best():
    stories = [fresh(i, applause=90 - i, readers=100, department="Stores") for i in range(1, 4)]
    stories.append(fresh(9, applause=1, readers=100, department="Stores", values=("patience",)))
    history = [featured(100, 40, values=("patience",)), seen_last_week(*stories)]
    selection = select_issue(CUT, stories, history)
    # Stores has two places: the overlooked story takes one before the week's second best.
    assert (selection.new, selection.also_new) == ((1, 9), ())


def test_without_any_history_nothing_counts_as_overlooked():
    assert select_issue(CUT, busy_week(), []).also_new == (4, 5, 6, 7, 8)


@pytest.mark.parametrize(("digest_weeks", "kept"), [(11, False), (12, True)])
def test_a_department_never_featured_counts_from_the_first_issue(digest_weeks, kept):
    stories = [fresh(i, applause=90 - i, readers=100) for i in range(1, 9)]
    newcomer = fresh(9, applause=1, readers=100, department="New team")
    # The digest's first issue was `digest_weeks` ago; every other department was seen last week.
    history = [featured(100, digest_weeks), featured(101, 3), seen_last_week(*stories)]
    assert (9 in select_issue(CUT, [*stories, newcomer], history).also_new) is kept
