"""The look on a phone and a desktop, in a real browser, with JavaScript on and off: nothing
scrolls sideways at 390 px, the header folds into a menu, choices sit beside their labels, the
person's menu leads to Preferences, and the keyboard focus ring can be seen."""
import re

import pytest
from playwright.sync_api import expect

from storyboard.extensions import db
from storyboard.models import Value

pytestmark = pytest.mark.slow

PASSWORD = "a good long password"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def company(ctx, make_person, make_story):
    """An admin, colleagues with long names, emails and job titles, and stories about them."""
    admin = make_person(name="Morgan Reyes", email="morgan@example.com", role="admin", password=PASSWORD)
    long_ones = [
        make_person(
            name=f"Alexandra Konstantinopoulou-Whitfield {n}",
            email=f"alexandra.konstantinopoulou-whitfield.{n}@customer-experience.example.com",
            job_title="Senior Customer Experience and Complaints Resolution Specialist",
            department="Customer Support and Service Recovery", location="Glasgow Contact Centre, Floor 3",
            manager_id=admin.id,
        )
        for n in range(3)
    ]
    db.session.add(Value(name="Owned it end to end, whatever it took", slug="owned-it", position=50))
    db.session.commit()
    story = make_story(nominees=long_ones, title="They rebuilt the whole order by hand before the wedding")
    return {"admin": admin, "story": story}


def sign_in(page, base, email="morgan@example.com"):
    page.goto(f"{base}/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Stories worth retelling")).to_be_visible()


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_no_page_scrolls_sideways_on_a_phone(page, live_server, company):
    page.set_viewport_size(PHONE)
    sign_in(page, live_server)
    story = company["story"]
    for path in ["/", "/people/", "/admin/people", "/admin/values", "/preferences", "/values",
                 f"/stories/{story.id}", "/mine", "/nominate", f"/people/{company['admin'].id}"]:
        page.goto(f"{live_server}{path}")
        wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(element => element.getBoundingClientRect().right > 391).slice(0, 3)
            .map(element => `${element.tagName}.${element.className} "${element.textContent.slice(0, 40)}"`)""")
        assert page_width(page) <= 390, f"{path} is {page_width(page)} px wide on a 390 px phone: {wide}"


def test_the_header_is_one_slim_row_on_a_phone_and_folds_its_links_into_a_menu(page, live_server, company):
    page.set_viewport_size(PHONE)
    sign_in(page, live_server)
    header = page.locator(".site-header").bounding_box()
    assert header["height"] <= 72, f"the header takes {header['height']} px of the phone's screen"
    people = page.get_by_role("link", name="People", exact=True)
    expect(people).to_be_hidden()  # folded away until the menu opens
    page.locator("summary", has_text="Menu").click()  # a <details>: opens without JavaScript
    expect(people).to_be_visible()
    expect(page.get_by_role("link", name="Review queue")).to_be_visible()
    people.click()
    expect(page).to_have_url(re.compile(r"/people/$"))
    expect(page.get_by_role("heading", name="People", exact=True)).to_be_visible()


def test_on_a_desktop_the_links_are_in_the_header(page, live_server, company):
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server)
    expect(page.get_by_role("link", name="People", exact=True)).to_be_visible()
    expect(page.locator("summary", has_text="Menu")).to_be_hidden()
    assert page_width(page) <= 1280


def test_preferences_are_in_the_person_menu_and_each_choice_sits_beside_its_label(page, live_server, company):
    page.set_viewport_size(PHONE)
    sign_in(page, live_server)
    page.get_by_label(re.compile("Your account")).click()
    page.get_by_role("banner").get_by_role("link", name="Preferences").click()
    expect(page.get_by_role("heading", name="Preferences")).to_be_visible()
    for label in ["Weekly", "Monthly (the first issue of each month)", "Never",
                  "Don't feature stories about me in digests"]:
        control = page.get_by_label(label, exact=True).bounding_box()
        text = page.locator("label", has_text=label).first
        box = text.bounding_box()
        middle = control["y"] + control["height"] / 2
        assert box["y"] <= middle <= box["y"] + box["height"], f"{label!r} is not on its control's line"
        assert control["x"] < box["x"], f"{label!r}: the control should come first, to its left"
        weight = int(text.evaluate("label => getComputedStyle(label).fontWeight"))
        assert weight < 600, f"{label!r} is bold ({weight})"


def contrast(one: str, two: str) -> float:
    def luminance(colour: str) -> float:
        red, green, blue = (int(part) / 255 for part in re.findall(r"[\d.]+", colour)[:3])
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (red, green, blue)]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted([luminance(one), luminance(two)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_keyboard_focus_ring_stands_out_from_the_page(browser, live_server, company, scheme):
    context = browser.new_context(viewport=DESKTOP, color_scheme=scheme)
    page = context.new_page()
    try:
        sign_in(page, live_server)
        page.keyboard.press("Tab")  # the skip link
        page.keyboard.press("Tab")  # the brand
        focused = page.evaluate("""() => {
            const element = document.activeElement;
            const style = getComputedStyle(element);
            return {outline: style.outlineColor, width: style.outlineWidth, style: style.outlineStyle,
                    page: getComputedStyle(document.querySelector('.site-header')).backgroundColor};
        }""")
        assert focused["style"] == "solid" and float(focused["width"].removesuffix("px")) >= 2
        ratio = contrast(focused["outline"], focused["page"])
        assert ratio >= 3, f"the focus ring is {ratio:.2f}:1 against the header in the {scheme} scheme"
    finally:
        context.close()


def test_a_flash_message_can_be_dismissed(page, live_server, company):
    sign_in(page, live_server)
    page.goto(f"{live_server}/preferences")
    page.get_by_role("button", name="Save preferences").click()
    flash = page.locator(".flash")
    expect(flash).to_be_visible()
    if not page.javascript_enabled:
        return  # without JavaScript the message lasts one page view, and there is no button
    page.get_by_role("button", name="Dismiss this message").click()
    expect(flash).to_have_count(0)
