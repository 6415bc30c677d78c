"""The story editor's script (issue 14, static/js/editor.js and drafts.js) in a real browser:
the preview follows the typing, the counts count, the toolbar formats, "@" suggests colleagues
and autosave keeps one draft that Submit then sends. The HTTP halves are in
tests/stories/test_editor.py. These need JavaScript (the `page` fixture is asked for its "js"
half only); without it the form is as before, which test_nominate_flow.py and
test_form_keys.py check, and the last test here confirms."""
import re
import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from storyboard.extensions import db
from storyboard.models import Story, StoryStatus, ThankYou
from tests.browser.checks import check_page

pytestmark = pytest.mark.slow
js_only = pytest.mark.parametrize("page", [True], indirect=True, ids=["js"])

PASSWORD = "a good long password"
AUTOSAVE_AFTER_MS = 20_000


@pytest.fixture
def people(ctx, make_person):
    me = make_person(name="Sam Sender", email="sam@example.com", password=PASSWORD)
    dana = make_person(name="Dana Olsen", email="dana@example.com", job_title="Driver", department="Stores")
    make_person(name="Gita Goodwork", email="gita@example.com", department="Stores")
    return me, dana


def sign_in(page, base):
    page.goto(f"{base}/auth/login")
    page.get_by_label("Email").fill("sam@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(r"/auth/login"))


def stories() -> list[tuple[str, str]]:
    """(title, status) of every story, as the database has them now."""
    db.session.rollback()  # a fresh look at what the live server committed
    return [tuple(row) for row in db.session.execute(select(Story.title, Story.status).order_by(Story.id))]


def eventually(read, expected, seconds: float = 10):
    """`read()` once it gives `expected` (the live server may still be saving), or at the end
    of the wait what it gives then, for the assertion to show."""
    deadline = time.monotonic() + seconds
    while (now := read()) != expected and time.monotonic() < deadline:
        time.sleep(0.2)
    return now


def story_box(page):
    return page.get_by_label("What happened")


@js_only
def test_typing_shows_the_preview_without_pressing_preview(page, live_server, people):
    sign_in(page, live_server)
    page.goto(f"{live_server}/nominate")
    story_box(page).fill("She stayed **after close**.\n\n<script>alert(1)</script>")
    preview = page.locator("#preview")
    expect(preview.get_by_role("heading", name="Preview")).to_be_visible()
    expect(preview.locator("strong")).to_have_text("after close")
    expect(preview.locator(".prose")).to_contain_text("<script>alert(1)</script>")  # shown as text
    expect(preview.locator("script")).to_have_count(0)
    expect(page).to_have_url(f"{live_server}/nominate")  # nothing was posted by the browser
    story_box(page).fill("Now **only this**.")
    expect(preview.locator("strong")).to_have_text("only this")
    assert page.locator("#preview").count() == 1  # updated in place, never a second section


@js_only
def test_the_counts_show_characters_used_of_the_maximum(page, live_server, people):
    sign_in(page, live_server)
    page.goto(f"{live_server}/nominate")
    expect(page.locator("#title-count")).to_have_text("0 of 200 characters")
    page.get_by_label("Title").fill("Dana saved the day")
    expect(page.locator("#title-count")).to_have_text("18 of 200 characters")
    page.get_by_label("Title").fill("x" * 185)  # within 10% of the limit: a warning colour
    expect(page.locator("#title-count")).to_have_text("185 of 200 characters")
    expect(page.locator("#title-count")).to_have_class(re.compile(r"\bchar-count-near\b"))
    story_box(page).fill("Déjà vu\nagain")
    expect(page.locator("#body_md-count")).to_have_text("13 of 20,000 characters")
    # The toolbar can take a full story past its maximum (maxlength stops only typing): said so.
    story_box(page).fill("y" * 19_995)
    page.get_by_role("button", name="Bold").click()
    expect(page.locator("#body_md-count")).to_have_text(
        "20,008 of 20,000 characters: 8 too many. Shorten it before saving.")
    expect(page.locator("#body_md-count")).to_have_class(re.compile(r"\bchar-count-over\b"))
    expect(page.get_by_role("status").filter(has_text="Too long by 8 characters.")).to_have_count(1)
    described = story_box(page).get_attribute("aria-describedby").split()
    assert "body_md-count" in described and "body_md-hint" in described


@js_only
def test_bold_wraps_the_selection_and_the_shortcut_works_too(page, live_server, people):
    sign_in(page, live_server)
    page.goto(f"{live_server}/nominate")
    box = story_box(page)
    box.fill("Dana fixed it")
    box.evaluate("area => area.setSelectionRange(5, 10)")  # "fixed"
    toolbar = page.get_by_role("toolbar", name="Formatting")
    toolbar.get_by_role("button", name="Bold").click()
    expect(box).to_have_value("Dana **fixed** it")
    expect(box).to_be_focused()
    assert box.evaluate("area => area.value.slice(area.selectionStart, area.selectionEnd)") == "fixed"
    box.evaluate("area => area.setSelectionRange(area.value.length, area.value.length)")
    box.press("Control+i")  # nothing chosen: a placeholder, chosen, to type over
    box.press_sequentially("twice")
    expect(box).to_have_value("Dana **fixed** it*twice*")
    # One tab stop for the toolbar; the arrow keys move along it.
    toolbar.get_by_role("button", name="Bold").focus()
    page.keyboard.press("ArrowRight")
    expect(toolbar.get_by_role("button", name="Italic")).to_be_focused()
    expect(toolbar.locator("button[tabindex='0']")).to_have_count(1)


@js_only
def test_at_suggests_colleagues_and_enter_inserts_the_name_without_sending(page, live_server, people):
    sign_in(page, live_server)
    page.goto(f"{live_server}/nominate")
    box = story_box(page)
    box.press_sequentially("Thanks to @da")
    suggestions = page.get_by_role("listbox", name="Suggested colleagues")
    expect(suggestions).to_be_visible()
    dana = suggestions.get_by_role("option", name=re.compile("Dana Olsen"))
    expect(dana).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", dana.get_attribute("id"))
    expect(box).to_have_attribute("aria-controls", "body_md-suggestions")
    box.press("Enter")
    expect(box).to_have_value("Thanks to Dana Olsen")  # no "@", no new line
    expect(suggestions).to_be_hidden()
    expect(box).not_to_have_attribute("aria-activedescendant", re.compile("."))
    expect(page).to_have_url(f"{live_server}/nominate")
    assert stories() == []
    box.press_sequentially(" and @gi")
    expect(suggestions.get_by_role("option", name=re.compile("Gita Goodwork"))).to_be_visible()
    box.press("Escape")
    expect(suggestions).to_be_hidden()
    box.press("Enter")  # with the list closed, Enter is a new line again
    expect(box).to_have_value("Thanks to Dana Olsen and @gi\n")


@js_only
def test_the_thank_you_note_gets_suggestions_toolbar_and_count(page, live_server, people, make_story):
    _, dana = people
    story = make_story(nominees=[dana], title="Dana drove through the snow")
    sign_in(page, live_server)
    page.goto(f"{live_server}/stories/{story.id}")
    note = page.get_by_label("Say thank you")
    note.press_sequentially("Well done @dan")
    page.get_by_role("option", name=re.compile("Dana Olsen")).wait_for()
    note.press("Enter")
    expect(note).to_have_value("Well done Dana Olsen")
    expect(page.locator("#body_md-count")).to_have_text("20 of 1,000 characters")
    expect(page.get_by_role("toolbar", name="Formatting")).to_be_visible()
    db.session.rollback()
    assert db.session.scalars(select(ThankYou)).all() == []  # Enter picked the name, sent nothing
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_text("Your thank-you note is on the story.")).to_be_visible()


