"""A person signs in, nominates a colleague and reads the story, in a real browser,
with JavaScript on and off."""
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.slow

PASSWORD = "a good long password"


@pytest.fixture
def people(ctx, make_person):
    me = make_person(name="Sam Sender", email="sam@example.com", password=PASSWORD)
    colleague = make_person(name="Gita Goodwork", email="gita@example.com", department="Stores")
    return me, colleague


def sign_in(page, base):
    page.goto(f"{base}/")
    expect(page).to_have_url(re.compile(r"/auth/login\?next="))
    page.get_by_label("Email").fill("sam@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Stories worth retelling")).to_be_visible()


def test_nominate_find_preview_submit(page, live_server, people):
    sign_in(page, live_server)
    page.get_by_role("link", name="Nominate someone", exact=True).click()
    page.get_by_label("Find a colleague by name or email").fill("gita")
    # With JavaScript the matches appear while typing; without, the Find button posts the form.
    if not page.javascript_enabled:
        page.get_by_role("button", name="Find").click()
    match = page.get_by_label(re.compile("Gita Goodwork"))
    match.check()
    if page.javascript_enabled:  # a second search keeps the colleague already ticked
        page.get_by_label("Find a colleague by name or email").fill("zzz")
        expect(page.get_by_text("Nobody matches that name or email.")).to_be_visible()
        expect(match).to_be_checked()
    page.get_by_label("Courtesy").check()
    page.get_by_label("Title").fill("Gita rebuilt the window display at midnight")
    page.get_by_label("What happened").fill("She stayed **after close** to fix it.")
    page.get_by_label("The impact").fill("The launch opened on time.")
    page.get_by_label("When it happened").fill("2026-01-15")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".preview strong")).to_have_text("after close")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Your story is with HR for review")).to_be_visible()
    expect(page.get_by_role("heading", name="Gita rebuilt the window display at midnight")).to_be_visible()
    expect(page.get_by_role("link", name="Gita Goodwork")).to_be_visible()


def test_validation_errors_are_announced_and_typing_kept(page, live_server, people):
    sign_in(page, live_server)
    page.goto(f"{live_server}/nominate")
    page.get_by_label("Title").fill("Half-finished story")
    page.get_by_role("button", name="Submit for review").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Choose at least one colleague to nominate.")
    expect(page.get_by_label("Title")).to_have_value("Half-finished story")


def test_a_session_that_ends_while_writing_loses_nothing(page, live_server, people, app):
    # Signed out while writing (idle timeout, or signed out in another tab): the form sent
    # afterwards lands on sign-in, and with JavaScript the story comes back after signing in.
    from sqlalchemy import delete

    from storyboard.extensions import db
    from storyboard.models import SignIn

    sign_in(page, live_server)
    page.goto(f"{live_server}/nominate")
    page.get_by_label("Title").fill("Written over lunch")
    page.get_by_label("What happened").fill("A long story, typed slowly.")
    page.wait_for_timeout(500)  # the script keeps what was typed after a short pause
    db.session.execute(delete(SignIn))  # the session ends on the server
    db.session.commit()
    page.get_by_role("button", name="Save draft").click()
    expect(page).to_have_url(re.compile(r"/auth/login\?next=%2Fnominate"))
    page.get_by_label("Email").fill("sam@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/nominate$"))
    if page.javascript_enabled:
        expect(page.get_by_label("Title")).to_have_value("Written over lunch")
        expect(page.get_by_label("What happened")).to_have_value("A long story, typed slowly.")
        expect(page.get_by_text("What you were writing has been filled back in.")).to_be_visible()
    else:
        expect(page.get_by_text("save a draft now and then while you write")).to_be_visible()


@pytest.fixture
def js_page(browser):
    """A page with JavaScript on only: what it tests is the script's own."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_a_saved_story_is_not_filled_into_the_next_one(js_page, live_server, people):
    page = js_page
    sign_in(page, live_server)
    page.goto(f"{live_server}/nominate")
    page.get_by_label("Find a colleague by name or email").fill("gita")
    page.get_by_label(re.compile("Gita Goodwork")).check()
    page.get_by_label("Courtesy").check()
    page.get_by_label("Title").fill("The first story")
    page.get_by_label("What happened").fill("Told once.")
    page.get_by_label("The impact").fill("It landed.")
    page.get_by_label("When it happened").fill("2026-01-15")
    page.wait_for_timeout(500)
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    page.goto(f"{live_server}/nominate")
    expect(page.get_by_label("Title")).to_have_value("")
