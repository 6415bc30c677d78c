"""The digest email: one rendering per issue, then one small message per recipient.

`build_digest_content` renders the text and HTML templates and inlines the CSS once per issue;
only the unsubscribe link differs between recipients, so it is a placeholder substituted in
`build_digest_message`. Story bodies come from `Story.body_html`, which the Markdown chokepoint
has already sanitised. The HTML is laid out for mail clients, not browsers: tables, styles on
every cell, a ghost table for Outlook (templates/email/layout.html says why).
"""
from __future__ import annotations

import hashlib
import hmac
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from typing import Protocol
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import css_inline
from flask import current_app, render_template
from markupsafe import Markup
from sqlalchemy import select

from storyboard.digest.candidates import next_cut
from storyboard.digest.ranking import is_anniversary
from storyboard.digest.selection import IssueSelection
from storyboard.digest.subscriptions import unsubscribe_url
from storyboard.digest.visits import VIA, VIA_PLACEHOLDER, with_via
from storyboard.extensions import db
from storyboard.markdown import render as render_markdown
from storyboard.models import DigestIssue, Story
from storyboard.settings import setting
from storyboard.text import one_line
from storyboard.urls import external_url

# Stands in for the per-person unsubscribe URL in the rendered issue; plain letters and
# underscores, so neither Jinja, css-inline nor the text template changes it.
UNSUBSCRIBE_PLACEHOLDER = "__STORYBOARD_DIGEST_UNSUBSCRIBE_URL__"
# Gmail clips HTML over about 102 KB; stay clear of it.
MAX_HTML_BYTES = 100_000
# Characters of body HTML per story before it is cut to an excerpt with a "read the rest" link;
# tried in turn until the whole issue fits.
BODY_BUDGETS = (12_000, 5_000, 2_000, 600)
PREHEADER_MAX = 140  # about what inboxes show of the preview text
CSS_TEMPLATE = "email/digest.css"  # read through the app's template loader
# Headers as long as the SMTP limit allows: the default 78 would encode a long
# List-Unsubscribe URL as RFC 2047 words, which mail clients do not follow.
DIGEST_POLICY = policy.default.clone(max_line_length=998)

_HREF = re.compile(r'href="([^"]*)"')
_TAG = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"(?i)</(p|li|h[2-4]|blockquote|pre|tr)>|<br\s*/?>")


@dataclass(frozen=True)
class DigestStory:
    """One story as the email shows it."""

    id: int
    title: str
    url: str
    nominees: tuple[str, ...]
    values: tuple[str, ...]
    body_html: Markup
    body_text: str
    truncated: bool
    canon_lesson: str | None
    happened_on: date | None
    # A canon story retold near the day it happened: how many years ago, for its own line.
    years_ago: int | None = None


@dataclass(frozen=True)
class DigestContent:
    """An issue rendered once: subject, text and inlined HTML with an unsubscribe placeholder."""

    issue_key: str
    subject: str
    text: str
    html: str
    # How many of its stories existed and when they had last changed as it was rendered (set
    # where it is rendered from the database): a redaction, an unpublish or an erasure since
    # means render it again.
    stories_as_of: tuple[int, datetime | None] | None = None


