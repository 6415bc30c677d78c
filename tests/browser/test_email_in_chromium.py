"""The digest email in Chromium, as a browser-based mail client shows its HTML part: the column
fits a phone, stays 600 px wide on a desktop, and dark mode is dark. It lives with the browser
tests to share their one Chromium (a second Playwright in the same run would clash)."""
from __future__ import annotations

import pytest

from storyboard.digest.email import build_digest_message
from tests.digest.email_html import html_part
from tests.digest.test_email_clients import issue  # noqa: F401 - the fixture, shared

pytestmark = pytest.mark.slow


def test_in_chromium_the_column_fits_a_phone_and_stays_600_wide_and_dark_mode_is_dark(browser, issue, make_person):  # noqa: F811
    html = html_part(build_digest_message(issue[1], make_person()))
    for scheme in ("light", "dark"):
        for width, column_width in ((390, 390), (800, 600)):
            context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
            page = context.new_page()
            page.set_content(html)
            measured = page.evaluate("""() => ({
                scroll: document.scrollingElement.scrollWidth,
                column: document.querySelector('table.page').getBoundingClientRect().width,
                page: getComputedStyle(document.querySelector('table.page')).backgroundColor,
                ink: getComputedStyle(document.querySelector('td.story-body')).color,
                title: getComputedStyle(document.querySelector('a.title-link')).textDecorationLine,
            })""")
            context.close()
            assert measured["scroll"] <= width, (scheme, width, measured)  # no sideways scrolling
            assert measured["column"] == column_width, (scheme, width, measured)
            assert measured["title"] == "underline"
            dark = scheme == "dark"
            assert measured["page"] == ("rgb(31, 29, 26)" if dark else "rgb(255, 255, 255)"), measured
            assert measured["ink"] == ("rgb(236, 230, 220)" if dark else "rgb(31, 41, 51)"), measured
