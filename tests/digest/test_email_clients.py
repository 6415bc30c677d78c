"""The digest's HTML as real mail clients treat it (issue 14).

Outlook on Windows (Word's renderer) ignores max-width, padding on links and rounded corners;
Gmail drops the <body>'s background and font and clips HTML over 102 KB. So: a 600-wide
presentation table inside a full-width one that carries the background, an Outlook-only ghost
table, fonts and colours inlined on every cell that holds text, a preheader, dark mode that
restyles rather than breaks, and the largest possible issue under Gmail's clip.
"""
from __future__ import annotations

import os
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import css_inline
import html5lib
import pytest

from storyboard import mail
from storyboard.db_helpers import MAX_ID
from storyboard.digest.email import build_digest_content, build_digest_message
from storyboard.digest.selection import IssueSelection
from storyboard.digest.subscriptions import unsubscribe_url
from storyboard.digest.visits import via_token
from storyboard.extensions import db
from storyboard.insights.managers import Month, TeamMonth, TeamPerson, build_message
from storyboard.models import DigestIssue
from tests.digest.email_html import (
    ISSUE_KEY,
    Nesting,
    by_class,
    cells_holding_text,
    classes,
    column,
    contrast,
    dark_rules,
    html_part,
    kept_styles,
    largest_issue,
    luminance,
    parents,
    style,
    text_of,
    text_part,
    tree,
)

SITE = "https://storyboard.example.com"
GMAIL_CLIP_BYTES = 102_000  # Gmail clips at "102 KB"; the smaller reading of it
DELIVERY_ID = MAX_ID  # the largest id: the longest ?via= token a message can carry
CHROMIUM = os.environ.get("STORYBOARD_CHROMIUM", "/usr/bin/chromium")


# The issues.


@pytest.fixture
def issue(ctx, make_story, make_person):
    """An ordinary issue with every section: two new stories, a canon one, one "also new"."""
    ada = make_person(name="Ada Lovelace")
    first = make_story(title="Rebuilt the order by hand", nominees=[ada],
                       body_md="She **rebuilt** it.\n\n> The customer wrote back.\n\n- one\n- two")
    second = make_story(title="Drove the parcel over", body_md="He drove 40 miles. [Map](/values/courtesy)")
    canon = make_story(title="The lighthouse call", in_canon=True, canon_lesson="Pick up the phone.",
                       happened_on=date(2019, 3, 14), body_md="The classic.")
    also = make_story(title="Answered at midnight")
    selection = IssueSelection(issue_key=ISSUE_KEY, new=(first.id, second.id), canon=(canon.id,),
                               also_new=(also.id,))
    return [first, second, canon, also], build_digest_content(selection, [first, second, canon, also])


@pytest.fixture
def largest(app, ctx, make_story, make_person):
    return largest_issue(app, make_story, make_person)


@pytest.fixture
def manager_email(ctx, make_story, make_person):
    amy = make_person(name="Amy Manager")
    ann = make_person(name="Ann Archer", manager=amy, job_title="Picker")
    story = make_story(title="Ann saved the wedding", nominees=[ann], published_at=datetime(2026, 11, 12, 10))
    month = Month(first=date(2026, 11, 1), zone=ZoneInfo("Europe/London"))
    team = TeamMonth(amy, month, [story], 1, [TeamPerson(ann, date(2026, 5, 1), date(2020, 1, 6))], [])
    return build_message(team)


@pytest.fixture(params=["digest", "manager"])
def any_email(request, issue, make_person):
    """Each HTML email built on the shared layout, as sent."""
    if request.param == "manager":
        return html_part(request.getfixturevalue("manager_email"))
    return html_part(build_digest_message(issue[1], make_person(), DELIVERY_ID))


# The frame: tables that Outlook and Gmail lay out as intended.


