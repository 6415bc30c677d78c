"""The nomination form's surprises (issue 14): Enter in a field runs the main action, not the
colleague search; Preview lands on the preview; the date defaults to today and speaks in the
calendar's terms, not YYYY-MM-DD. The browser halves are in tests/browser/test_form_keys.py."""
from datetime import UTC, date, datetime, timedelta

import html5lib
import pytest
from sqlalchemy import select

from storyboard import clock
from storyboard.extensions import db
from storyboard.models import Story, StoryStatus
from tests.helpers import text
from tests.stories.test_nominate import good_form


@pytest.fixture
def nominator(ctx, as_role):
    return as_role("staff", name="Nadia Nominator")


@pytest.fixture
def colleague(ctx, make_person):
    return make_person(name="Carlos Colleague", email="carlos@example.com", department="Warehouse")


def story_form(html: str):
    """The story's <form> element, parsed."""
    tree = html5lib.parse(html, namespaceHTMLElements=False)
    form = tree.find(".//form[@data-keep-typing]")
    assert form is not None, "no story form on the page"
    return form


def submit_buttons(form) -> list[tuple[str, str, dict]]:
    """Each submit button in tree order: its value, its text, its attributes."""
    return [(button.get("value"), "".join(button.itertext()).strip(), dict(button.attrib))
            for button in form.iter("button") if button.get("type") == "submit"]


# Enter in a field


def test_the_first_button_enter_presses_is_a_hidden_submit_for_review(client, nominator):
    """Implicit submission presses a form's first submit button: it used to be Find."""
    value, label, attributes = submit_buttons(story_form(text(client.get("/nominate"))))[0]
    assert (value, label) == ("enter", "Submit for review")
    assert attributes["class"] == "visually-hidden"  # out of sight, yet not display:none
    assert (attributes["tabindex"], attributes["aria-hidden"]) == ("-1", "true")


def test_enter_in_the_title_submits_the_story_for_review(client, nominator, colleague):
    # What a browser sends when Enter is pressed in the Title field: the hidden first button,
    # with the search box as a search that found someone left it: empty.
    response = client.post("/nominate", data=good_form(colleague, action="enter", nominee_query=""))
    assert response.status_code == 302
    story = db.session.scalars(select(Story)).one()
    assert story.status == StoryStatus.SUBMITTED
    assert "Your story is with HR for review" in text(client.get(response.headers["Location"]))


def test_enter_in_an_unfinished_form_shows_the_submits_errors_not_the_search(client, nominator, colleague):
    response = client.post("/nominate", data=good_form(colleague, action="enter", title=""))
    assert response.status_code == 400
    page = text(response)
    assert "Give the story a title." in page
    assert "Nobody matches that name or email." not in page
    assert db.session.scalars(select(Story)).all() == []


def test_enter_with_a_name_typed_and_nobody_chosen_yet_searches(client, nominator, colleague):
    # Without JavaScript, Enter in the search box presses the same hidden button: with nobody
    # chosen, a name in the box can only mean "find them".
    response = client.post("/nominate", data=good_form(colleague, action="enter", nominees=[],
                                                       nominee_query="Carlos"))
    assert response.status_code == 200
    page = text(response)
    assert f'id="result-{colleague.id}"' in page
    assert "Please fix" not in page  # no errors for the fields not written yet
    assert db.session.scalars(select(Story)).all() == []


def test_enter_with_a_second_name_typed_searches_instead_of_sending_the_story(client, nominator, colleague,
                                                                              make_person):
    # Without JavaScript: one colleague chosen, a second name typed in the search box, Enter.
    second = make_person(name="Dana Second", email="dana@example.com")
    response = client.post("/nominate", data=good_form(colleague, action="enter", nominee_query="Dana"))
    assert response.status_code == 200
    page = text(response)
    assert db.session.scalars(select(Story)).all() == []  # nothing went to HR
    assert f'id="result-{second.id}"' in page and f'id="nominee-{colleague.id}" checked' in page
    assert "Matches for “Dana”." in page
    # The box is emptied once the search found someone, so Enter in the Title now sends it.
    box = story_form(page).find(".//input[@name='nominee_query']")
    assert box.get("value") in (None, "")