@js_only
def test_autosave_keeps_one_draft_that_submit_then_sends(page, live_server, people):
    _, dana = people
    page.clock.install()  # autosave waits 20 s after typing stops; the test moves the clock on
    sign_in(page, live_server)
    page.goto(f"{live_server}/nominate?nominee={dana.id}")
    page.get_by_label("Courtesy").check()
    story_box(page).fill("Dana drove the last parcel through the snow.")
    page.get_by_label("The impact").fill("The wedding had its rings.")
    page.clock.fast_forward(AUTOSAVE_AFTER_MS + 1000)
    status = page.locator(".autosave-status")
    expect(status).to_have_text("Not saved yet: add a title.")
    assert stories() == []
    page.get_by_label("Title").fill("Through the snow")
    page.clock.fast_forward(AUTOSAVE_AFTER_MS + 1000)
    expect(status).to_have_text(re.compile(r"^Draft saved at \d"))
    expect(page).to_have_url(re.compile(r"/stories/\d+/edit$"))  # a reload opens the draft
    assert stories() == [("Through the snow", StoryStatus.DRAFT)]
    page.get_by_label("Title").fill("Through the snow, twice")
    page.clock.fast_forward(AUTOSAVE_AFTER_MS + 1000)
    twice = [("Through the snow, twice", StoryStatus.DRAFT)]
    assert eventually(stories, twice) == twice  # the same draft, changed: still one story
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Your story is with HR for review")).to_be_visible()
    assert stories() == [("Through the snow, twice", StoryStatus.SUBMITTED)]


@js_only
def test_submitting_before_any_autosave_makes_one_story(page, live_server, people):
    # Leaving the page hides it (visibilitychange), which autosaves what changed: not when
    # the leaving is the form's own Submit, or the new story would be saved twice.
    _, dana = people
    sign_in(page, live_server)
    page.goto(f"{live_server}/nominate?nominee={dana.id}")
    page.get_by_label("Courtesy").check()
    page.get_by_label("Title").fill("Straight to HR")
    story_box(page).fill("No pause at all.")
    page.get_by_label("The impact").fill("Quick.")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Your story is with HR for review")).to_be_visible()
    page.goto(f"{live_server}/mine")  # and away again, hiding the story's page
    time.sleep(1)
    assert stories() == [("Straight to HR", StoryStatus.SUBMITTED)]


@pytest.mark.parametrize("page", [True, False], indirect=True, ids=["js", "nojs"])
def test_the_editor_passes_the_page_checks_and_works_without_script(page, live_server, people, page_checks):
    _, dana = people
    sign_in(page, live_server)
    page.goto(f"{live_server}/nominate?nominee={dana.id}")
    if page.javascript_enabled:  # checked with the list of suggestions open and a live preview
        story_box(page).press_sequentially("Thanks @da")
        expect(page.get_by_role("option", name=re.compile("Dana Olsen"))).to_be_visible()
        expect(page.locator("#preview .prose")).to_contain_text("Thanks @da")
    else:  # the form as it always was: no toolbar or count, and Preview is the server's
        expect(page.get_by_role("toolbar")).to_have_count(0)
        expect(page.locator(".char-count")).to_have_count(0)
        page.get_by_label("Courtesy").check()
        page.get_by_label("Title").fill("Thanks to Dana")
        story_box(page).fill("Thanks **Dana**")
        page.get_by_label("The impact").fill("The van left on time.")
        page.get_by_role("button", name="Preview").click()
        expect(page.locator("#preview strong")).to_have_text("Dana")
        assert stories() == []
    check_page(page, "staff", "nominate with the editor")
