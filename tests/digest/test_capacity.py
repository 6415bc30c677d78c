"""The canon's room: the real selection run forward over the coming weeks with the canon stories,
and the warning HR sees on /digest/next when due stories would have to wait."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from storyboard.digest.capacity import canon_capacity
from storyboard.digest.selection import SelectionParams
from tests.digest.selection_builders import CUT, canon, eligible_weeks_before, on_schedule
from tests.helpers import CUT as DIGEST_CUT
from tests.helpers import text

WEEKS = [CUT + timedelta(weeks=n) for n in range(12)]


def room(stories, history=(), **params):
    found = canon_capacity(WEEKS, stories, list(history), SelectionParams(**params))
    return found.shown, found.grown, found.waiting


def test_a_new_canon_story_comes_twice_in_twelve_weeks():
    # Eligible at the first cut: shown then and 4 weeks later; the third is 12 weeks after.
    assert room([eligible_weeks_before(0)]) == (2, 0, 0)


def test_a_story_on_the_yearly_step_does_not_come_in_twelve_weeks():
    assert room([eligible_weeks_before(58)], on_schedule(1, 58, 5)) == (0, 0, 0)


def test_stories_that_cannot_come_back_are_not_counted():
    stories = [canon(1, resurface=False), canon(2, any_honoree_left=True), replace(canon(3), in_canon=False)]
    assert room(stories) == (0, 0, 0)


def test_twelve_promoted_at_once_grow_the_section_and_some_wait():
    stories = [eligible_weeks_before(0, n) for n in range(1, 13)]  # 12 departments, all due at once
    shown, grown, waiting = room(stories, canon_count=2, canon_max=5)
    assert shown == 24 and grown >= 4 and waiting > 0


def test_one_departments_burst_waits_on_its_two_places_an_issue():
    stories = [eligible_weeks_before(0, n, department="Stores") for n in range(1, 7)]
    shown, grown, waiting = room(stories, canon_count=2, canon_max=5)
    assert grown == 0 and waiting > 0  # the section could grow; the department cannot


def test_a_story_held_back_from_the_next_issue_is_counted_after_it():
    # Held back by a curator (not for want of room) at the first cut, shown at the next two
    # due dates: the week after, and four weeks after that.
    assert room([eligible_weeks_before(0, held_back=True)]) == (2, 0, 0)


def test_hr_sees_the_canons_room_on_the_next_issue_page(app, client, ctx, as_role, make_story):
    as_role("curator")
    page = text(client.get("/digest/next"))
    assert "The canon's room over the next 12 issues" in page
    assert ("<strong>0</strong> canon showings will go out against <strong>24</strong> usual places "
            "(2 an issue, up to 5 when more are due).") in page
    assert "Every canon story comes back when it is due." in page
    for n in range(8):  # promoted together, about people in one department
        make_story(title=f"Classic {n}", published_at=DIGEST_CUT - timedelta(days=90), in_canon=True,
                   canonized_at=DIGEST_CUT - timedelta(days=28))
    for page in (text(client.get("/digest/next")), text(client.get("/canon/"))):
        assert "Promotions are outrunning the canon:</strong> due stories will wait" in page


def test_staff_do_not_see_the_canons_room_on_the_canon_page(app, client, ctx, as_role, make_story):
    make_story(title="Classic", in_canon=True, canonized_at=DIGEST_CUT - timedelta(days=28))
    as_role("staff")
    assert "The canon's room" not in text(client.get("/canon/"))
    as_role("curator")
    assert "The canon's room over the next 12 issues" in text(client.get("/canon/"))