def test_the_column_is_a_600_wide_presentation_table_in_a_full_width_coloured_one(any_email):
    root = tree(any_email)
    body = root.find("body")
    [outer] = [child for child in body if child.tag == "table"]
    assert outer.get("role") == "presentation"
    assert outer.get("width") == "100%" and outer.get("bgcolor") == "#f6f5f1"
    assert style(outer)["background-color"] == "#f6f5f1"
    page = column(root)
    assert page.get("role") == "presentation" and page.get("align") == "center"
    assert style(page)["max-width"] == "600px" and style(page)["width"] == "100%"
    assert page.get("bgcolor") == "#ffffff"
    # Outlook reads the ghost table around it and nothing else does.
    assert re.search(r'<!--\[if mso\]><table role="presentation" align="center" width="600"[^>]*>'
                     r'<tr><td width="600"><!\[endif\]-->\s*<table [^>]*class="page"', any_email)
    assert "<!--[if mso]></td></tr></table><![endif]-->" in any_email
    # Every layout table says so, for screen readers; only tables inside a story hold data.
    for table in root.iter("table"):
        inside_story = any(table in list(cell.iter()) for cell in by_class(root, "story-body"))
        assert table.get("role") == "presentation" or inside_story
        if table.get("role") == "presentation":
            assert (table.get("cellpadding"), table.get("cellspacing"), table.get("border")) == ("0", "0", "0")


def test_every_cell_with_text_sets_its_own_font_size_colour_and_line_height(any_email):
    root = tree(any_email)
    cells = cells_holding_text(root)
    assert len(cells) >= 6
    for cell in cells:
        declared = style(cell)
        for name in ("font-family", "font-size", "color", "line-height"):
            assert name in declared, (name, text_of(cell)[:60], cell.get("style"))
        assert declared["line-height"].endswith("px")  # Outlook ignores unitless line heights


def test_no_layout_rests_on_css_that_outlook_or_gmail_drop(any_email):
    root = tree(any_email)
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        declared = style(element)
        if "max-width" in declared and element.get("class") != "preheader":
            assert element.get("width"), f"<{element.tag} class={element.get('class')}> has max-width only"
    body = root.find("body")
    assert [child.tag for child in body] == ["div", "table"]  # the preheader, then the frame
    assert [classes(div) for div in root.iter("div")] == [{"preheader"}]  # no <div> layout
    page = column(root)
    for heading in list(root.iter("h1")) + list(root.iter("h2")):
        assert heading in list(page.iter())
    # Rounded corners are a nicety: nothing but the button has them, and it is a coloured cell.
    rounded = [element for element in root.iter() if "border-radius" in style(element)]
    assert {frozenset(classes(element)) for element in rounded} == {frozenset({"button-cell"}),
                                                                     frozenset({"button"})}


def test_every_coloured_layout_cell_has_the_colour_as_an_attribute_too(any_email):
    root = tree(any_email)
    for element in list(root.iter("table")) + list(root.iter("td")):
        background = style(element).get("background-color")
        if background and not any(element in list(c.iter()) for c in by_class(root, "story-body")):
            assert element.get("bgcolor") == background, element.get("class")


def test_the_button_is_a_link_in_a_coloured_cell(any_email):
    root = tree(any_email)
    [button] = by_class(root, "button")
    cell = parents(root)[button]
    assert cell.tag == "td" and cell.get("bgcolor") == "#4338ca"
    assert style(cell)["mso-padding-alt"] == "12px 24px"  # Outlook ignores the link's padding
    assert style(button)["display"] == "inline-block" and style(button)["padding"] == "12px 24px"
    assert style(button)["color"] == "#ffffff" and style(button)["text-decoration"] == "none"
    assert button.get("href") in (f"{SITE}/nominate", f"{SITE}/insights/equity")


def test_the_html_parses_without_errors_before_and_after_inlining(app, ctx, make_story, make_person, monkeypatch):
    rendered: list[str] = []
    real = css_inline.CSSInliner

    class Recording:
        def __init__(self, **options):
            self.inliner = real(**options)

        def inline(self, html: str) -> str:
            rendered.append(html)
            return self.inliner.inline(html)

    monkeypatch.setattr(css_inline, "CSSInliner", Recording)
    stories, content = largest_issue(app, make_story, make_person)
    sent = html_part(build_digest_message(content, make_person(), DELIVERY_ID))
    assert rendered
    # The template as written, and the email as sent: a misnested table would be rebuilt by the
    # parser (its text moved out of the column), which strict parsing reports.
    for html in (rendered[-1], sent):
        html5lib.HTMLParser(strict=True).parse(html)
        nesting = Nesting()
        nesting.feed(html)
        nesting.close()
        assert nesting.errors == [] and nesting.open == []
    page = column(tree(sent))
    inside = text_of(page)
    for story in stories:
        assert story.title.replace("  ", " ")[:40] in inside


