"""The break room's story of the week (storyboard/breakroom/week.py): HR's pin wins; then the
most applauded story published in the last 7 days; then the newest canon story; and with none
of those, a page that says what to do next. Stories whose people keep them out of digests are
never put on the wall."""
import html
from datetime import timedelta

import pytest

from storyboard.clock import utcnow
from storyboard.extensions import db
from storyboard.models import StoryStatus
from tests.helpers import text

DAY = timedelta(days=1)


@pytest.fixture
def reader(ctx, as_role):
    return as_role("staff", name="Rita Reader")


def week_page(client) -> str:
    response = client.get("/breakroom/")
    assert response.status_code == 200
    return text(response)


def title_of_the_week(client) -> str:
    page = week_page(client)
    assert "Story of the week" in page
    start = page.index('<h1 id="sheet-title" class="sheet-title">') + len('<h1 id="sheet-title" class="sheet-title">')
    return html.unescape(page[start:page.index("</h1>", start)])


def test_a_story_pinned_by_hr_wins_over_a_more_applauded_one(client, reader, make_story):
    now = utcnow()
    make_story(title="Applauded this week", published_at=now - DAY, applause_count=30)
    make_story(title="Pinned a while ago", published_at=now - 20 * DAY, applause_count=0,
               pinned_at=now - 3 * DAY)
    make_story(title="Pinned most recently", published_at=now - 40 * DAY, pinned_at=now - DAY)
    assert title_of_the_week(client) == "Pinned most recently"
    assert "HR picked it: it is pinned for the next digest." in week_page(client)


def test_without_a_pin_the_most_applauded_story_of_the_last_7_days(client, reader, make_story):
    now = utcnow()
    make_story(title="Three claps, two days old", published_at=now - 2 * DAY, applause_count=3)
    make_story(title="Five claps, six days old", published_at=now - 6 * DAY, applause_count=5)
    make_story(title="Forty claps, eight days old", published_at=now - 8 * DAY, applause_count=40)
    make_story(title="Submitted, not published", status=StoryStatus.SUBMITTED)
    assert title_of_the_week(client) == "Five claps, six days old"
    assert "The most applauded story published in the last 7 days." in week_page(client)


def test_equal_applause_goes_to_the_newest_and_a_quiet_weeks_only_story_still_counts(client, reader, make_story):
    now = utcnow()
    make_story(title="Older, no applause", published_at=now - 5 * DAY)
    make_story(title="Newer, no applause", published_at=now - DAY)
    assert title_of_the_week(client) == "Newer, no applause"


def test_an_archived_story_keeps_no_pin_on_the_wall(client, reader, make_story):
    now = utcnow()
    make_story(title="Pinned, then archived", status=StoryStatus.ARCHIVED, pinned_at=now - DAY)
    make_story(title="This week's", published_at=now - DAY)
    assert title_of_the_week(client) == "This week's"


def test_after_a_quiet_week_the_newest_canon_story_is_retold(client, reader, make_story):
    now = utcnow()
    make_story(title="Old, not canon", published_at=now - 30 * DAY, applause_count=50)
    make_story(title="Canon from last year", published_at=now - 400 * DAY, in_canon=True,
               canon_lesson="Ask first.", canonized_at=now - 300 * DAY)
    make_story(title="Canon from last month", published_at=now - 60 * DAY, in_canon=True,
               canon_lesson="Own it.", canonized_at=now - 30 * DAY)
    make_story(title="Canon, resurfacing off", published_at=now - 20 * DAY, in_canon=True,
               canon_lesson="Hush.", canonized_at=now - 2 * DAY, resurface=False)
    assert title_of_the_week(client) == "Canon from last month"
    page = week_page(client)
    assert "Nothing new was published in the last 7 days, so here is the newest story in the canon." in page
    assert "What to learn from it:</strong> Own it." in page


def test_stories_kept_out_of_digests_never_go_on_the_wall(client, reader, make_story, make_person):
    now = utcnow()
    shy = make_person(name="Sam Shy", hide_from_digests=True)
    make_story(title="About someone who hides from digests", nominees=[shy], pinned_at=now - DAY)
    opted = make_story(title="Kept out of digests by its nominee", published_at=now - DAY, applause_count=9)
    opted.digest_opt_outs.append(opted.nominees[0])
    db.session.commit()
    make_story(title="Fine to print", published_at=now - 2 * DAY, applause_count=1)
    assert title_of_the_week(client) == "Fine to print"


def test_with_nothing_to_print_the_page_says_what_to_do_next(client, reader, make_story):
    make_story(title="A month old", published_at=utcnow() - 30 * DAY)
    make_story(title="A draft", status=StoryStatus.DRAFT)
    page = week_page(client)
    assert "There is no story to print yet: nothing is pinned, nothing was published in the last 7 days" in page
    assert 'href="/nominate">Nominate a colleague</a>' in page
    assert "review queue" not in page  # that advice is for HR
    assert "A month old" not in page and "sheet-codes" not in page


def test_hr_are_told_how_to_pick_a_story_themselves(client, ctx, as_role):
    as_role("curator")
    page = week_page(client)
    assert 'publish one from the <a href="/queue/">review queue</a>, or pin a published story' in page
