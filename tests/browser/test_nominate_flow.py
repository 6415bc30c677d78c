"""A person signs in, nominates a colleague and reads the story, in a real browser,
with JavaScript on and off."""
import re

import pytest
from playwright.sync_api import expect

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
