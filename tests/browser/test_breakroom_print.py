"""The break room's sheet in a real Chromium: a typical story prints on one page of A4 and of
Letter, black on white, without the site's header, footer or buttons, with both QR codes; on
screen the page says how to print it, and with JavaScript offers a button too."""
import re

import pytest
from playwright.sync_api import expect

from storyboard.clock import utcnow
from storyboard.extensions import db
from storyboard.models import Value

pytestmark = pytest.mark.slow

PASSWORD = "a good long password"
# Chromium writes each page as an object of /Type /Page (the tree of pages is /Type /Pages).
PAGE_OBJECT = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")
# A typical story: three short paragraphs, about 190 words (the demo's run from 80 to 150).
BODY = "\n\n".join([
    "Just before closing on a wet Friday, a customer knocked on the glass holding up a walking boot "
    "with no sole. She was starting a week-long walk the next morning, and every other outdoor shop "
    "in town had already shut.",
    "Ann turned the lights back on and measured both feet properly while Bo fetched three pairs from "
    "the stockroom. They had her walk the shop stairs in each pair, tried a half size up because feet "
    "swell on a long walk, and laced the winner the way that protects the heel. Then they showed her "
    "how to break the boots in on the way, added blister plasters to the bag, and cashed up twenty "
    "minutes late without putting in for the time.",
    "A week later a postcard arrived from the end of the walk, addressed to the whole store: "
    "**not one blister**, and she has booked the next walk already.",
])


@pytest.fixture
def story(ctx, make_person, make_story):
    make_person(name="Rita Reader", email="rita@example.com", password=PASSWORD)
    values = list(db.session.scalars(db.select(Value).order_by(Value.position)).all()[:3])
    return make_story(
        title="Ann and Bo kept the store open for a walker whose boot had split",
        nominees=[make_person(name="Ann Lee-Whitfield"), make_person(name="Bo Chandrasekaran")],
        values=values, body_md=BODY,
        impact="The customer finished her walk and came back to tell us about it, with two friends who "
               "bought their boots from us too.",
        in_canon=True, canon_lesson="Small kindness is remembered long after the order is forgotten.",
        canonized_at=utcnow(), pinned_at=utcnow(),
    )


def sign_in(page, base):
    page.goto(f"{base}/auth/login")
    page.get_by_label("Email").fill("rita@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Stories worth retelling")).to_be_visible()


@pytest.fixture
def reader_page(browser, live_server, story):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, live_server)
    yield page
    context.close()


def printed_pages(page, paper: str) -> int:
    return len(PAGE_OBJECT.findall(page.pdf(format=paper)))


@pytest.mark.parametrize("path", ["/stories/{id}/print", "/breakroom/"])
def test_a_typical_story_prints_on_one_page_of_a4_and_of_letter(reader_page, live_server, story, path):
    page = reader_page
    page.goto(live_server + path.format(id=story.id))
    expect(page.get_by_role("heading", name=story.title)).to_be_visible()
    for code in page.locator(".sheet-code img").all():  # both codes load, under the page's policy
        assert code.evaluate("image => image.complete && image.naturalWidth > 0"), code.get_attribute("src")
    assert printed_pages(page, "A4") == 1
    assert printed_pages(page, "Letter") == 1


def test_a_long_story_runs_on_but_keeps_its_codes_together(reader_page, live_server, make_story, story):
    long_story = make_story(title="A long one", body_md="\n\n".join([BODY] * 4))
    reader_page.goto(f"{live_server}/stories/{long_story.id}/print")
    assert printed_pages(reader_page, "A4") >= 2
    reader_page.emulate_media(media="print")
    codes = reader_page.locator(".sheet-codes")
    assert codes.evaluate("block => getComputedStyle(block).breakInside") == "avoid"


def test_the_printout_is_the_sheet_alone_in_black_on_white(reader_page, live_server, story):
    page = reader_page
    page.emulate_media(media="print", color_scheme="dark")
    page.goto(f"{live_server}/stories/{story.id}/print")
    for hidden in (".site-header", ".site-footer", ".print-hint"):
        expect(page.locator(hidden)).to_be_hidden()
    expect(page.get_by_role("heading", name=story.title)).to_be_visible()
    expect(page.get_by_text("Read it and applaud")).to_be_visible()
    expect(page.get_by_text("Tell us about a colleague")).to_be_visible()
    colours = page.evaluate("""() => [...document.querySelectorAll('.sheet, .sheet *')].map(element => {
        const style = getComputedStyle(element);
        return [style.color, style.backgroundColor];
    })""")
    assert {colour for colour, _ in colours} == {"rgb(0, 0, 0)"}
    assert {background for _, background in colours} == {"rgb(255, 255, 255)"}


def test_on_screen_the_page_says_how_to_print_and_offers_a_button_with_javascript(page, live_server, story):
    sign_in(page, live_server)
    page.goto(f"{live_server}/stories/{story.id}")
    page.get_by_role("link", name="Print for the break room").click()
    expect(page.get_by_text("Print this page for the break room.")).to_be_visible()
    button = page.get_by_role("button", name="Print this page")
    if page.javascript_enabled:
        expect(button).to_be_visible()
    else:
        expect(button).to_have_count(0)
    story_code = "QR code that opens this story on Storyboard, to read it and applaud"
    expect(page.get_by_role("img", name=story_code)).to_be_visible()
