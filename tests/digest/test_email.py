"""The digest email: parts, headers, links, size and inlined CSS, sent through a real SMTP server."""
from __future__ import annotations

import hashlib
import hmac
import re
from datetime import date
from html.parser import HTMLParser

import pytest

from storyboard import mail
from storyboard.digest.email import (
    MAX_HTML_BYTES,
    UNSUBSCRIBE_PLACEHOLDER,
    build_digest_content,
    build_digest_message,
)
from storyboard.digest.selection import IssueSelection
from storyboard.digest.subscriptions import unsubscribe_token
from storyboard.extensions import db
from storyboard.models import Person

ISSUE_KEY = "2026-11-23"


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs, self.tags, self.styled = [], [], 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append(tag)
        if "href" in attributes:
            self.hrefs.append(attributes["href"])
        if attributes.get("style"):
            self.styled += 1


def parse(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    parser.close()
    return parser


@pytest.fixture
def issue(ctx, make_story, make_person):
    """A selection with every section filled, and the rendered content."""
    ada = make_person(name="Ada Lovelace")
    first = make_story(title="Rebuilt the order by hand", nominees=[ada],
                       body_md="She **rebuilt** it. [Policy](/values/courtesy) and [site](https://example.org/x).")
    second = make_story(title="Drove the parcel over", body_md="He drove 40 miles.")
    also = make_story(title="Answered at midnight")
    canon = make_story(title="The lighthouse call", in_canon=True, canon_lesson="Pick up the phone.",
                       happened_on=date(2019, 3, 14), body_md="The classic.")
    selection = IssueSelection(issue_key=ISSUE_KEY, new=(first.id, second.id), also_new=(also.id,),
                               canon=(canon.id,))
    stories = [first, second, also, canon]
    return selection, stories, build_digest_content(selection, stories)


def html_part(message):
    return message.get_body(preferencelist=("html",)).get_content()


def text_part(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def test_sent_message_has_text_first_then_html_and_every_header(issue, make_person, smtp_server):
    _, _, content = issue
    person = make_person(email="reader@example.com")
    assert mail.send([build_digest_message(content, person)]) == 1
    [received] = smtp_server.messages
    assert received.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in received.iter_parts()] == ["text/plain", "text/html"]
    assert received["To"] == "reader@example.com"
    assert received["Subject"] == "Northwind Outfitters Storyboard: Rebuilt the order by hand"
    assert received["Date"]
    assert re.fullmatch(r"<[0-9a-f]{32}@localhost>", received["Message-ID"])
    assert received["List-Id"] == '"Northwind Outfitters Storyboard digest" <digest.localhost>'
    token = unsubscribe_token(person)
    link = f"https://storyboard.example.com/digest/unsubscribe/{token}"
    assert received["List-Unsubscribe"] == f"<{link}>"
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert received["Auto-Submitted"] == "auto-generated"
    assert link in text_part(received) and link in html_part(received)
    assert UNSUBSCRIBE_PLACEHOLDER not in received.as_string()


def test_list_unsubscribe_is_not_encoded_on_the_wire(issue, make_person):
    _, _, content = issue
    raw = bytes(build_digest_message(content, make_person()))
    assert b"List-Unsubscribe: <https://storyboard.example.com/digest/unsubscribe/" in raw


def test_message_id_is_stable_per_delivery_and_differs_per_person(issue, make_person):
    _, _, content = issue
    ada, bob = make_person(), make_person()
    first, again = build_digest_message(content, ada), build_digest_message(content, ada)
    assert first["Message-ID"] == again["Message-ID"]
    assert build_digest_message(content, bob)["Message-ID"] != first["Message-ID"]
    # An HMAC of the delivery under the secret key: neither the person nor the issue shows.
    expected = hmac.new(b"test-secret-key", f"{ISSUE_KEY}:{ada.id}".encode(), hashlib.sha256)
    assert first["Message-ID"] == f"<{expected.hexdigest()[:32]}@localhost>"


def test_message_id_depends_on_the_secret_key(app, issue, make_person):
    _, _, content = issue
    person = make_person()
    before = build_digest_message(content, person)["Message-ID"]
    app.config["SECRET_KEY"] = "another-secret-key"
    assert build_digest_message(content, person)["Message-ID"] != before


def test_sections_show_stories_nominees_values_and_the_canon(issue, make_person):
    _, stories, content = issue
    message = build_digest_message(content, make_person())
    html, text = html_part(message), text_part(message)
    for body in (html, text):
        assert "This week" in body or "THIS WEEK" in body
        assert "Rebuilt the order by hand" in body and "Ada Lovelace" in body
        assert stories[0].values[0].name in body
        assert "Answered at midnight" in body
        assert "What to learn from it" in body and "Pick up the phone." in body
        assert "14 March 2019" in body
        assert "https://storyboard.example.com/nominate" in body
        assert "https://storyboard.example.com/preferences" in body
    assert "<strong>rebuilt</strong>" in html
    # "Also new" is titles only: its body is not in the email.
    assert "She **rebuilt**" not in text


def test_html_is_small_has_no_script_and_only_absolute_links(issue, make_person):
    _, _, content = issue
    html = html_part(build_digest_message(content, make_person()))
    assert len(html.encode()) < 102 * 1024
    parsed = parse(html)
    assert "script" not in parsed.tags and "<script" not in html.lower()
    assert parsed.hrefs
    for href in parsed.hrefs:
        assert re.match(r"https?://[^/]", href), href
    # A relative link in a story resolves against EXTERNAL_URL.
    assert "https://storyboard.example.com/values/courtesy" in parsed.hrefs


def test_css_is_inlined(issue, make_person):
    _, _, content = issue
    html = html_part(build_digest_message(content, make_person()))
    assert parse(html).styled > 10
    # Only what cannot be inlined stays in <style> (media queries: narrow screens, dark mode),
    # besides Outlook's own block inside its conditional comment.
    head = re.sub(r"<!--\[if mso\]>.*?<!\[endif\]-->", "", html.split("</head>")[0], flags=re.S)
    kept = "".join(re.findall(r"<style[^>]*>(.*?)</style>", head, flags=re.S))
    assert "@media (prefers-color-scheme: dark)" in kept
    assert re.findall(r"^\.[\w-]+", kept, flags=re.M) == []  # no top-level class rule left un-inlined
    assert "<style" not in html.split("</head>")[1].lower()
    assert 'class="button"' in html and "background-color: #4338ca" in html


def test_a_title_cannot_inject_a_header(ctx, make_story, make_person, smtp_server):
    story = make_story(title="Great work\r\nBcc: attacker@example.com")
    content = build_digest_content(IssueSelection(issue_key=ISSUE_KEY, new=(story.id,)), [story])
    mail.send([build_digest_message(content, make_person())])
    [received] = smtp_server.messages
    assert received["Bcc"] is None
    assert "\n" not in received["Subject"] and "\r" not in received["Subject"]
    assert received["Subject"].endswith("Great work Bcc: attacker@example.com")


def test_a_very_long_story_is_cut_with_a_read_the_rest_link(ctx, make_story, make_person):
    paragraphs = "\n\n".join(f"Paragraph {n} with **bold** words " * 20 for n in range(300))
    stories = [make_story(title=f"Long story {n}", body_md=paragraphs) for n in range(3)]
    selection = IssueSelection(issue_key=ISSUE_KEY, new=tuple(story.id for story in stories))
    html = html_part(build_digest_message(build_digest_content(selection, stories), make_person()))
    assert len(html.encode()) <= MAX_HTML_BYTES
    assert "Read the rest of the story" in html
    assert f"https://storyboard.example.com/stories/{stories[0].id}" in parse(html).hrefs


def test_the_issue_is_rendered_once_for_every_recipient(issue, make_person):
    _, _, content = issue
    ada, bob = make_person(), make_person()
    a_html = html_part(build_digest_message(content, ada))
    b_html = html_part(build_digest_message(content, bob))
    assert a_html.replace(unsubscribe_token(ada), "T") == b_html.replace(unsubscribe_token(bob), "T")


def test_an_empty_selection_has_no_email(ctx):
    with pytest.raises(ValueError):
        build_digest_content(IssueSelection(issue_key=ISSUE_KEY), [])


def test_people_get_the_weekly_digest_by_default(ctx, make_person):
    person = make_person()
    db.session.expire_all()
    assert db.session.get(Person, person.id).digest_frequency == "weekly"
