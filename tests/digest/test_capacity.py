"""The canon's room: showings due over the coming weeks against the slots, and the warning HR
sees on /digest/next when promotions outrun them."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from storyboard.digest.capacity import canon_capacity
from storyboard.digest.selection import SelectionParams
from tests.digest.selection_builders import CUT, canon, eligible_weeks_before, on_schedule, shown
from tests.helpers import CUT as DIGEST_CUT
from tests.helpers import NOW, text

WEEKS = [CUT + timedelta(weeks=n) for n in range(12)]


def test_a_new_canon_story_falls_due_three_times_in_twelve_weeks():
    # Eligible at the first cut: shown then, 4 weeks later, then 12 weeks after eligibility
    # (week 12, outside the count): weeks 0 and 4, and week 12 is the 13th cut.
    assert canon_capacity(WEEKS, [eligible_weeks_before(0)], [], SelectionParams()).due == 2


def test_a_story_behind_its_schedule_comes_every_four_weeks_until_it_catches_up():
    story = eligible_weeks_before(100)  # never shown in 100 weeks: due every four weeks
    assert canon_capacity(WEEKS, [story], [], SelectionParams()).due == 3


def test_a_story_on_the_yearly_step_is_counted_once_at_most():
    story = eligible_weeks_before(58)
    history = on_schedule(1, 58, 5)  # its fifth showing 4 weeks ago, on schedule; the next in 48 weeks
    assert canon_capacity(WEEKS, [story], history, SelectionParams()).due == 0


def test_stories_that_cannot_come_back_are_not_counted():
    stories = [canon(1, resurface=False), canon(2, any_honoree_left=True), replace(canon(3), in_canon=False)]
    assert canon_capacity(WEEKS, stories, [], SelectionParams()).due == 0


def test_the_slots_and_the_warnings():
    params = SelectionParams(canon_count=1, canon_max=2)
    few = canon_capacity(WEEKS, [eligible_weeks_before(0, 1)], [], params)
    assert (few.due, few.usual, few.most, few.grows, few.outrun) == (2, 12, 24, False, False)
    many = canon_capacity(WEEKS, [eligible_weeks_before(100, n) for n in range(1, 10)], [], params)
    assert (many.due, many.grows, many.outrun) == (27, True, True)
    assert canon_capacity(WEEKS, [], [shown(5, 1)], params).due == 0


def test_hr_sees_the_canons_room_on_the_next_issue_page(app, client, ctx, as_role, make_story):
    from storyboard.digest import preview

    as_role("curator")
    page = text(client.get("/digest/next"))
    assert "The canon's room over the next 12 issues" in page
    assert "<strong>0</strong> canon showings fall due, against 24 usual slots (2 an issue)" in page
    assert "Every canon story fits its schedule." in page
    for n in range(25):  # long in the canon, never retold: each due every four weeks
        make_story(title=f"Classic {n}", published_at=DIGEST_CUT - timedelta(days=900), in_canon=True,
                   canonized_at=DIGEST_CUT - timedelta(days=700 + n))
    app.config.update(DIGEST_CANON_COUNT=1, DIGEST_CANON_MAX=2)
    assert preview.next_issue_preview(NOW).capacity.due == 25 * 3
    page = text(client.get("/digest/next"))
    assert "<strong>75</strong> canon showings fall due, against 12 usual slots (1 an issue), and up to 24" in page
    assert "Promotions are outrunning the canon:</strong> 51 showings will come late." in page
