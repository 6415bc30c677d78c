"""Issue 14's main journeys in a real browser, with JavaScript on and off: a writer nominates two
colleagues with the keyboard only, HR asks for changes, the writer resubmits, HR publishes and
pins the story, a reader applauds and thanks, the nominee thanks, the digest is cut and its
archive shows the story. Then every role walks every page type it can see.

Every page on the way goes through `check_page` (tests/browser/checks.py): no serious or
critical axe-core finding and nothing wider than the window, at 390 and at 1280 px, and the
server's HTML is kept for one Nu HTML Checker run when the session ends.
"""
import re
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from storyboard.clock import utcnow
from storyboard.digest.issues import coming_cut
from storyboard.extensions import db
from storyboard.models import StoryStatus, Value
from tests.browser.checks import check_page

pytestmark = pytest.mark.slow

PASSWORD = "a good long password"
TITLE = "Gita and Omar rebuilt the window display at midnight"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def company(ctx, make_person, make_story):
    """The people of the journey, and a canon story so the library and digest are not empty."""
    people = {
        "writer": make_person(name="Sam Sender", email="sam@example.com", password=PASSWORD),
        "nominee": make_person(name="Gita Goodwork", email="gita@example.com", department="Stores",
                               password=PASSWORD),
        "colleague": make_person(name="Omar Overtime", email="omar@example.com", department="Warehouse"),
        "reader": make_person(name="Rita Reader", email="rita@example.com", password=PASSWORD),
        "curator": make_person(name="Cora Curator", email="cora@example.com", role="curator", password=PASSWORD),
        "admin": make_person(name="Ada Admin", email="ada@example.com", role="admin", password=PASSWORD),
    }
    # About someone else: the digest features a person once an issue.
    keeper = make_person(name="Kit Keeper", department="Lighthouses")
    make_story(title="A lighthouse rescue", nominees=[keeper], in_canon=True,
               canon_lesson="Keep the light on.", canonized_at=datetime(2026, 1, 5, 9, 0),
               published_at=utcnow() - timedelta(days=40))
    return people