def build_digest_content(selection: IssueSelection, stories: Iterable[Story],
                         introduction: str | None = None, cut_at: datetime | None = None) -> DigestContent:
    """Render the issue once; `stories` must include every story the selection names.
    `introduction` is the curator's Markdown for the top of the issue; `cut_at` (naive UTC) is
    its cut, for the date in its header (found from the issue key when not given)."""
    by_id = {story.id: story for story in stories}
    missing = [story_id for story_id in selection.story_ids if story_id not in by_id]
    if missing:
        raise ValueError(f"Stories {missing} are selected but were not given.")
    if selection.is_empty:
        raise ValueError("An empty selection has no email: no issue is sent.")
    company = current_app.config["COMPANY_NAME"]
    top = by_id[selection.story_ids[0]]
    subject = one_line(f"{company} Storyboard: {one_line(top.title)}")
    links = {
        "nominate": external_url("stories.nominate"),
        "preferences": external_url("preferences.edit"),
        "home": external_url("stories.feed"),
        "unsubscribe": UNSUBSCRIBE_PLACEHOLDER,
    }
    intro = None
    if introduction and introduction.strip():
        intro_html = _absolute_links(render_markdown(introduction))
        # Bandit B704 checked: the Markdown chokepoint's output, only its links made absolute.
        intro = {"html": Markup(intro_html), "text": _html_to_text(intro_html)}  # nosec B704
    cut_on = date.fromisoformat(selection.issue_key)
    issue_date = _long_date(local_issue_date(selection.issue_key, cut_at))
    css, _, _ = current_app.jinja_env.loader.get_source(current_app.jinja_env, CSS_TEMPLATE)
    inliner = css_inline.CSSInliner(load_remote_stylesheets=False, extra_css=css)
    for budget in BODY_BUDGETS:
        sections = {
            name: [_digest_story(by_id[story_id], budget, cut_on if name == "canon" else None) for story_id in ids]
            for name, ids in (("new", selection.new), ("also_new", selection.also_new),
                              ("canon", selection.canon))
        }
        context = {"company": company, "subject": subject, "links": links, "introduction": intro,
                   "issue_date": issue_date, "preheader": _preheader(intro, sections), **sections}
        inlined = inliner.inline(render_template("email/digest.html", **context))
        if len(inlined.encode()) <= MAX_HTML_BYTES:
            break
    text = render_template("email/digest.txt", **context)
    return DigestContent(issue_key=selection.issue_key, subject=subject, text=text, html=inlined)


class Addressee(Protocol):
    """Whom a digest message is for: a Person, or the plain values the sender reads."""

    id: int
    email: str


def build_digest_message(content: DigestContent, person: Addressee, delivery_id: int | None = None) -> EmailMessage:
    """The issue addressed to one person, with their unsubscribe link and list headers, and
    story links that say which delivery they came in (none for a test message).

    Built with the email package: for previews, a curator's test message and an address that is
    not ASCII. Sending otherwise uses message_template.DigestTemplate, the same message encoded
    once per issue (tests/digest/test_message_template.py holds the two to the same content)."""
    domain = sender_domain()
    link = unsubscribe_url(person)
    message = EmailMessage(policy=DIGEST_POLICY)
    # EmailMessage refuses header values with line breaks; the subject has none (one_line).
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = person.email
    message["Subject"] = content.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = digest_message_id(content.issue_key, person.id, domain)
    company = one_line(current_app.config["COMPANY_NAME"]).replace('"', "")
    message["List-Id"] = f'"{company} Storyboard digest" <digest.{domain}>'
    message["List-Unsubscribe"] = f"<{link}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(with_via(content.text, delivery_id).replace(UNSUBSCRIBE_PLACEHOLDER, link))
    message.add_alternative(
        with_via(content.html, delivery_id).replace(UNSUBSCRIBE_PLACEHOLDER, html.escape(link, quote=True)),
        subtype="html",
    )
    return message


def digest_message_id(issue_key: str, person_id: int, domain: str) -> str:
    """Stable for one delivery (a resend reuses it) and unguessable without the secret key."""
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"{issue_key}:{person_id}".encode(), hashlib.sha256).hexdigest()
    return f"<{digest[:32]}@{domain}>"


def sender_domain() -> str:
    """The domain of MAIL_DEFAULT_SENDER, for Message-ID and List-Id."""
    address = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1]
    return address.rpartition("@")[2].strip() or "localhost"


