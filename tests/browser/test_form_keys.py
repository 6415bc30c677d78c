"""Issue 14's form surprises in a real browser, with JavaScript on and off: Enter in a field of
the nomination form does its main action (not the colleague search), Enter in the search box
searches, Preview and a refused curator form open where they are, not at the top."""
import re

import pytest
from playwright.sync_api import expect

from storyboard.models import StoryStatus

pytestmark = pytest.mark.slow

PASSWORD = "a good long password"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def people(ctx, make_person):
    me = make_person(name="Sam Sender", email="sam@example.com", password=PASSWORD)
    colleague = make_person(name="Gita Goodwork", email="gita@example.com", department="Stores")
    return me, colleague


def sign_in(page, base, email="sam@example.com"):
    page.goto(f"{base}/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(r"/auth/login"))


def in_view(locator) -> bool:
    """Whether the element's top is inside the window as the page stands."""
    return locator.evaluate("e => { const r = e.getBoundingClientRect();"
                            " return r.top >= 0 && r.top < window.innerHeight; }")


def write_story(page, title="Gita rebuilt the window display at midnight"):
    page.get_by_label("Courtesy").check()
    page.get_by_label("What happened").fill("She stayed **after close** to fix it.\n\n" + "More.\n\n" * 30)
    page.get_by_label("The impact").fill("The launch opened on time.")
    page.get_by_label("Title").fill(title)


def test_enter_in_the_title_submits_the_story_for_review(page, live_server, people):
    _, colleague = people
    sign_in(page, live_server)
    page.goto(f"{live_server}/nominate?nominee={colleague.id}")
    write_story(page)  # the date is already today's
    page.get_by_label("Title").press("Enter")
    expect(page.get_by_text("Your story is with HR for review")).to_be_visible()
    expect(page.get_by_role("heading", name="Gita rebuilt the window display at midnight")).to_be_visible()
    expect(page.get_by_text("Nobody matches that name or email.")).to_have_count(0)


def test_enter_in_an_unfinished_story_shows_what_submitting_needs(page, live_server, people):
    sign_in(page, live_server)
    page.goto(f"{live_server}/nominate")
    page.get_by_label("Title").fill("Half-finished story")
    page.get_by_label("Title").press("Enter")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Choose at least one colleague to nominate.")
    expect(summary).to_contain_text("Tell the story: what happened?")
    expect(page.get_by_text("Nobody matches that name or email.")).to_have_count(0)
    expect(page.get_by_label("Title")).to_have_value("Half-finished story")


def test_enter_in_the_search_box_finds_the_colleague(page, live_server, people):
    sign_in(page, live_server)
    page.goto(f"{live_server}/nominate")
    page.get_by_label("Title").fill("Kept while searching")
    search = page.get_by_label("Find a colleague by name or email")
    search.press_sequentially("gita")
    search.press("Enter")  # with JavaScript at once, before the typing pause; without, by the server
    expect(page.get_by_label(re.compile("Gita Goodwork"))).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)  # nothing was submitted
    expect(page.get_by_label("Title")).to_have_value("Kept while searching")


@pytest.mark.parametrize("size", [PHONE, {"width": 1280, "height": 800}], ids=["phone", "wide"])
def test_preview_opens_at_the_preview(page, live_server, people, size):
    _, colleague = people
    page.set_viewport_size(size)
    sign_in(page, live_server)
    page.goto(f"{live_server}/nominate?nominee={colleague.id}")
    write_story(page)
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("#preview")
    expect(preview.locator("strong")).to_have_text("after close")
    expect(page).to_have_url(re.compile(r"/nominate#preview$"))
    assert in_view(preview)
    if size is PHONE:
        assert page.evaluate("window.scrollY") > 0  # below the long form, and the page is there
    else:  # beside the story's fields, not under them
        fields, shown = page.locator(".story-fields").bounding_box(), preview.bounding_box()
        assert shown["x"] >= fields["x"] + fields["width"]


@pytest.fixture
def queue(ctx, make_person, make_story):
    make_person(name="Cora Curator", email="cora@example.com", password=PASSWORD, role="curator")
    return [make_story(status=StoryStatus.SUBMITTED, title=f"Waiting story {n}",
                       body_md="A long story.\n\n" * 12) for n in range(4)]


def test_rejecting_without_a_note_opens_at_that_storys_form(page, live_server, queue):
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "cora@example.com")
    last = queue[-1]
    page.goto(f"{live_server}/queue/")
    form = page.locator(f"#reject-{last.id}")
    form.get_by_role("button", name="Reject").click()
    expect(page).to_have_url(re.compile(rf"/queue/{last.id}/reject#reject-{last.id}$"))
    alert = form.get_by_role("alert")
    expect(alert).to_contain_text("Write a note so the nominator knows why.")
    assert in_view(alert)
    alert.get_by_role("link").click()  # the summary's link leads to the note
    expect(form.get_by_label(re.compile("Note to"))).to_be_focused()