# What a reader sees.


def test_the_header_shows_the_issue_date(issue, make_person):
    _, content = issue
    message = build_digest_message(content, make_person())
    [dateline] = by_class(tree(html_part(message)), "dateline")
    assert text_of(dateline) == "Monday 23 November 2026"
    assert text_part(message).splitlines()[:2] == ["Northwind Outfitters Storyboard", "Monday 23 November 2026"]


@pytest.mark.parametrize("how", ["given", "stored", "scheduled"])
def test_the_date_is_the_cut_day_in_the_company_time_zone(app, ctx, make_story, make_person, how):
    # Monday 07:00 in Auckland is Sunday 18:00 UTC: the issue key says Sunday, people see Monday.
    app.config.update(DIGEST_TIMEZONE="Pacific/Auckland", DIGEST_CUT_DAY="monday", DIGEST_CUT_TIME="07:00")
    cut_at = datetime(2026, 11, 29, 18, 0)
    if how == "stored":  # an issue already cut, re-rendered after the schedule moved to Thursday
        db.session.add(DigestIssue(issue_key="2026-11-29", cut_at=cut_at))
        db.session.commit()
        app.config["DIGEST_CUT_DAY"] = "thursday"
    story = make_story(title="Found the lost ring")
    selection = IssueSelection(issue_key="2026-11-29", new=(story.id,))
    content = build_digest_content(selection, [story], cut_at=cut_at if how == "given" else None)
    message = build_digest_message(content, make_person())
    [dateline] = by_class(tree(html_part(message)), "dateline")
    assert text_of(dateline) == "Monday 30 November 2026"
    assert "Monday 30 November 2026" in text_part(message)


def test_story_titles_are_underlined_links_carrying_the_delivery_token(issue, make_person):
    stories, content = issue
    root = tree(html_part(build_digest_message(content, make_person(), DELIVERY_ID)))
    token = via_token(DELIVERY_ID)
    titles = [title.find("a") for title in by_class(root, "title")]
    assert [link.get("href") for link in titles] == [f"{SITE}/stories/{story.id}?via={token}" for story in stories[:3]]
    assert [text_of(link) for link in titles] == [story.title for story in stories[:3]]
    for link in titles:
        assert style(link)["color"] == "#4338ca" and style(link)["text-decoration"] == "underline"
    [also] = by_class(root, "also-link")
    assert also.get("href") == f"{SITE}/stories/{stories[3].id}?via={token}"
    assert style(also)["text-decoration"] == "underline"


def test_every_link_of_the_email_is_still_there(issue, make_person):
    stories, content = issue
    person = make_person()
    message = build_digest_message(content, person, DELIVERY_ID)
    hrefs = [a.get("href") for a in tree(html_part(message)).iter("a")]
    token = via_token(DELIVERY_ID)
    first, second, canon, also = (f"{SITE}/stories/{story.id}?via={token}" for story in stories)
    assert hrefs == [
        f"{SITE}/",  # the masthead
        first, second,
        f"{SITE}/values/courtesy",  # a relative link in a story, made absolute
        canon, also,
        f"{SITE}/nominate", f"{SITE}/preferences", unsubscribe_url(person),
    ]
    assert message["List-Unsubscribe"] == f"<{unsubscribe_url(person)}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_the_preheader_is_hidden_preview_text(issue, make_person):
    _, content = issue
    root = tree(html_part(build_digest_message(content, make_person())))
    [preheader] = [child for child in root.find("body") if child.tag == "div"]
    declared = style(preheader)
    assert declared["display"] == "none" and declared["mso-hide"] == "all"
    assert declared["max-height"] == "0" and declared["overflow"] == "hidden"
    # What the inbox shows after the subject (which names the first story): the others.
    assert text_of(preheader).startswith("Drove the parcel over · The lighthouse call · Answered at midnight")
    assert preheader.find(".//a") is None