def _digest_story(story: Story, budget: int, cut_on: date | None = None) -> DigestStory:
    """A story as the email shows it; `cut_on` (canon stories) marks an "on this day" one."""
    # Each message makes the placeholder its own delivery's token (see digest/visits.py).
    url = external_url("stories.show", story_id=story.id, **{VIA: VIA_PLACEHOLDER})
    body = _absolute_links(story.body_html or "")
    truncated = len(body) > budget
    if truncated:
        # Cutting HTML mid-tag is unsafe, so a long story becomes a plain-text excerpt.
        excerpt = _html_to_text(body)[:budget].rsplit(" ", 1)[0]
        body = f"<p>{html.escape(excerpt)}…</p>"
    return DigestStory(
        id=story.id,
        title=one_line(story.title),
        url=url,
        nominees=tuple(person.name for person in story.nominees),
        values=tuple(value.name for value in story.values),
        # Bandit B704 checked: the chokepoint's stored rendering, or an excerpt escaped above.
        body_html=Markup(body),  # nosec B704
        body_text=_html_to_text(body),
        truncated=truncated,
        canon_lesson=story.canon_lesson if story.in_canon else None,
        happened_on=story.happened_on,
        years_ago=_years_ago(story.happened_on, cut_on),
    )


def local_issue_date(issue_key: str, cut_at: datetime | None = None) -> date:
    """The issue's date as the company sees it: the day of its cut in DIGEST_TIMEZONE.

    The key is the cut's date in UTC, a day early east of UTC for an early-morning cut (Monday
    07:00 in Auckland is Sunday in UTC). Without `cut_at`: the cut of the issue stored under the
    key, else (an issue being cut or previewed) the scheduled cut on the key's UTC date."""
    if cut_at is None:
        cut_at = db.session.scalar(select(DigestIssue.cut_at).where(DigestIssue.issue_key == issue_key))
    if cut_at is None:
        scheduled = next_cut(datetime.combine(date.fromisoformat(issue_key), time.min))
        cut_at = scheduled if scheduled.date().isoformat() == issue_key else None
    if cut_at is None:  # a key off the current schedule: its own date is the best there is
        return date.fromisoformat(issue_key)
    zone = ZoneInfo(setting("DIGEST_TIMEZONE"))
    return cut_at.replace(tzinfo=UTC).astimezone(zone).date()


def _long_date(day: date) -> str:
    """As people write it: "Thursday 3 December 2026" (no leading zero)."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def _preheader(intro: dict | None, sections: dict[str, list[DigestStory]]) -> str:
    """The inbox's preview line after the subject: the introduction's start, else the titles
    after the first (which the subject already names)."""
    if intro:
        text = " ".join(intro["text"].split())
    else:
        stories = [*sections["new"], *sections["canon"], *sections["also_new"]]
        text = " · ".join(story.title for story in stories[1:]) or stories[0].title
    return text if len(text) <= PREHEADER_MAX else text[:PREHEADER_MAX].rsplit(" ", 1)[0] + "…"


def _years_ago(happened_on: date | None, cut_on: date | None) -> int | None:
    """Whole years since a story happened when the issue falls within DIGEST_ANNIVERSARY_DAYS
    of its anniversary (the selection puts such canon stories first); else None."""
    days = current_app.config["DIGEST_ANNIVERSARY_DAYS"]
    if happened_on is None or cut_on is None or not is_anniversary(happened_on, cut_on, days):
        return None
    # The anniversary nearest the cut: one just after New Year counts for the coming year.
    return round((cut_on - happened_on).days / 365.25)


def _absolute_links(body_html: str) -> str:
    """Relative links in a story resolve against EXTERNAL_URL, as a mail client cannot."""
    base = current_app.config["EXTERNAL_URL"].rstrip("/") + "/"

    def absolute(match: re.Match) -> str:
        target = html.unescape(match.group(1))
        if re.match(r"(?i)(https?|mailto):", target):
            return match.group(0)
        return f'href="{html.escape(urljoin(base, target), quote=True)}"'

    return _HREF.sub(absolute, body_html)


def _html_to_text(fragment: str) -> str:
    text = html.unescape(_TAG.sub("", _BLOCK_END.sub("\n\n", fragment)))
    paragraphs = (" ".join(part.split()) for part in text.split("\n\n"))
    return "\n\n".join(part for part in paragraphs if part)


__all__ = [
    "DigestContent",
    "DigestStory",
    "UNSUBSCRIBE_PLACEHOLDER",
    "build_digest_content",
    "build_digest_message",
    "digest_message_id",
    "local_issue_date",
]