def test_enter_on_a_story_with_hr_saves_the_changes(client, nominator, colleague, make_story, as_role):
    story = make_story(nominator=nominator, nominees=[colleague], status=StoryStatus.SUBMITTED,
                       title="Old title")
    as_role("curator")  # a submitted story is HR's to edit
    page = text(client.get(f"/stories/{story.id}/edit"))
    value, label, _ = submit_buttons(story_form(page))[0]
    assert (value, label) == ("enter", "Save changes")
    response = client.post(f"/stories/{story.id}/edit",
                           data=good_form(colleague, action="enter", title="New title"))
    assert response.status_code == 302
    db.session.refresh(story)
    assert (story.title, story.status) == ("New title", StoryStatus.SUBMITTED)


# Preview


def test_preview_posts_to_the_preview_and_the_page_has_it(client, nominator, colleague):
    form = story_form(text(client.get("/nominate")))
    preview_button = [b for b in form.iter("button") if b.get("value") == "preview"][0]
    assert preview_button.get("formaction") == "/nominate#preview"
    response = client.post("/nominate#preview", data=good_form(colleague, action="preview"))
    assert response.status_code == 200
    form = story_form(text(response))
    preview = form.find(".//section[@id='preview']")
    assert preview is not None
    assert "every aisle" in "".join(preview.itertext())
    # Beside the fields on a wide screen: the layout class storyboard.css places it by.
    assert form.get("class").split() == ["story-form", "story-layout", "with-preview"]


def test_editing_previews_at_the_preview_too(client, nominator, colleague, make_story):
    story = make_story(nominator=nominator, nominees=[colleague], status=StoryStatus.DRAFT)
    form = story_form(text(client.get(f"/stories/{story.id}/edit")))
    actions = {b.get("value"): b.get("formaction") for b in form.iter("button")}
    assert actions["preview"] == f"/stories/{story.id}/edit#preview"


# The date


@pytest.fixture
def far_east(app, monkeypatch):
    """Half past noon UTC on 3 December 2026, when it is already the 4th in Kiritimati (UTC+14)."""
    app.config["DIGEST_TIMEZONE"] = "Pacific/Kiritimati"
    monkeypatch.setattr(clock, "utcnow", lambda: datetime(2026, 12, 3, 12, 30, tzinfo=UTC).replace(tzinfo=None))


def test_a_new_nomination_happened_today_in_the_companys_time_zone(client, nominator, far_east):
    form = story_form(text(client.get("/nominate")))
    day = form.find(".//input[@name='happened_on']")
    assert (day.get("type"), day.get("value")) == ("date", "2026-12-04")
    assert day.get("max") >= "2026-12-04"  # the calendar offers no later day than today


def test_the_companys_today_is_accepted(client, nominator, colleague, far_east):
    response = client.post("/nominate", data=good_form(colleague, happened_on="2026-12-04"))
    assert response.status_code == 302


def test_the_date_hint_speaks_of_the_calendar_not_a_format(client, nominator):
    page = text(client.get("/nominate"))
    assert ("The day it happened. Pick a date from the calendar; it cannot be in the future."
            in page)
    assert "YYYY" not in page


@pytest.mark.parametrize(("sent", "message"), [
    ("", "Pick the day it happened from the calendar."),
    ("last tuesday", "Enter a real date, for example 4 December 2026."),
    ("2026-02-30", "Enter a real date, for example 4 December 2026."),
    ((date.today() + timedelta(days=30)).isoformat(), "The date cannot be in the future."),
    ("1989-12-31", "Give a date after 1990."),
])
def test_a_missing_or_bad_date_is_told_without_a_format_string(client, nominator, colleague, far_east,
                                                                sent, message):
    response = client.post("/nominate", data=good_form(colleague, happened_on=sent))
    assert response.status_code == 400
    page = text(response)
    assert message in page
    assert "YYYY" not in page
    assert db.session.scalars(select(Story)).all() == []


def test_an_edited_story_keeps_its_own_date(client, nominator, colleague, make_story):
    story = make_story(nominator=nominator, nominees=[colleague], status=StoryStatus.DRAFT,
                       happened_on=date(2025, 6, 1))
    day = story_form(text(client.get(f"/stories/{story.id}/edit"))).find(".//input[@name='happened_on']")
    assert day.get("value") == "2025-06-01"