def test_an_introduction_is_the_preview_text(ctx, make_story, make_person):
    story = make_story(title="Found the lost ring")
    content = build_digest_content(IssueSelection(issue_key=ISSUE_KEY, new=(story.id,)), [story],
                                   "Welcome to **December**: three stories about patience.")
    [preheader] = by_class(tree(html_part(build_digest_message(content, make_person()))), "preheader")
    assert text_of(preheader).startswith("Welcome to December: three stories about patience.")


def test_dark_mode_is_declared_and_every_pair_of_colours_stays_readable(largest, make_person):
    html = html_part(build_digest_message(largest[1], make_person()))
    root = tree(html)
    metas = {meta.get("name"): meta.get("content") for meta in root.iter("meta")}
    assert metas["color-scheme"] == "light dark" and metas["supported-color-schemes"] == "light dark"
    assert "<style" in html.split("</head>")[0]
    # Only what cannot be inlined is left in <style>: media queries and the colour scheme.
    for css in kept_styles(html):
        outside_media = re.sub(r"@media[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}", "", css)
        assert re.sub(r":root\s*\{[^}]*\}", "", outside_media).strip() == ""
    dark = dark_rules(html)
    # Every class the dark rules name is in the email, so they restyle something.
    named = set(re.findall(r"\.([a-z][\w-]*)", " ".join(dark)))
    present = {name for element in root.iter() if isinstance(element.tag, str) for name in classes(element)}
    assert named and named <= present, named - present
    page = "#ffffff"
    title, meta = by_class(root, "title-link")[0], by_class(root, "meta")[0]
    [button] = by_class(root, "button")
    light_pairs = {
        "text": ("#1f2933", page), "title": (style(title)["color"], page), "muted": (style(meta)["color"], page),
        "button": (style(button)["color"], style(parents(root)[button])["background-color"]),
    }
    dark_page = dark[".page td"]["background-color"]
    dark_pairs = {
        "text": (dark[".page td"]["color"], dark_page), "title": (dark[".title-link"]["color"], dark_page),
        "muted": (dark[".page .meta"]["color"], dark_page),
        "lesson": (dark[".page p"]["color"], dark[".page .lesson"]["background-color"]),
        "button": (dark[".button"]["color"], dark[".page .button-cell"]["background-color"]),
    }
    for name, (foreground, background) in {**light_pairs, **{f"dark {k}": v for k, v in dark_pairs.items()}}.items():
        assert contrast(foreground, background) >= 4.5, (name, foreground, background)
    assert luminance(dark_page) < 0.05 and luminance(dark[".body"]["background-color"]) < 0.05


def test_the_email_has_no_images(any_email):
    # Nothing to block, nothing that loads when the email is opened, nothing without alt text.
    assert not list(tree(any_email).iter("img")) and "background-image" not in any_email


# The largest issue: under Gmail's clip, text part first.


def test_the_largest_issue_stays_under_gmails_clip_with_text_first(largest, make_person, smtp_server):
    stories, content = largest
    person = make_person(email="reader@example.com")
    mail.send([build_digest_message(content, person, DELIVERY_ID)])
    [received] = smtp_server.messages
    assert [part.get_content_type() for part in received.iter_parts()] == ["text/plain", "text/html"]
    html = html_part(received)
    assert len(html.encode()) < GMAIL_CLIP_BYTES, len(html.encode())
    root = tree(html)
    titles = [text_of(title) for title in by_class(root, "title")]
    assert len(titles) == 3 + 5 and len(by_class(root, "also-item")) == 5
    assert titles[0] == stories[0].title
    assert len(by_class(root, "more-link")) == 8  # each long story cut, with a link to the rest
    assert f"{unsubscribe_url(person)}" in [a.get("href") for a in root.iter("a")]
    assert received["List-Unsubscribe"] == f"<{unsubscribe_url(person)}>"
    assert by_class(root, "on-this-day") and by_class(root, "lesson") and by_class(root, "introduction")


# In a browser engine: the layout holds at phone and desktop widths, light and dark.