def sign_in(page, base, person):
    page.context.clear_cookies()  # whoever was signed in before is gone
    page.goto(f"{base}/auth/login")
    page.get_by_label("Email").fill(person.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Stories worth retelling")).to_be_visible()


def tab_to(page, target, backwards=False, most=80):
    """Press Tab (or Shift+Tab) until `target` has the focus: how a keyboard gets there."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(most):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{most} presses of {key} never reached {target}")


def type_into(page, target, text, backwards=False):
    tab_to(page, target, backwards)
    page.keyboard.press("Control+a")
    page.keyboard.type(text)


def nominate_with_the_keyboard(page, base):
    """Two colleagues, a value, the story; errors first, then a preview and a draft."""
    page.goto(f"{base}/nominate")
    check_page(page, "writer", "nominate form, empty")
    title = page.get_by_label("Title")
    type_into(page, title, TITLE)
    page.keyboard.press("Enter")  # the form's main action: submit, refused for what is missing
    expect(page.get_by_role("alert")).to_contain_text("Choose at least one colleague to nominate.")
    expect(title).to_have_value(TITLE)
    check_page(page, "writer", "nominate form, with errors")

    search = page.get_by_label("Find a colleague by name or email")
    type_into(page, search, "gita")
    page.keyboard.press("Enter")  # searches: at once with JavaScript, by the server without
    gita = page.get_by_role("checkbox", name=re.compile("Gita Goodwork"))
    tab_to(page, gita)
    page.keyboard.press("Space")
    expect(gita).to_be_checked()

    type_into(page, search, "omar", backwards=True)
    if not page.javascript_enabled:  # Enter would now send the story: Find searches
        tab_to(page, page.get_by_role("button", name="Find", exact=True))
        page.keyboard.press("Enter")
    omar = page.get_by_role("checkbox", name=re.compile("Omar Overtime"))
    tab_to(page, omar)
    page.keyboard.press("Space")
    expect(omar).to_be_checked()
    expect(gita).to_be_checked()  # the second search kept the first colleague

    tab_to(page, page.get_by_role("checkbox", name="Courtesy"))
    page.keyboard.press("Space")
    type_into(page, page.get_by_label("What happened"), "They stayed **after close** to rebuild it.")
    type_into(page, page.get_by_label("The impact"), "The launch opened on time.")
    tab_to(page, page.get_by_role("button", name="Preview"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/nominate#preview$"))
    expect(page.locator("#preview strong")).to_have_text("after close")
    check_page(page, "writer", "nominate form, with preview")

    tab_to(page, page.get_by_role("button", name="Save draft"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    expect(page.get_by_role("link", name="Gita Goodwork")).to_be_visible()
    expect(page.get_by_role("link", name="Omar Overtime")).to_be_visible()
    check_page(page, "writer", "story, draft")


def submit_from_the_edit_form(page, role, change=None):
    page.get_by_role("link", name="Edit this story").click()
    check_page(page, role, "edit form")
    if change:
        type_into(page, page.get_by_label("The impact"), change)
    tab_to(page, page.get_by_label("Title"), backwards=bool(change))
    page.keyboard.press("Enter")  # Enter in a field submits the story for review
    expect(page.get_by_text("Your story is with HR for review")).to_be_visible()


def story_card(page):
    return page.get_by_role("article").filter(has=page.get_by_role("heading", name=TITLE))


def ask_for_changes(page, base):
    page.goto(f"{base}/queue/")
    check_page(page, "curator", "review queue")
    card = story_card(page)
    card.get_by_role("button", name="Ask for changes").click()  # without a note: refused
    expect(card.get_by_role("alert")).to_contain_text("Write a note")
    check_page(page, "curator", "review queue, note refused")
    card.get_by_label(re.compile("Note to Sam Sender")).fill("Say what the customer told you, please.")
    card.get_by_role("button", name="Ask for changes").click()
    expect(page.get_by_text(f"Sent “{TITLE}” back to the nominator for changes.")).to_be_visible()


def publish_and_pin(page, base):
    page.goto(f"{base}/queue/")
    story_card(page).get_by_role("link", name=TITLE).click()
    panel = page.get_by_role("region", name=re.compile("Curation"))
    expect(panel).to_contain_text(re.compile("Status: submitted", re.IGNORECASE))
    check_page(page, "curator", "curator story panel, submitted")
    panel.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("The story is now published.")).to_be_visible()
    panel.get_by_role("button", name="Pin for the next digest").click()
    expect(panel).to_contain_text("Pinned for the next digest")
    check_page(page, "curator", "curator story panel, published")
    page.goto(f"{base}/digest/next")
    expect(page.get_by_role("main")).to_contain_text(TITLE)
    check_page(page, "curator", "digest next")


def applaud_and_thank(page, role, note):
    page.get_by_role("button", name="Applaud").click()
    expect(page.get_by_text("You applauded this story.")).to_be_visible()
    page.get_by_label("Say thank you").fill(note)
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_text("Your thank-you note is on the story.")).to_be_visible()
    expect(page.get_by_role("region", name="Thank-you notes")).to_contain_text(note)
    check_page(page, role, "story, published, thanked")


def test_nominate_review_publish_thank_and_the_digest(page, page_checks, live_server, company, runner):
    base, people = live_server, company
    page.goto(f"{base}/")
    expect(page).to_have_url(re.compile(r"/auth/login\?next="))
    check_page(page, "visitor", "sign-in page")

    sign_in(page, base, people["writer"])
    nominate_with_the_keyboard(page, base)
    submit_from_the_edit_form(page, "writer")
    check_page(page, "writer", "story, submitted")
    page.goto(f"{base}/mine")
    expect(page.get_by_role("main")).to_contain_text(TITLE)
    check_page(page, "writer", "my stories")

    sign_in(page, base, people["curator"])
    ask_for_changes(page, base)

    sign_in(page, base, people["writer"])
    page.goto(f"{base}/notifications")
    page.get_by_role("link", name=re.compile("HR asked for changes")).click()
    expect(page.get_by_role("note")).to_contain_text("Say what the customer told you, please.")
    check_page(page, "writer", "story, changes requested")
    submit_from_the_edit_form(page, "writer", "The launch opened on time; the customer said it was the best yet.")

    sign_in(page, base, people["curator"])
    publish_and_pin(page, base)

    page.set_viewport_size(PHONE)  # the readers come from their phones
    sign_in(page, base, people["reader"])
    page.get_by_role("link", name=TITLE).click()
    applaud_and_thank(page, "reader", "Brilliant, thank you both.")
    sign_in(page, base, people["nominee"])
    page.goto(f"{base}/notifications")
    page.get_by_role("link", name=re.compile("told a story about you")).click()
    applaud_and_thank(page, "nominee", "Thank you for noticing, Sam!")
    page.set_viewport_size(DESKTOP)

    cut = coming_cut(utcnow())  # the issue the pin was for
    result = runner.invoke(args=["digest", "tick", "--now", (cut + timedelta(minutes=5)).isoformat()])
    assert result.exit_code == 0 and "cut now" in result.output, result.output
    page.goto(f"{base}/digest/")
    check_page(page, "nominee", "digest archive")
    page.get_by_role("main").get_by_role("link").first.click()
    expect(page.get_by_role("heading", name=re.compile("The digest of"))).to_be_visible()
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    check_page(page, "nominee", "digest issue")


# Every page type, for every role that can see it.

EVERYONE = {
    "feed": lambda ids: "/",
    "story, published": lambda ids: f"/stories/{ids['story']}",
    "people directory": lambda ids: "/people/",
    "profile": lambda ids: f"/people/{ids['nominee']}",
    "values": lambda ids: "/values",
    "value page": lambda ids: f"/values/{ids['value']}",
    "canon library": lambda ids: "/canon/",
    "digest archive": lambda ids: "/digest/",
    "digest issue": lambda ids: f"/digest/issues/{ids['issue']}",
    "notifications": lambda ids: "/notifications",
    "preferences": lambda ids: "/preferences",
    "feeds": lambda ids: "/feeds",
    "API tokens": lambda ids: "/settings/tokens",
    "my stories": lambda ids: "/mine",
    "nominate form, empty": lambda ids: "/nominate",
    "error page, 404": lambda ids: "/stories/999999",
}
HR = {
    "review queue": lambda ids: "/queue/",
    "curator story panel, submitted": lambda ids: f"/stories/{ids['waiting']}",
    "digest next": lambda ids: "/digest/next",
    "insights dashboard": lambda ids: "/insights/",
    "admin values": lambda ids: "/admin/values",
}
ADMIN = {
    "admin people": lambda ids: "/admin/people",
    "people import": lambda ids: "/people/import",
    "chat webhooks": lambda ids: "/admin/webhooks",
}
PAGES_BY_ROLE = {"staff": EVERYONE, "curator": EVERYONE | HR, "admin": EVERYONE | HR | ADMIN}


@pytest.fixture
def published_world(company, make_story, runner):
    """A published story about the nominee in a digest issue, another waiting for review."""
    courtesy = db.session.scalar(select(Value).where(Value.name == "Courtesy"))
    story = make_story(nominator=company["writer"], nominees=[company["nominee"], company["colleague"]],
                       title=TITLE, values=[courtesy])
    waiting = make_story(nominator=company["writer"], status=StoryStatus.SUBMITTED,
                         title="Omar found the lost parcel", nominees=[company["colleague"]])
    cut = coming_cut(utcnow())
    result = runner.invoke(args=["digest", "tick", "--now", (cut + timedelta(minutes=5)).isoformat()])
    assert "cut now" in result.output, result.output
    issue = re.search(r"Issue (\S+) ", result.output).group(1)
    return {"story": story.id, "waiting": waiting.id, "nominee": company["nominee"].id,
            "value": courtesy.slug, "issue": issue}


@pytest.mark.parametrize("role", ["staff", "curator", "admin"])
def test_every_page_type_for_every_role(page, page_checks, live_server, company, published_world, role):
    # Staff are seen as the nominee: the story and profile are about them (the journey above
    # walks the writer's and the reader's pages).
    person = company[{"staff": "nominee"}.get(role, role)]
    sign_in(page, live_server, person)
    for name, path in PAGES_BY_ROLE[role].items():
        response = page.goto(f"{live_server}{path(published_world)}")
        assert response.status == (404 if "404" in name else 200), f"{role}: {name} answered {response.status}"
        expect(page.get_by_role("heading", level=1)).to_have_count(1)  # each page says what it is, once
        check_page(page, role, name)
    if role == "staff":  # what HR and admins see is refused, politely
        response = page.goto(f"{live_server}/queue/")
        assert response.status == 403
        check_page(page, role, "error page, 403")
